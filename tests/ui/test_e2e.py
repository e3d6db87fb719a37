"""End to end in a real browser: Debian's Chromium driven by Playwright (no browser download).

Ask a question, see a cited answer, open the citation, draft a zone dossier, accept a
criterion as a reviewer, and see the scorecard heatmap; draft every zone from the Scorecard
page, download the brief and ask a portfolio question. Screenshots of every page go to the
test's tmp dir and are copied to /tmp/ui-shots/ for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import playwright.sync_api as sync_api
import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
SHOTS = Path("/tmp/ui-shots")
QUESTION = "What threshold does ENV-12 set for industrial wastewater?"
ZONE_NAME = "Prey Nob Coastal Special Economic Zone"
CRITERION = "Treatment of industrial wastewater"


def chromium_path() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("Chromium is not installed: the end-to-end test needs Debian's chromium "
                    "(`make browser`, i.e. `apt-get install -y chromium`).", pytrace=False)
    return found


@pytest.fixture
def page(tmp_path: Path) -> Any:
    executable = chromium_path()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        yield pg
        context.close()
        browser.close()


def shot(pg: Any, tmp_path: Path, name: str, *, full: bool = True) -> Path:
    path = tmp_path / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
    except OSError:
        pass  # the copy is a convenience for people; the test's own dir is what counts
    return path


def pick(pg: Any, dropdown_id: str, option: str) -> None:
    pg.locator(f"#{dropdown_id} input").click()
    pg.get_by_role("option", name=option, exact=True).click()


@pytest.mark.slow
def test_ask_cite_draft_review_and_scorecard(services: Any, serve: Any, tmp_path: Path,
                                             page: Any) -> None:
    from assistant.ui.dossier import draft_dossier

    assert "Drafted" in draft_dossier(services, "koh-kong-bay")  # a second zone to compare
    url = serve(services)
    pg = page
    pg.goto(url)

    # Chat: a streamed answer with a numbered citation that opens its passage.
    pg.wait_for_selector("#eip-question")
    pg.locator("#eip-thumbs-up img").wait_for()
    pg.wait_for_timeout(1500)  # the load event refreshes the header
    assert "EIP Assistant" in pg.locator(".eip-header").inner_text()
    assert "Answer mode: Extractive" in pg.locator(".eip-mode").inner_text()
    shot(pg, tmp_path, "01-chat-start")
    pg.locator("#eip-question textarea").fill(QUESTION)
    pg.locator("#eip-ask").click()
    chip = pg.locator("#eip-sources label").first
    chip.wait_for()
    bubble = pg.locator("#eip-chat .message").last
    assert "[1]" in bubble.inner_text()
    assert chip.inner_text().startswith("[1]")
    chip.click()
    passage = pg.locator("#eip-passage")
    passage.wait_for()
    assert passage.locator("mark").count() >= 1
    assert "frameworks/" in passage.inner_text()
    shot(pg, tmp_path, "02-chat-citation")

    # Feedback on the answer.
    pg.locator("#eip-thumbs-up").click()
    pg.get_by_text("Thanks, marked as helpful.").wait_for()

    # Zone dossier: draft, open a criterion, accept it as a named reviewer.
    pg.get_by_role("tab", name="Zone dossier").click()
    pick(pg, "eip-dossier-zone", ZONE_NAME)
    pg.get_by_text("Not drafted yet").wait_for()
    pg.locator("#eip-draft").click()
    pg.get_by_text("Drafted 64 criteria").wait_for(timeout=240_000)
    pg.locator(".eip-criteria [role=gridcell]").filter(has_text=CRITERION).first.click()
    detail = pg.locator("#eip-criterion-detail")
    detail.locator("h3").filter(has_text="ENV-12").wait_for()
    assert "Requirement." in detail.inner_text()
    pg.locator("#eip-reviewer").locator("input, textarea").first.fill("A. Sok")
    pg.locator("#eip-accept").click()
    pg.get_by_text("Accepted ENV-12 as A. Sok").wait_for()
    detail.get_by_text("Review history").wait_for()
    pg.locator("#eip-criterion-detail").scroll_into_view_if_needed()
    shot(pg, tmp_path, "03-dossier")
    events = services.reviews.history("prey-nob-coastal", "ENV-12")
    assert [(e.action, e.reviewer) for e in events] == [("accept", "A. Sok")]

    # Scorecard: the heatmap image and the ranking.
    pg.get_by_role("tab", name="Scorecard").click()
    image = pg.locator("#eip-heatmap img")
    image.wait_for()
    pg.wait_for_function(
        "() => { const i = document.querySelector('#eip-heatmap img');"
        " return i && i.complete && i.naturalWidth > 200; }")
    assert "Prey Nob Coastal" in pg.get_by_text("Ranking by readiness").locator("..").inner_text()
    shot(pg, tmp_path, "04-scorecard")

    # Library and evaluation pages render.
    pg.get_by_role("tab", name="Library").click()
    pg.get_by_text("documents indexed").wait_for()
    pg.locator("#eip-library-table [role=gridcell]").first.wait_for()
    shot(pg, tmp_path, "05-library")
    pg.get_by_label("Only failed files").check()
    failed = pg.locator("#eip-library-table [role=gridcell]").filter(has_text="scanned-letter.pdf")
    failed.first.wait_for()
    assert "corrupt" in pg.locator("#eip-library-table [role=row]").nth(1).inner_text()
    pg.get_by_role("tab", name="Evaluation").click()
    pg.locator("#eip-eval-run").click()
    pg.get_by_text("Ran 3 question(s)").wait_for(timeout=120_000)
    shot(pg, tmp_path, "06-evaluation")

    for name in ("01-chat-start", "02-chat-citation", "03-dossier", "04-scorecard",
                 "05-library", "06-evaluation"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


@pytest.mark.slow
def test_draft_all_scorecard_portfolio_answer_and_brief(services: Any, serve: Any, tmp_path: Path,
                                                        page: Any) -> None:
    from docx import Document

    url = serve(services)
    pg = page
    pg.goto(url)
    pg.wait_for_selector("#eip-question")

    # Scorecard: nothing drafted, one click drafts every zone and fills the ranking.
    pg.get_by_role("tab", name="Scorecard").click()
    pg.locator("#eip-draft-all").click()
    pg.locator("#eip-draft-all-message").get_by_text("Drafted").wait_for(timeout=600_000)
    pg.locator("#eip-heatmap img").wait_for()
    ranking = pg.get_by_text("Ranking by readiness").locator("..").inner_text()
    assert "Prey Nob Coastal" in ranking and "Koh Kong Bay" in ranking
    shot(pg, tmp_path, "07-scorecard-drafted-all")

    # The brief downloads and opens with its ranking table and heatmap.
    pg.locator("#eip-brief-docx").click()
    link = pg.locator("#eip-scorecard-download a").first
    link.wait_for()
    with pg.expect_download() as download:
        link.click()
    doc = Document(str(download.value.path()))
    assert doc.tables[0].rows[0].cells[0].text == "Rank" and len(doc.inline_shapes) == 1

    # Chat: a portfolio question is answered from the dossiers, with citations.
    pg.get_by_role("tab", name="Chat").click()
    pg.locator("#eip-question textarea").fill("Which zones meet ENV-12?")
    pg.locator("#eip-ask").click()
    chip = pg.locator("#eip-sources label").first
    chip.wait_for()
    bubble = pg.locator("#eip-chat .message").last
    assert "Zones that meet ENV-12" in bubble.inner_text()
    # The citations are the evidence documents (the chips show their file names).
    assert chip.inner_text().startswith("[1]") and "baseline-assessment" in chip.inner_text()
    shot(pg, tmp_path, "08-chat-portfolio")
