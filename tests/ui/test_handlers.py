"""Every page's handler functions, without a browser, over a small real index."""

from __future__ import annotations

import asyncio
import copy
import inspect
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from assistant.types import Answer

ZONE = "prey-nob-coastal"
QUESTION = "What share of industrial wastewater is treated at Prey Nob Coastal SEZ?"

import gradio  # noqa: F401, E402  (a hard dependency: fail, never skip)

from assistant.ui import chat, dossier, evaluation, library, scorecard  # noqa: E402
from assistant.ui.common import md_escape  # noqa: E402
from assistant.ui.uploads import (  # noqa: E402
    UploadError,
    safe_target,
    sanitise_filename,
    save_upload,
)

FRAMEWORK_QUESTION = "What threshold does ENV-12 set for industrial wastewater?"


def _last(gen: Any) -> list[Any]:
    return list(gen)


# ----------------------------------------------------------------------------- chat
def test_chat_streams_an_answer_with_numbered_citations(services: Any) -> None:
    states = _last(chat.stream_answer(services, FRAMEWORK_QUESTION, [], []))
    first_chat, *_ = states[0]
    assert first_chat[-1] == {"role": "assistant", "content": chat.SEARCHING}
    history, turns, sources, passage, box = states[-1]
    assert box == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = history[-1]["content"]
    assert "\\[1\\]" in answer and "Sources:" in answer  # document text escaped (M1)
    record = turns[-1]
    assert record["citations"] and record["citations"][0]["marker"] == 1
    labels = [label for label, _ in sources["choices"]]
    assert labels[0].startswith("[1] ") and "p. " in labels[0]
    assert sources["choices"][0][1] == "0:1"


def test_citation_opens_the_passage_with_the_quote_highlighted(services: Any) -> None:
    *_, (_, turns, sources, _, _) = _last(chat.stream_answer(services, FRAMEWORK_QUESTION, [], []))
    html = chat.show_citation(turns, sources["choices"][0][1])
    cite = turns[0]["citations"][0]
    assert cite["file"] in html
    assert f"p. {cite['page']}" in html if cite["page"] else "no page numbers" in html
    assert "<mark>" in html
    marked = html.split("<mark>", 1)[1].split("</mark>", 1)[0]
    assert cite["quote"].split()[0] in marked
    assert chat.show_citation(turns, "7:9") == chat.PASSAGE_HINT
    assert chat.show_citation(turns, None) == chat.PASSAGE_HINT


def test_doc_type_and_zone_filters_restrict_the_sources(services: Any) -> None:
    *_, (_, turns, _, _, _) = _last(chat.stream_answer(
        services, "What does the framework require for industrial wastewater?", [], [],
        doc_types=["framework"]))
    assert turns[-1]["citations"]
    assert {c["doc_type"] for c in turns[-1]["citations"]} == {"framework"}

    *_, (_, turns, _, _, _) = _last(chat.stream_answer(
        services, "How is wastewater treated?", [], [], zone="koh-kong-bay",
        doc_types=["zone_document", "consultant_report"]))
    for c in turns[-1]["citations"]:
        assert c["zone"] == "koh-kong-bay"

    *_, (history, turns, _, _, _) = _last(chat.stream_answer(
        services, "How is wastewater treated?", [], [], doc_types=[]))
    assert "at least one document type" in history[-1]["content"]
    assert turns == []


def test_history_is_kept_within_the_session(services: Any) -> None:
    *_, (history, turns, *_) = _last(chat.stream_answer(services, QUESTION, [], []))
    assert turns[0]["zone"] == ZONE
    *_, (history, turns, *_) = _last(chat.stream_answer(services, "And hazardous waste?",
                                                        history, turns))
    assert len(history) == 4 and len(turns) == 2
    assert turns[1]["zone"] == ZONE  # the follow-up inherits the zone
    sources, _ = chat.select_message(turns, 1)
    assert sources["choices"] == chat.source_choices(turns, 0)


