"""Scorecard exports: Markdown, XLSX (openpyxl), JSON and the PNG heatmap."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.export.common import (
    clean_text,
    evidence_sheet,
    finish_sheet,
    header_row,
    md_cell,
    status_formatting,
    xlsx_append,
    xlsx_text,
)
from assistant.scorecard import FORMULA, Scorecard, heatmap_png
from assistant.vocabulary import (
    CATEGORY_LABELS,
    INSUFFICIENT,
    MEETS,
    NOT_DRAFTED,
    NOT_MET,
    PARTIAL,
    PREREQUISITE,
    SCORECARD_FORMATS,
)


def scorecard_to_json(scorecard: Scorecard) -> str:
    return json.dumps(scorecard.as_dict(), indent=2, ensure_ascii=False)


_SHORT = {MEETS: "M", PARTIAL: "P", NOT_MET: "N", INSUFFICIENT: "?", NOT_DRAFTED: "-"}


def scorecard_to_markdown(scorecard: Scorecard, *, top: int = 3) -> str:
    """Ranking, reasons for the top zones, status matrix, counts per category, the formula."""
    sc = scorecard
    out = ["# EIP readiness scorecard", "", f"- Framework: {sc.framework}",
           f"- Generated: {sc.generated_at}",
           f"- Zones: {len(sc.zones)}; criteria: {len(sc.columns)}"]
    if any(z.illustrative for z in sc.zones):
        out += ["", "> Illustrative sample: the zones marked * are invented for the sample corpus."]
    out += ["", "## Ranking", "",
            "| Rank | Zone | Readiness | Meets | Coverage | Blocking prerequisites |",
            "|---|---|---|---|---|---|"]
    for z in sc.zones:
        name = z.name + (" *" if z.illustrative else "")
        blocking = "; ".join(z.blocking) if z.blocked else "none"
        out.append(f"| {z.rank} | {md_cell(name)} | {z.readiness:.1f} | {z.met}/{z.total} | "
                   f"{100 * z.coverage:.0f}% | {md_cell(blocking)} |")
    out += ["", "## Why the top zones rank where they do", ""]
    for z in sc.zones[:top]:
        out.append(f"{z.rank}. **{md_cell(z.name)}**: " + "; ".join(z.reasons) + ".")
    blocked = [z for z in sc.zones if z.blocked]
    if blocked:
        out += ["", "## Blocked zones", ""]
        out += [f"- **{md_cell(z.name)}**: " + "; ".join(z.blocking) for z in blocked]
    out += ["", "## Status matrix", "",
            "M = meets, P = partially meets, N = does not meet, ? = insufficient evidence, "
            "- = not drafted; r = reviewed, ! = stale.", ""]
    out.append("| Zone | " + " | ".join(c.id for c in sc.columns) + " |")
    out.append("|---" * (len(sc.columns) + 1) + "|")
    for z in sc.zones:
        row = []
        for c in sc.columns:
            state = sc.matrix[z.zone][c.id]
            row.append(_SHORT.get(state.status, state.status) + ("!" if state.stale else "")
                       + ("r" if state.reviewed else ""))
        out.append(f"| {z.zone} | " + " | ".join(row) + " |")
    out += ["", "## Counts per category", "",
            "Each cell: meets / partially / does not meet / insufficient (or not drafted); "
            "score in brackets.", ""]
    cats = list(sc.columns_by_category())
    out.append("| Zone | " + " | ".join(CATEGORY_LABELS.get(c, c) for c in cats) + " |")
    out.append("|---" * (len(cats) + 1) + "|")
    for z in sc.zones:
        cells = []
        for cat in cats:
            n = z.counts.get(cat, {})
            text = (f"{n.get('meets', 0)} / {n.get('partially_meets', 0)} / "
                    f"{n.get('does_not_meet', 0)} / "
                    f"{n.get('insufficient_evidence', 0) + n.get(NOT_DRAFTED, 0)}")
            if cat in z.category_scores:
                text += f" ({z.category_scores[cat]:.2f})"
            cells.append(text)
        out.append(f"| {z.zone} | " + " | ".join(cells) + " |")
    weights = ", ".join(f"{k} {v:g}" for k, v in sc.weights.items())
    out += ["", "## How the score is computed", "", FORMULA + ".", "", f"Weights: {weights}."]
    return "\n".join(out) + "\n"


def scorecard_to_xlsx(scorecard: Scorecard, path: str | Path) -> Path:
    """Sheets "Scorecard" (zones x criteria, conditional fills), "Ranking", "Evidence"."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    sc = scorecard
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    fixed = ["rank", "zone", "name", "readiness", "blocked", "coverage"]
    header_row(ws, [*fixed, *(c.id for c in sc.columns)])
    for i, col in enumerate(sc.columns, start=len(fixed) + 1):
        ws.cell(row=1, column=i).comment = Comment(
            f"{col.title} ({CATEGORY_LABELS.get(col.category, col.category)})", "EIP Assistant")
    for z in sc.zones:
        xlsx_append(ws, [z.rank, z.zone, z.name, z.readiness, z.blocked, round(z.coverage, 4),
                         *(sc.matrix[z.zone][c.id].status for c in sc.columns)])
    first = get_column_letter(len(fixed) + 1)
    last = get_column_letter(len(fixed) + max(len(sc.columns), 1))
    status_formatting(ws, f"{first}2:{last}{max(ws.max_row, 2)}")
    ws.freeze_panes = "D2"
    finish_sheet(ws, {2: 20, 3: 40, **{i: 12 for i in range(len(fixed) + 1,
                                                        len(fixed) + len(sc.columns) + 1)}})

    rk = wb.create_sheet("Ranking")
    cats = list(sc.columns_by_category())
    perf = [c for c in cats if c != PREREQUISITE]
    header_row(rk, ["rank", "zone", "readiness", "blocked", "blocking", "met", "total", "coverage",
                 *(f"score_{c}" for c in perf), "reasons"])
    for z in sc.zones:
        xlsx_append(rk, [z.rank, z.zone, z.readiness, z.blocked, "; ".join(z.blocking), z.met,
                         z.total, round(z.coverage, 4), *(z.category_scores.get(c) for c in perf),
                         "; ".join(z.reasons)])
    finish_sheet(rk, {2: 20, 5: 40, len(perf) + 9: 100})
    xlsx_text(rk.cell(row=rk.max_row + 2, column=1, value=clean_text("Formula: " + FORMULA)))

    evidence_sheet(wb, [[e.zone, e.criterion, e.status, e.file, e.page, e.quote, e.value]
                         for e in sc.evidence])
    wb.save(str(path))
    return path


def write_scorecard(scorecard: Scorecard, fmt: str, out: str | Path | None) -> str | Path:
    """Like :func:`write_dossier` for the scorecard (md, json, xlsx, png)."""
    if fmt not in SCORECARD_FORMATS:
        raise ValueError(f"unknown scorecard format {fmt!r}; use one of "
                         f"{', '.join(SCORECARD_FORMATS)}")
    if fmt in ("md", "json"):
        text = scorecard_to_markdown(scorecard) if fmt == "md" else scorecard_to_json(scorecard)
        if out is None:
            return text
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
        return Path(out)
    out = Path(out or f"scorecard.{fmt}")
    if fmt == "png":
        return heatmap_png(scorecard, out)
    return scorecard_to_xlsx(scorecard, out)
