"""Scorecard page's "Draft all zones" and brief download, portfolio answers in the chat, and
drafting on first start, over the small real index of the UI tests (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio  # noqa: F401  (a hard dependency: fail, never skip)
import pytest
from docx import Document

from assistant.ui import app, chat, scorecard

PORTFOLIO_QUESTION = "Which zones meet ENV-12?"


def _final(services: Any, question: str) -> tuple[str, dict[str, Any], Any]:
    *_, (history, turns, sources, _passage, _box) = chat.stream_answer(services, question, [], [])
    return history[-1]["content"], turns[-1], sources


def test_before_drafting_the_chat_says_so_and_offers_to_draft(services: Any) -> None:
    text, record, _ = _final(services, PORTFOLIO_QUESTION)
    assert record["abstained"] and "No zone has been drafted yet" in text
    assert "Draft all zones" in text and chat.REFUSAL_HINT not in text
    assert scorecard.export_brief(services, "docx") is None


@pytest.mark.slow
def test_draft_all_fills_the_scorecard_answers_the_chat_and_exports_the_brief(
        services: Any, tmp_path: Path) -> None:
    steps: list[tuple[float, str]] = []
    message = scorecard.draft_all_zones(services, on_progress=lambda f, d: steps.append((f, d)))
    zones = [z.id for z in services.zones()]
    assert f"in {len(zones)} zones" in message and "Drafted" in message
    assert steps[-1][0] == 1.0 and "cell" in steps[-1][1]
    assert sorted(services.reviews.zones()) == sorted(zones)
    view = scorecard.scorecard_view(services)
    assert view.image is not None and "Not drafted yet" not in view.note_html
    assert all(services.zone_name(z) in view.ranking_html for z in zones)

    text, record, sources = _final(services, PORTFOLIO_QUESTION)
    assert not record["abstained"] and record["mode"] == "portfolio"
    assert "Zones that meet ENV-12" in text
    assert record["citations"] and all(c["file"].startswith("zones/") for c in record["citations"])
    assert sources["choices"]  # the cited evidence opens like any other citation

    out = scorecard.export_brief(services, "docx")
    doc = Document(str(out))
    assert doc.tables[0].rows[0].cells[0].text == "Rank" and len(doc.inline_shapes) == 1
    assert scorecard.export_brief(services, "md").read_text().startswith("# Pilot-selection brief")

    again = scorecard.draft_all_zones(services)
    assert "up to date" in again


def test_a_zone_being_drafted_holds_back_draft_all(services: Any) -> None:
    lock = services.zone_lock("koh-kong-bay")
    with lock:
        message = scorecard.draft_all_zones(services)
    assert "being drafted right now" in message and services.reviews.zones() == []


@pytest.mark.slow
def test_first_start_drafts_the_zones_with_no_dossier(services: Any) -> None:
    off = services.settings.model_copy(update={"draft_on_start": False})
    services.settings, on = off, services.settings
    assert app.warm_up_and_draft(services) is None and services.reviews.zones() == []
    services.settings = on
    assert "Drafted" in app.warm_up_and_draft(services)
    assert app.warm_up_and_draft(services) is None  # every zone has a dossier now