def test_streaming_answerer_yields_partial_text(services: Any) -> None:
    base = services.assistant
    answer = base.ask(FRAMEWORK_QUESTION)

    class Streaming:
        mode = "llm"

        def answer(self, *args: Any) -> Answer:
            return answer

        def stream(self, question: str, plan: Any, passages: Any, fw: Any) -> Any:
            yield "ENV-12 requires "
            yield "full treatment [1]."
            yield answer

    fake = copy.copy(base)
    fake.answerer = Streaming()
    services._assistant = fake
    states = _last(chat.stream_answer(services, FRAMEWORK_QUESTION, [], []))
    texts = [s[0][-1]["content"] for s in states]
    # The unchecked draft streams as escaped plain text (M1); the checked answer follows.
    assert "ENV-12 requires ▌" in texts
    assert "ENV-12 requires full treatment \\[1\\].▌" in texts
    assert texts[-1].startswith(md_escape(answer.text))
    assert chat.mode_badge_html(services).count("Language model") == 1


def test_errors_while_answering_are_shown_not_raised(services: Any) -> None:
    class Broken:
        mode = "extractive"

        def answer(self, *args: Any) -> Answer:
            raise RuntimeError("boom")

    fake = copy.copy(services.assistant)
    fake.answerer = Broken()
    services._assistant = fake
    *_, (history, turns, *_) = _last(chat.stream_answer(services, "anything?", [], []))
    assert "went wrong" in history[-1]["content"] and turns == []


def test_feedback_is_stored_in_sqlite(services: Any) -> None:
    msg, _ = chat.record_feedback(services, [], 1)
    assert "Ask a question first" in msg
    *_, (_, turns, *_) = _last(chat.stream_answer(services, FRAMEWORK_QUESTION, [], []))
    msg, box = chat.record_feedback(services, turns, -1, "missed the 100% threshold", "alice")
    assert "not helpful" in msg and box == ""
    chat.record_feedback(services, turns, 1)
    rows = services.reviews.activity.feedback_entries()
    assert [r["rating"] for r in rows] == [1, -1]
    assert rows[1]["comment"] == "missed the 100% threshold" and rows[1]["user"] == "alice"
    assert rows[1]["question"] == FRAMEWORK_QUESTION and rows[1]["answer"]
    assert services.settings.review_db.exists()


def test_first_time_user_sees_examples_mode_and_filters(services: Any) -> None:
    examples = chat.example_questions(services)
    assert len(examples) >= 3 and any("Mekong" in q or "Koh Kong" in q for q in examples)
    assert "Extractive" in chat.mode_badge_html(services)
    assert ("All zones", "") in chat.zone_filter_choices(services)
    assert {v for _, v in chat.doc_type_choices(services)} == {
        "framework", "zone_document", "consultant_report"}
    assert chat.clear_chat()[0] == []


# ----------------------------------------------------------------------------- dossier
def test_dossier_before_drafting_says_how_to_start(services: Any) -> None:
    summary, *rest = dossier.load_zone(services, ZONE)
    assert "Not drafted yet" in summary
    tables = rest[: len(dossier.categories(services))]
    assert all("not drafted" in row[2] for t in tables for row in t["value"].values.tolist())
    assert dossier.export_dossier(services, ZONE, "md") is None
    assert "Pick a zone" in dossier.zone_summary(services, "")


def test_draft_with_progress_then_table_grouped_by_category(services: Any) -> None:
    seen: list[float] = []
    message = dossier.draft_dossier(services, ZONE, on_progress=lambda f, _d: seen.append(f))
    assert "Drafted 64 criteria" in message
    assert seen[-1] == 1.0 and len(seen) > 10
    again = dossier.draft_dossier(services, ZONE)
    assert "up to date" in again
    summary, *rest = dossier.load_zone(services, ZONE)
    n = len(dossier.categories(services))
    tables, labels, picker = rest[:n], rest[n:2 * n], rest[-1]
    assert "64" in summary and "Meets" in summary
    assert [c for c, _ in dossier.categories(services)][0] == "prerequisite"
    assert labels[0]["label"].startswith("Prerequisites · 4 criteria")
    first = tables[0]["value"].values.tolist()[0]
    assert first[0] == "PRE-1" and "eip-badge" in first[2] and first[3].endswith("%")
    assert len(picker["choices"]) == 64


def test_open_criterion_shows_evidence_and_justification(drafted: Any) -> None:
    cell = next(c for c in drafted.reviews.drafts(ZONE) if c.draft.evidence)
    html, status, just = dossier.criterion_detail(drafted, ZONE, cell.criterion_id)
    assert cell.draft.title in html and "Requirement." in html and "Evidence" in html
    assert cell.draft.evidence[0].file in html and "<mark>" in html
    assert status["value"] == cell.effective_status
    assert just["value"] == cell.draft.justification
    assert dossier.criterion_detail(drafted, ZONE, None)[0] == dossier.NO_CRITERION


