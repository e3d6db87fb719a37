"""Exports: DOCX/XLSX open and contain every criterion, the JSON shape, Markdown structure."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from assistant.catalogue import Catalogue
from assistant.export import (
    dossier_to_dict,
    dossier_to_docx,
    dossier_to_json,
    dossier_to_markdown,
    dossier_to_xlsx,
    scorecard_to_json,
    scorecard_to_markdown,
    scorecard_to_xlsx,
    write_dossier,
    write_scorecard,
)
from assistant.reviews import ReviewStore, StoredCell
from assistant.scorecard import build_scorecard
from assistant.settings import Settings
from assistant.types import CriterionDraft, Dossier, EvidenceItem
from assistant.vocabulary import CATEGORIES, CATEGORY_LABELS

REPO = Path(__file__).resolve().parents[2]
ZONE = "koh-kong-bay"


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return yaml.safe_load((REPO / "evals" / "assessments.yaml").read_text())


def gold_drafts(gold: list[dict], catalogue: Catalogue, zone: str) -> list[CriterionDraft]:
    """Hand-made drafts from the gold assessments (as the Drafter would produce them)."""
    out = []
    for rec in (r for r in gold if r["zone"] == zone):
        crit = catalogue.get(rec["criterion"])
        evidence = ()
        if rec["quote"]:
            evidence = (EvidenceItem(file=rec["file"], page=rec["page"], quote=rec["quote"],
                                     score=0.8, value="100%" if "100%" in rec["quote"] else None),
                        EvidenceItem(file="zones/x/profile.pdf", page=1, quote="Zone profile.",
                                     score=0.4))
        out.append(CriterionDraft(
            zone=zone, criterion_id=crit.id, category=crit.category, title=crit.title,
            requirement=crit.requirement, status=rec["status"], confidence=0.75,
            rationale="Decided by the 2024 baseline assessment." if evidence else "No evidence.",
            justification=("The baseline assessment states it [1], see also [2]."
                           if evidence else ""),
            evidence=evidence,
            gaps=() if rec["status"] == "meets" else ("More recent data needed.",)))
    return out


@pytest.fixture(scope="module")
def reviewed(gold, catalogue, tmp_path_factory) -> tuple[Dossier, dict[str, StoredCell]]:
    """The koh-kong-bay dossier with two reviewed cells, built through the review store."""
    store = ReviewStore(tmp_path_factory.mktemp("db") / "reviews.db")
    for d in gold_drafts(gold, catalogue, ZONE):
        store.save_draft(d, {e.file: "h" for e in d.evidence})
    store.review(ZONE, "SOC-4", action="edit", reviewer="A. Sok", comment="no zone-wide mechanism",
                 status="does_not_meet")
    store.review(ZONE, "ENV-12", action="accept", reviewer="A. Sok", comment="checked p. 4")
    cells = {c.criterion_id: c for c in store.drafts(ZONE)}
    store.close()
    drafts = tuple(cells[c.id].effective_draft() for c in catalogue if c.id in cells)
    dossier = Dossier(zone=ZONE, zone_name="Koh Kong Bay Special Economic Zone",
                      framework=catalogue.framework.title, generated_at="2024-07-01T10:00:00+00:00",
                      drafts=drafts)
    return dossier, cells


def test_json_has_exactly_the_documented_keys(reviewed) -> None:
    dossier, cells = reviewed
    data = json.loads(dossier_to_json(dossier, cells))
    assert set(data) == {"zone", "framework", "generated_at", "criteria"}
    assert data["zone"] == ZONE and len(data["criteria"]) == 25
    for c in data["criteria"]:
        assert set(c) == {"id", "category", "title", "status", "confidence", "rationale",
                          "justification", "evidence", "gaps", "review"}
        for e in c["evidence"]:
            assert set(e) == {"file", "page", "quote", "value"}
    by_id = {c["id"]: c for c in data["criteria"]}
    assert by_id["SOC-4"]["status"] == "does_not_meet"
    assert by_id["SOC-4"]["review"]["drafted_status"] == "partially_meets"
    assert by_id["SOC-4"]["review"]["reviewer"] == "A. Sok"
    assert by_id["ENV-12"]["review"]["action"] == "accept"
    assert by_id["ENV-1"]["review"] is None
    assert by_id["ECO-4"]["evidence"] == [] and by_id["ECO-4"]["status"] == "insufficient_evidence"
    assert dossier_to_dict(dossier)["criteria"][0]["review"] is None  # without cells


def test_markdown_structure(reviewed, registry) -> None:
    dossier, cells = reviewed
    md = dossier_to_markdown(dossier, cells, zone=registry.get(ZONE))
    present = {d.category for d in dossier.drafts}
    for category in present:
        assert f"\n## {CATEGORY_LABELS[category]}\n" in md
    for d in dossier.drafts:
        assert f"### {d.criterion_id}: " in md
    assert "Illustrative sample" in md
    assert "## Sources" in md and "zones/x/profile.pdf, p. 1" in md
    # Every justification cites the shared profile as [2] locally; globally it has one number.
    profile_no = next(line.split(".")[0] for line in md.splitlines()
                      if line.endswith("zones/x/profile.pdf, p. 1"))
    assert md.count(f"see also [{profile_no}]") == sum(bool(d.evidence) for d in dossier.drafts)
    assert "Edited by A. Sok" in md


def test_docx_opens_and_contains_every_criterion(reviewed, registry, tmp_path: Path) -> None:
    import docx

    dossier, cells = reviewed
    path = dossier_to_docx(dossier, tmp_path / "out" / "dossier.docx", cells,
                           zone=registry.get(ZONE))
    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    table_text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    for d in dossier.drafts:
        assert d.criterion_id in table_text  # summary table
        assert f"{d.criterion_id}: {d.title}" in text  # its own section
    assert "Koh Kong Bay Special Economic Zone" in text and "Illustrative sample" in text
    headings = {p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")}
    assert {"Summary", "Sources"} <= headings
    assert {CATEGORY_LABELS[c] for c in {d.category for d in dossier.drafts}} <= headings
    assert "zones/koh-kong-bay/reports/baseline-assessment-2024.pdf, p. 4" in text
    assert len(doc.tables[0].rows) == len(dossier.drafts) + 1


def test_dossier_xlsx_opens_with_filters(reviewed, tmp_path: Path) -> None:
    import openpyxl

    dossier, cells = reviewed
    wb = openpyxl.load_workbook(dossier_to_xlsx(dossier, tmp_path / "d.xlsx", cells))
    assert wb.sheetnames == ["Criteria", "Evidence"]
    crit, ev = wb["Criteria"], wb["Evidence"]
    ids = [r[1] for r in crit.iter_rows(min_row=2, values_only=True)]
    assert ids == [d.criterion_id for d in dossier.drafts]
    assert crit.auto_filter.ref and ev.auto_filter.ref
    assert [c.value for c in ev[1]] == ["zone", "criterion", "status", "file", "page", "quote",
                                        "value"]
    assert ev.max_row - 1 == sum(len(d.evidence) for d in dossier.drafts)


@pytest.fixture(scope="module")
def card(gold, catalogue, registry):
    by_zone: dict[str, list[CriterionDraft]] = defaultdict(list)
    for zone in {r["zone"] for r in gold}:
        by_zone[zone] = gold_drafts(gold, catalogue, zone)
    return build_scorecard(by_zone, catalogue, registry, Settings().category_weights)


def test_scorecard_xlsx_opens_and_contains_every_criterion(card, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(scorecard_to_xlsx(card, tmp_path / "s.xlsx"))
    assert {"Scorecard", "Evidence"} <= set(wb.sheetnames)
    ws = wb["Scorecard"]
    header = [c.value for c in ws[1]]
    assert all(c.id in header for c in card.columns)
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == card.ranking()
    assert ws.auto_filter.ref and wb["Evidence"].auto_filter.ref
    assert len(ws.conditional_formatting) >= 1
    statuses = {v for row in ws.iter_rows(min_row=2, min_col=7, values_only=True) for v in row}
    assert statuses <= {"meets", "partially_meets", "does_not_meet", "insufficient_evidence"}


def test_scorecard_markdown_and_json(card) -> None:
    md = scorecard_to_markdown(card)
    assert "## Ranking" in md and "## Blocked zones" in md and "## How the score is computed" in md
    assert "1. **Mekong Riverside Special Economic Zone**: readiness" in md
    data = json.loads(scorecard_to_json(card))
    assert [z["zone"] for z in data["zones"]][:3] == ["mekong-riverside", "koh-kong-bay",
                                                      "prey-nob-coastal"]
    assert len(data["zones"][0]["statuses"]) == 25


def test_write_helpers(reviewed, card, tmp_path: Path) -> None:
    dossier, cells = reviewed
    assert write_dossier(dossier, "md", None, cells).startswith("# Evidence dossier")
    for fmt in ("docx", "xlsx", "json", "md"):
        assert write_dossier(dossier, fmt, tmp_path / f"d.{fmt}", cells).stat().st_size > 0
    for fmt in ("png", "xlsx", "json", "md"):
        assert write_scorecard(card, fmt, tmp_path / f"s.{fmt}").stat().st_size > 0
    with pytest.raises(ValueError, match="format"):
        write_dossier(dossier, "pdf", None)


def test_categories_cover_the_catalogue() -> None:
    assert set(CATEGORY_LABELS) == set(CATEGORIES)
