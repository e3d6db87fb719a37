"""Dossier exports: Markdown, DOCX (python-docx), XLSX (openpyxl) and JSON.

Citations: in Markdown and DOCX every distinct (file, page) behind the dossier gets one number
in a source list at the end; the ``[n]`` markers of each justification (numbered within its
own evidence) are rewritten to those numbers. JSON keeps the drafter's own evidence order.
python-docx and openpyxl are imported inside the functions that need them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.catalogue import Zone
from assistant.export.common import (
    LIGHT_FILLS,
    clean_text,
    evidence_sheet,
    finish_sheet,
    header_row,
    md_cell,
    status_formatting,
    xlsx_append,
)
from assistant.reviews import StoredCell
from assistant.types import CriterionDraft, Dossier
from assistant.vocabulary import (
    CATEGORIES,
    CATEGORY_LABELS,
    CITATION_MARKER,
    DOSSIER_FORMATS,
    STATUS_LABELS,
    STATUSES,
)

logger = logging.getLogger(__name__)

ILLUSTRATIVE_NOTE = ("Illustrative sample: this zone and its documents were invented for the "
                     "EIP Assistant sample corpus. Do not cite it as a real zone.")

Cells = Mapping[str, StoredCell] | Sequence[StoredCell] | None


def _cells_map(cells: Cells) -> dict[str, StoredCell]:
    if cells is None:
        return {}
    if isinstance(cells, Mapping):
        return dict(cells)
    return {c.criterion_id: c for c in cells}


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _by_category(dossier: Dossier) -> dict[str, list[CriterionDraft]]:
    groups: dict[str, list[CriterionDraft]] = {}
    order = {c: i for i, c in enumerate(CATEGORIES)}
    for d in sorted(dossier.drafts, key=lambda d: order.get(d.category, len(order))):
        groups.setdefault(d.category, []).append(d)
    return groups


# ----------------------------------------------------------------------------- review info
def review_dict(cell: StoredCell | None) -> dict[str, Any] | None:
    """The ``review`` object of the JSON export (``None`` when nobody reviewed the cell)."""
    if cell is None or cell.review is None:
        return None
    r = cell.review
    return {
        "action": r.action,
        "status": cell.effective_status,
        "drafted_status": cell.draft.status,
        "justification": r.justification,
        "reviewer": r.reviewer,
        "comment": r.comment,
        "at": r.at,
        "rejected": cell.rejected,
        "stale": cell.stale,
        "pending_status": cell.pending.status if cell.pending is not None else None,
    }


def _review_line(cell: StoredCell | None) -> str:
    """One sentence about the review state, or '' for an unreviewed, current cell."""
    if cell is None:
        return ""
    parts: list[str] = []
    if cell.review is not None:
        r = cell.review
        verbs = {"accept": "Accepted", "edit": "Edited", "reject": "Rejected"}
        verb = verbs.get(r.action, r.action)
        text = f"{verb} by {r.reviewer} on {r.at[:10]}"
        if r.action == "edit" and cell.draft.status != cell.effective_status:
            text += f" (drafted as {_label(cell.draft.status)})"
        if r.comment:
            text += f": {r.comment}"
        parts.append(text + ("" if text.endswith(".") else "."))
    else:
        parts.append("Not reviewed yet.")
    if cell.stale:
        pending = (f" A redraft says {_label(cell.pending.status)}."
                   if cell.pending is not None else "")
        parts.append("STALE: documents changed since this was reviewed; review again." + pending)
    return " ".join(parts)


# ----------------------------------------------------------------------------- sources
@dataclass
class _Sources:
    """Global numbering of (file, page) pairs and the per-criterion marker mapping."""

    numbers: dict[tuple[str, int | None], int]
    local: dict[str, dict[int, int]]  # criterion -> local marker -> global number

    @classmethod
    def of(cls, drafts: Sequence[CriterionDraft]) -> _Sources:
        numbers: dict[tuple[str, int | None], int] = {}
        local: dict[str, dict[int, int]] = {}
        for d in drafts:
            mapping: dict[int, int] = {}
            for i, e in enumerate(d.evidence, start=1):
                key = (e.file, e.page)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                mapping[i] = numbers[key]
            local[d.criterion_id] = mapping
        return cls(numbers, local)

    def renumber(self, criterion_id: str, text: str) -> str:
        mapping = self.local.get(criterion_id, {})

        def sub(m: re.Match[str]) -> str:
            nums = [int(n) for n in re.findall(r"\d+", m.group(1))]
            return "[" + ", ".join(str(mapping[n]) if n in mapping else "?" for n in nums) + "]"

        return CITATION_MARKER.sub(sub, text)

    def listing(self) -> list[tuple[int, str, int | None]]:
        return sorted(((n, f, p) for (f, p), n in self.numbers.items()))


def _page(page: int | None) -> str:
    return f", p. {page}" if page is not None else ""


def _ordered(dossier: Dossier) -> list[CriterionDraft]:
    return [d for group in _by_category(dossier).values() for d in group]


# ----------------------------------------------------------------------------- dossier: JSON
def dossier_to_dict(dossier: Dossier, cells: Cells = None) -> dict[str, Any]:
    """The documented JSON shape: zone, framework, generated_at, criteria[...]."""
    by_id = _cells_map(cells)
    return {
        "zone": dossier.zone,
        "framework": dossier.framework,
        "generated_at": dossier.generated_at,
        "criteria": [
            {
                "id": d.criterion_id,
                "category": d.category,
                "title": d.title,
                "status": d.status,
                "confidence": round(float(d.confidence), 4),
                "rationale": d.rationale,
                "justification": d.justification,
                "evidence": [{"file": e.file, "page": e.page, "quote": e.quote, "value": e.value}
                             for e in d.evidence],
                "gaps": list(d.gaps),
                "review": review_dict(by_id.get(d.criterion_id)),
            }
            for d in dossier.drafts
        ],
    }


def dossier_to_json(dossier: Dossier, cells: Cells = None) -> str:
    return json.dumps(dossier_to_dict(dossier, cells), indent=2, ensure_ascii=False)


# ----------------------------------------------------------------------------- dossier: Markdown
def _status_counts(drafts: Sequence[CriterionDraft]) -> str:
    counts = {s: sum(d.status == s for d in drafts) for s in STATUSES}
    return ", ".join(f"{n} {_label(s).lower()}" for s, n in counts.items() if n)


def dossier_to_markdown(dossier: Dossier, cells: Cells = None, *, zone: Zone | None = None) -> str:
    """A readable report: summary table, one section per category, numbered source list."""
    by_id = _cells_map(cells)
    drafts = _ordered(dossier)
    sources = _Sources.of(drafts)
    out = [f"# Evidence dossier: {dossier.zone_name}", ""]
    out.append(f"- Zone id: `{dossier.zone}`")
    out.append(f"- Framework: {dossier.framework}")
    out.append(f"- Generated: {dossier.generated_at}")
    out.append(f"- Criteria: {len(drafts)} ({_status_counts(drafts)})")
    if zone is not None and zone.extra.get("illustrative"):
        out += ["", f"> {ILLUSTRATIVE_NOTE}"]
    out += ["", "> Drafted automatically from the zone's documents. A status is final only when "
            "a named reviewer has accepted or edited it.", "", "## Summary", "",
            "| Criterion | Title | Status | Confidence | Review |", "|---|---|---|---|---|"]
    for d in drafts:
        cell = by_id.get(d.criterion_id)
        rev = ""
        if cell is not None and cell.review is not None:
            rev = f"{cell.review.action} by {cell.review.reviewer}"
        if cell is not None and cell.stale:
            rev = (rev + ", " if rev else "") + "STALE"
        out.append(f"| {d.criterion_id} | {md_cell(d.title)} | {_label(d.status)} | "
                   f"{d.confidence:.2f} | {md_cell(rev) or '-'} |")
    for category, group in _by_category(dossier).items():
        out += ["", f"## {CATEGORY_LABELS.get(category, category)}"]
        for d in group:
            cell = by_id.get(d.criterion_id)
            out += ["", f"### {d.criterion_id}: {d.title}", "",
                    f"**Requirement.** {clean_text(d.requirement)}", "",
                    f"**Status: {_label(d.status)}** (confidence {d.confidence:.2f}). "
                    f"{clean_text(d.rationale)}"]
            if line := _review_line(cell):
                out += ["", f"*{clean_text(line)}*"]
            if d.justification:
                out += ["", clean_text(sources.renumber(d.criterion_id, d.justification))]
            if d.evidence:
                out += ["", "Evidence:"]
                for i, e in enumerate(d.evidence, start=1):
                    n = sources.local[d.criterion_id][i]
                    value = f" (value: {e.value})" if e.value else ""
                    out.append(f"- [{n}] \"{md_cell(e.quote)}\"{value} ({e.file}{_page(e.page)})")
            if d.conflict:
                out += ["", f"Conflicting documents: {clean_text(d.conflict)}"]
            if d.gaps:
                out += ["", "Gaps:"] + [f"- {clean_text(g)}" for g in d.gaps]
    out += ["", "## Sources", ""]
    listing = sources.listing()
    out += [f"{n}. {f}{_page(p)}" for n, f, p in listing] or ["No documents were cited."]
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- dossier: DOCX
def _shade(cell: Any, hex_fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    cell._tc.get_or_add_tcPr().append(shd)


def dossier_to_docx(dossier: Dossier, path: str | Path, cells: Cells = None, *,
                    zone: Zone | None = None) -> Path:
    """A report a consultant could send: title page, summary, sections, numbered sources."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    by_id = _cells_map(cells)
    drafts = _ordered(dossier)
    sources = _Sources.of(drafts)
    doc = Document()
    doc.core_properties.title = f"Evidence dossier: {dossier.zone_name}"
    doc.core_properties.subject = dossier.framework
    doc.core_properties.author = "EIP Assistant"

    # Title page
    for _ in range(4):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.add_run("Evidence dossier")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = sub.add_run(clean_text(dossier.zone_name))
    run.bold = True
    run.font.size = Pt(18)
    for text in (f"Assessed against: {dossier.framework}",
                 f"Generated: {dossier.generated_at[:10]}",
                 f"{len(drafts)} criteria: {_status_counts(drafts)}"):
        p = doc.add_paragraph(clean_text(text))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if zone is not None and zone.extra.get("illustrative"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(ILLUSTRATIVE_NOTE)
        r.italic = True
        r.bold = True
    note = doc.add_paragraph("Drafted automatically by EIP Assistant from the zone's documents. "
                             "A status is final only when a named reviewer has accepted or "
                             "edited it; the review state is shown for every criterion.")
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.runs[0].italic = True
    note.add_run().add_break(WD_BREAK.PAGE)

    # Summary table
    doc.add_heading("Summary", level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells,
                          ("Criterion", "Title", "Status", "Confidence", "Review"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for d in drafts:
        c = by_id.get(d.criterion_id)
        rev = f"{c.review.action} by {c.review.reviewer}" if c is not None and c.review else "-"
        if c is not None and c.stale:
            rev += " (stale)"
        row = table.add_row().cells
        for cell, text in zip(row, (d.criterion_id, d.title, _label(d.status),
                                    f"{d.confidence:.2f}", rev), strict=True):
            cell.text = clean_text(text)
        _shade(row[2], LIGHT_FILLS.get(d.status, "FFFFFF"))

    # One section per category
    for category, group in _by_category(dossier).items():
        doc.add_heading(CATEGORY_LABELS.get(category, category), level=1)
        for d in group:
            c = by_id.get(d.criterion_id)
            doc.add_heading(f"{d.criterion_id}: {clean_text(d.title)}", level=2)
            p = doc.add_paragraph()
            p.add_run("Requirement. ").bold = True
            p.add_run(clean_text(d.requirement))
            p = doc.add_paragraph()
            p.add_run(f"Status: {_label(d.status)}").bold = True
            p.add_run(f" (confidence {d.confidence:.2f}). {clean_text(d.rationale)}")
            if line := _review_line(c):
                doc.add_paragraph().add_run(clean_text(line)).italic = True
            if d.justification:
                doc.add_paragraph(clean_text(sources.renumber(d.criterion_id, d.justification)))
            if d.evidence:
                doc.add_paragraph().add_run("Evidence").bold = True
                for i, e in enumerate(d.evidence, start=1):
                    n = sources.local[d.criterion_id][i]
                    value = f" (value: {e.value})" if e.value else ""
                    doc.add_paragraph(clean_text(f"[{n}] \u201c{e.quote}\u201d{value}"),
                                      style="List Bullet")
            if d.conflict:
                doc.add_paragraph(clean_text(f"Conflicting documents: {d.conflict}"))
            if d.gaps:
                doc.add_paragraph().add_run("Gaps").bold = True
                for g in d.gaps:
                    doc.add_paragraph(clean_text(g), style="List Bullet")

    # Numbered source list
    doc.add_heading("Sources", level=1)
    listing = sources.listing()
    if not listing:
        doc.add_paragraph("No documents were cited.")
    for n, f, p in listing:
        doc.add_paragraph(clean_text(f"[{n}] {f}{_page(p)}"))
    doc.save(str(path))
    return path


def dossier_to_xlsx(dossier: Dossier, path: str | Path, cells: Cells = None) -> Path:
    """Sheet "Criteria" (one row per criterion, status fill) and sheet "Evidence"; filters on."""
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    by_id = _cells_map(cells)
    wb = Workbook()
    ws = wb.active
    ws.title = "Criteria"
    header_row(ws, ("zone", "criterion", "category", "title", "status", "drafted_status",
                 "confidence", "rationale", "justification", "gaps", "review", "reviewer",
                 "reviewed_at", "stale"))
    evidence: list[list[Any]] = []
    for d in _ordered(dossier):
        c = by_id.get(d.criterion_id)
        r = c.review if c is not None else None
        xlsx_append(ws, (
            dossier.zone, d.criterion_id, d.category, d.title, d.status,
            c.draft.status if c is not None else d.status, round(float(d.confidence), 4),
            d.rationale, d.justification, "; ".join(d.gaps), r.action if r else None,
            r.reviewer if r else None, r.at if r else None, bool(c.stale) if c else False))
        evidence += [[dossier.zone, d.criterion_id, d.status, e.file, e.page, e.quote, e.value]
                     for e in d.evidence]
    status_formatting(ws, f"E2:F{max(ws.max_row, 2)}")
    finish_sheet(ws, {1: 18, 2: 10, 3: 16, 4: 40, 5: 22, 6: 22, 8: 50, 9: 80, 10: 40})
    evidence_sheet(wb, evidence)
    wb.save(str(path))
    return path


def write_dossier(dossier: Dossier, fmt: str, out: str | Path | None, cells: Cells = None, *,
                  zone: Zone | None = None) -> str | Path:
    """Write ``fmt`` to ``out``; text formats are returned as a string when ``out`` is None."""
    if fmt not in DOSSIER_FORMATS:
        raise ValueError(f"unknown dossier format {fmt!r}; use one of {', '.join(DOSSIER_FORMATS)}")
    if fmt in ("md", "json"):
        text = (dossier_to_markdown(dossier, cells, zone=zone) if fmt == "md"
                else dossier_to_json(dossier, cells))
        if out is None:
            return text
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
        return Path(out)
    out = Path(out or f"{dossier.zone}-dossier.{fmt}")
    if fmt == "docx":
        return dossier_to_docx(dossier, out, cells, zone=zone)
    return dossier_to_xlsx(dossier, out, cells)