def test_accept_edit_reject_as_a_named_reviewer(drafted: Any) -> None:
    crit = "ENV-12"
    assert "Enter your name" in dossier.review_criterion(drafted, ZONE, crit, "accept", " ")
    msg = dossier.review_criterion(drafted, ZONE, crit, "accept", "A. Sok")
    assert "Accepted ENV-12 as A. Sok" in msg
    assert "Say why" in dossier.review_criterion(drafted, ZONE, crit, "reject", "A. Sok")
    assert "Change the status" in dossier.review_criterion(
        drafted, ZONE, crit, "edit", "A. Sok", drafted.reviews.cell(ZONE, crit).effective_status,
        None, "no change")
    msg = dossier.review_criterion(drafted, ZONE, crit, "edit", "B. Chan", "does_not_meet",
                                   None, "the southern block is not connected")
    assert "Saved edit" in msg and "Does not meet" in msg
    events = drafted.reviews.history(ZONE, crit)
    assert [(e.action, e.reviewer) for e in events] == [("accept", "A. Sok"), ("edit", "B. Chan")]
    assert drafted.reviews.cell(ZONE, crit).effective_status == "does_not_meet"
    html, *_ = dossier.criterion_detail(drafted, ZONE, crit)
    assert "Review history" in html and "B. Chan" in html
    rows = dossier.criteria_rows(drafted, ZONE)["environmental"]
    assert any(r[0] == crit and "edited · B. Chan" in r[5] for r in rows)


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "md"])
def test_exports_are_produced(drafted: Any, fmt: str) -> None:
    path = dossier.export_dossier(drafted, ZONE, fmt)
    assert path is not None and path.exists() and path.suffix == f".{fmt}"
    assert path.stat().st_size > 500
    if fmt == "md":
        assert "Prey Nob Coastal" in path.read_text()
    else:
        assert zipfile.is_zipfile(path)


# ----------------------------------------------------------------------------- scorecard
def test_scorecard_empty_then_heatmap_ranking_and_blocking(services: Any, drafted_db: Path
                                                          ) -> None:
    view = scorecard.scorecard_view(services)
    assert view.image is None and "No zone drafted yet" in view.ranking_html
    services.reviews.close()
    services._reviews = None
    services.settings.review_db.parent.mkdir(parents=True, exist_ok=True)
    import shutil

    shutil.copy(drafted_db, services.settings.review_db)
    view = scorecard.scorecard_view(services)
    assert view.image is not None and view.image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Prey Nob Coastal" in view.ranking_html and "readiness" in view.ranking_html
    assert "Blocking prerequisites" in view.blocking_html or "No drafted zone" in view.blocking_html
    assert "Not drafted yet" in view.note_html and "Koh Kong Bay" in view.note_html
    image, ranking, _, _ = scorecard.refresh(services)
    assert image["visible"] is True and Path(image["value"]).exists()
    for fmt in ("xlsx", "md"):
        out = scorecard.export_scorecard(services, fmt)
        assert out is not None and out.stat().st_size > 100


# ----------------------------------------------------------------------------- library
def test_library_lists_documents_with_pages_chunks_and_failures(services: Any) -> None:
    rows = library.library_rows(services)
    by_doc = {r[2].rsplit(">", 2)[-2].split("<")[0]: r for r in rows}
    report = by_doc["zones/prey-nob-coastal/reports/baseline-assessment-2024.pdf"]
    assert report[0] == "Prey Nob Coastal" and report[1] == "Consultant report"
    assert report[3] and report[4] > 0 and report[5] == "✔ indexed"
    failed = by_doc["zones/prey-nob-coastal/scanned-letter.pdf"]
    assert failed[5].startswith("✖ failed") and "corrupt" in failed[6]
    only_failed = library.library_rows(services, status="failed")
    assert [r[2] for r in only_failed] == [failed[2]]
    assert all(r[0] == "Koh Kong Bay" for r in library.library_rows(services, "koh-kong-bay"))
    assert all(r[1] == "Framework" for r in library.library_rows(services, "framework"))
    summary = library.library_summary(services)
    assert "failed files" in summary and "eip-bad" in summary


