"""Criterion queries, quotable sentences and table rows (assistant/dossier/matching.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.catalogue import Criterion, Threshold
from assistant.dossier.matching import CriterionQuery, evidence_sentences, relevance, table_rows

sys.path.insert(0, str(Path(__file__).parent))
from dossier_chunks import chunk as _chunk  # noqa: E402

TABLE = "Key figures\nIndicator\n2024\nRenewable share of electricity consumed\n41%\nWater reused\n12%\n"


def test_evidence_sentences_are_verbatim_prose_and_rejoin_abbreviations() -> None:
    chunk = _chunk(
        "c1",
        "z1",
        "The EIA was approved in 2011 under Sub-decree No.\n72, and its plan was "
        "updated in 2022.\nKey figures Item Value Staff 88 Firms 96 Area 780 ha\n"
        "Page 3",
        ordinal=0,
    )
    sentences = evidence_sentences(chunk)
    assert sentences == [
        "The EIA was approved in 2011 under Sub-decree No. 72, and its plan was updated in 2022."
    ]
    flat = " ".join(chunk.text.split())
    assert all(s in flat for s in sentences)


def test_table_rows_are_rebuilt_from_one_cell_per_line() -> None:
    assert table_rows(TABLE) == ["Renewable share of electricity consumed 41%", "Water reused 12%"]
    assert table_rows("| Item | Value |\n| Staff | 88 |") == ["| Staff | 88 |"]


def test_a_later_chunk_drops_its_cut_first_sentence_and_rows_can_be_left_out() -> None:
    text = "treated in the plant. The zone operates a hotline for workers.\n" + TABLE
    later = _chunk("c2", "z1", text, ordinal=1)
    assert evidence_sentences(later) == [
        "The zone operates a hotline for workers.",
        "Renewable share of electricity consumed 41%",
        "Water reused 12%",
    ]
    assert evidence_sentences(later, rows=False) == ["The zone operates a hotline for workers."]
    assert evidence_sentences(_chunk("c1", "z1", text))[0] == "treated in the plant."


def test_criterion_query_weighs_title_and_indicator_words_over_keywords() -> None:
    crit = Criterion(id="SOC-4", category="social", subcategory="Labour",
                     title="Worker grievance mechanism", requirement="r", level="park",
                     indicator="Share of grievance cases resolved", threshold=Threshold("present"),
                     keywords=("hotline", "worker complaints"))
    query = CriterionQuery.of(crit)
    assert "share" not in query.terms  # a generic indicator word
    assert set(query.core_terms) < set(query.terms) and "hotli" not in query.core_terms
    # core "griev" 1.0 + keyword term "hotli" 0.5 + phrase "hotline" 0.5
    assert query.lexical("A grievance hotline exists.") == pytest.approx(2.0)
    assert query.lexical("Solar panels on the roofs.") == 0.0


def test_relevance_penalises_no_shared_word_and_caps_the_lexical_bonus() -> None:
    assert relevance(0.5, 0.0) == pytest.approx(0.35)
    assert relevance(0.5, 10.0) == relevance(0.5, 3.0) == pytest.approx(0.95)
    assert relevance(0.5, 3.0, measured=True) == pytest.approx(1.05)