def test_upload_saves_inside_the_zone_and_indexes_with_progress(services: Any, tmp_path: Path
                                                                ) -> None:
    src = tmp_path / "upload-tmp"
    src.mkdir()
    good = src / "site-visit-2025.md"
    good.write_text("# Site visit 2025\n\nThe zone now treats all of its industrial wastewater "
                    "in the new central plant, commissioned in March 2025.\n")
    seen: list[str] = []
    msg = library.upload_documents(services, [str(good)], "koh-kong-bay", "consultant_report",
                                   on_progress=lambda f, d: seen.append(d))
    assert "Saved 1 file(s)" in msg and "Indexed 1" in msg, msg
    target = services.corpus_dir / "zones" / "koh-kong-bay" / "reports" / "site-visit-2025.md"
    assert target.read_text() == good.read_text()
    assert any("Indexing" in d for d in seen)
    rows = library.library_rows(services, "koh-kong-bay")
    assert any("reports/site-visit-2025.md" in r[2] and r[5] == "✔ indexed" for r in rows)
    # Same name again: kept, the new one gets a suffix.
    msg = library.upload_documents(services, [str(good)], "koh-kong-bay", "consultant_report")
    assert "site-visit-2025-2.md" in msg


def test_upload_refuses_bad_types_and_unknown_zones(services: Any, tmp_path: Path) -> None:
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ\x90\x00")
    msg = library.upload_documents(services, [str(exe)], "koh-kong-bay")
    assert "Refused" in msg and ".exe is not accepted" in msg
    assert not list(services.corpus_dir.rglob("setup*"))
    assert "Pick the zone" in library.upload_documents(services, [str(exe)], "../../etc")
    assert "Choose one or more" in library.upload_documents(services, [], "koh-kong-bay")


# ----------------------------------------------------------------------------- uploads
@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("/abs/path.pdf", "path.pdf"),
    ("a\x00b.pdf", "ab.pdf"),
    ("C:\\Users\\me\\report.DOCX", "report.docx"),
    ("Rapport d’évaluation — 2024.pdf", "Rapport d_evaluation - 2024.pdf"),
    ("ｆｕｌｌｗｉｄｔｈ.pdf", "fullwidth.pdf"),
    ("report\u202efdp.exe.md", "reportfdp.exe.md"),
    ("报告.pdf", "document.pdf"),
    ("...pdf", "document.pdf"),
    ("CON.txt", "document-CON.txt"),
    ("  spaced   name .md ", "spaced name.md"),
])
def test_sanitise_filename(name: str, expected: str) -> None:
    clean = sanitise_filename(name)
    assert clean == expected
    assert "/" not in clean and "\\" not in clean and "\x00" not in clean and ".." not in clean


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path.pdf", "a\x00b.pdf",
                                  "..\\..\\boot.ini.txt", "ŝŧřåñĝé ñåɱé.pdf", "\u202e.pdf"])
def test_safe_target_stays_inside_the_zone(tmp_path: Path, name: str) -> None:
    zone_root = (tmp_path / "zones" / "z1").resolve()
    try:
        target = safe_target(tmp_path, "z1", name)
    except UploadError as exc:
        assert "not accepted" in str(exc)  # no allowed suffix left: refused, never escaped
        return
    assert target.parent == zone_root
    assert target.is_relative_to(zone_root)


@pytest.mark.parametrize("name", ["virus.exe", "doc.pdf.exe", "notes", "x.pdf.meta.yaml",
                                  "script.sh", "page.php"])
def test_disallowed_types_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UploadError):
        safe_target(tmp_path, "z1", name)


@pytest.mark.parametrize("zone", ["../z1", "z1/../../x", "", "Z1 ", "/etc", "."])
def test_zone_ids_are_checked(tmp_path: Path, zone: str) -> None:
    with pytest.raises(UploadError):
        safe_target(tmp_path, zone, "a.pdf")


def test_symlinked_zone_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "corpus" / "zones").mkdir(parents=True)
    (tmp_path / "corpus" / "zones" / "z1").symlink_to(outside, target_is_directory=True)
    (tmp_path / "corpus" / "zones" / "z2").mkdir()
    (tmp_path / "corpus" / "zones" / "z2" / "link.pdf").symlink_to(outside / "x.pdf")
    with pytest.raises(UploadError):
        safe_target(tmp_path / "corpus", "z1", "a.pdf")
    with pytest.raises(UploadError):
        safe_target(tmp_path / "corpus", "z2", "link.pdf")


def test_save_upload_checks_size_and_never_overwrites_silently(tmp_path: Path) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(b"%PDF" + b"x" * 100)
    corpus = tmp_path / "corpus"
    with pytest.raises(UploadError, match="over the"):
        save_upload(corpus, "z1", src, "big.pdf", max_bytes=50)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UploadError, match="empty"):
        save_upload(corpus, "z1", empty, "empty.pdf")
    first = save_upload(corpus, "z1", src, "../../x.pdf")
    second = save_upload(corpus, "z1", src, "x.pdf")
    assert first.rel_path == "zones/z1/x.pdf" and second.rel_path == "zones/z1/x-2.pdf"
    third = save_upload(corpus, "z1", src, "x.pdf", overwrite=True, report=True)
    assert third.rel_path == "zones/z1/reports/x.pdf"
    assert not list(corpus.rglob("*.part"))


# ----------------------------------------------------------------------------- evaluation
def test_evaluation_runs_the_question_set(services: Any) -> None:
    seen: list[float] = []
    view = evaluation.run_evaluation(services, on_progress=lambda f, _d: seen.append(f))
    assert "Ran 3 question(s)" in view.summary_html
    names = {row[1] for row in view.metrics}
    assert {"Hit@k", "MRR", "Key-fact recall", "Abstention accuracy", "p50 / p95"} <= names
    assert 1 <= len(view.worst) <= 3 and {r[0] for r in view.worst} <= {"fw-001", "za-023",
                                                                         "za-029"}
    assert seen == [1 / 3, 2 / 3, 1.0]
    assert "Ran 1 question" in evaluation.run_evaluation(services, limit=1).summary_html
    assert evaluation.question_count(services) == 3
    services.questions_path = Path("/nonexistent/questions.jsonl")
    assert "No question set" in evaluation.run_evaluation(services).summary_html


# ----------------------------------------------------------------------------- app + cli
def test_build_app_has_every_page_and_publishes_no_api(services: Any) -> None:
    import gradio as gr

    from assistant.ui.app import build_app, launch_kwargs

    demo = build_app(services)
    assert isinstance(demo, gr.Blocks)
    config = demo.get_config_file()
    labels = [c.get("props", {}).get("label") for c in config["components"]
              if c.get("type") == "tabitem"]
    assert labels == ["Chat", "Zone dossier", "Scorecard", "Library", "Evaluation"]
    assert all(fn.api_visibility == "private" for fn in demo.fns.values())
    assert demo._queue.default_concurrency_limit == 4
    assert demo.analytics_enabled is False
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    kwargs = launch_kwargs(services)
    assert kwargs["server_name"] == "127.0.0.1" and kwargs["share"] is False
    assert "auth" not in kwargs
    authed = copy.copy(services)
    authed.settings = services.settings.model_copy(update={"auth_users": "a:b"})
    auth = launch_kwargs(authed)["auth"]
    assert inspect.iscoroutinefunction(auth)  # Gradio awaits it, off the event loop (H1)
    assert asyncio.run(auth("a", "b")) is True and asyncio.run(auth("a", "x")) is False


def test_serve_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assistant.cli import cli

    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "nothing"), "serve"])
    assert result.exit_code == 1
    assert "eip index" in result.output and "No index" in result.output


def test_serve_hash_password_prints_a_users_file_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assistant.cli import cli
    from assistant.ui.auth import load_auth_file

    result = CliRunner().invoke(cli, ["serve", "--hash-password", "alice"],
                                input="s3cret\ns3cret\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    (tmp_path / "users").write_text(line + "\n")
    users = load_auth_file(tmp_path / "users")
    assert list(users) == ["alice"] and users["alice"].startswith("pbkdf2_sha256$")


@pytest.mark.parametrize("module", ["assistant.ui.auth", "assistant.ui.uploads",
                                    "assistant.ui.services"])
def test_light_ui_modules_do_not_load_gradio(module: str) -> None:
    code = f"import sys, {module}; print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"
