"""The pilot-selection brief as Markdown or DOCX (python-docx, heatmap embedded as a PNG)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.export.common import clean_text, md_cell
from assistant.portfolio.brief import Brief
from assistant.scorecard import heatmap_png
from assistant.vocabulary import BRIEF_FORMATS, CATEGORY_LABELS

TITLE = "Pilot-selection brief"
RANKING_HEADER = ("Rank", "Zone", "Readiness", "Evidence coverage", "Criteria met",
                  "Blocking prerequisites")


def _ranking_rows(brief: Brief) -> list[tuple[str, ...]]:
    return [(str(z.rank), z.name, f"{z.readiness:.1f}", f"{100 * z.coverage:.0f}%",
             f"{z.met}/{z.total}", "; ".join(z.blocking) if z.blocked else "none")
            for z in brief.card.zones]


def _page(page: int | None) -> str:
    return f", p. {page}" if page is not None else ""


def brief_to_markdown(brief: Brief, *, heatmap: str | None = None) -> str:
    """The brief in Markdown (``heatmap``: a path or URL of the heatmap image to link)."""
    out = [f"# {TITLE}", "", f"- Framework: {brief.framework}", f"- Generated: {brief.generated_at}",
           f"- Zones ranked: {len(brief.zones)}", "", "## Recommendation", ""]
    out += [md_line for line in brief.recommendation for md_line in (clean_text(line), "")]
    out += ["Caveats:", ""] + [f"- {clean_text(c)}" for c in brief.caveats]
    out += ["", "## Ranking", "", "| " + " | ".join(RANKING_HEADER) + " |",
            "|" + "---|" * len(RANKING_HEADER)]
    out += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in _ranking_rows(brief)]
    if heatmap:
        out += ["", f"![Heatmap of statuses by zone and criterion]({heatmap})"]
    out += ["", "## Weights and blocking rule", ""]
    out += [f"- {CATEGORY_LABELS.get(k, k)}: {v:g}" for k, v in brief.weights.items()]
    out += [f"- Blocking rule: {brief.blocking_rule}", f"- Formula: {brief.formula}"]
    out += ["", "## Zones", ""]
    for z in brief.zones:
        out += [f"### {z.score.rank}. {md_cell(z.name)}", "",
                f"Readiness {z.score.readiness:.1f}/100, evidence coverage "
                f"{100 * z.score.coverage:.0f}%, {z.score.met} of {z.score.total} criteria met.", ""]
        for title, items in (("Strengths", z.strengths), ("Blocking prerequisites", z.blocking),
                             ("Top gaps", z.gaps), ("Contradictions found", z.contradictions)):
            out.append(f"**{title}**")
            out.append("")
            out += [f"- {clean_text(i)}" for i in items] if items else ["- none"]
            out.append("")
    out += ["## Sources", ""]
    out += [f"[{c.marker}] {md_cell(c.file)}{_page(c.page)}: \"{md_cell(c.quote)}\""
            for c in brief.citations]
    return "\n".join(out) + "\n"


def brief_to_docx(brief: Brief, path: str | Path) -> Path:
    """The brief as a Word document: ranking table, heatmap image, zones, sources."""
    from docx import Document
    from docx.shared import Inches

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.core_properties.title = TITLE
    doc.core_properties.subject = brief.framework
    doc.core_properties.author = "EIP Assistant"
    doc.add_heading(TITLE, level=0)
    doc.add_paragraph(clean_text(f"Assessed against: {brief.framework}. Generated: "
                                 f"{brief.generated_at}. Zones ranked: {len(brief.zones)}."))
    doc.add_heading("Recommendation", level=1)
    for line in brief.recommendation:
        doc.add_paragraph(clean_text(line))
    doc.add_paragraph("Caveats:")
    for c in brief.caveats:
        doc.add_paragraph(clean_text(c), style="List Bullet")

    doc.add_heading("Ranking", level=1)
    table = doc.add_table(rows=1, cols=len(RANKING_HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, RANKING_HEADER, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in _ranking_rows(brief):
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = clean_text(text)

    doc.add_heading("Heatmap", level=1)
    with tempfile.TemporaryDirectory(prefix="eip-brief-") as tmp:
        image = heatmap_png(brief.card, Path(tmp) / "heatmap.png")
        doc.add_picture(str(image), width=Inches(6.5))

    doc.add_heading("Weights and blocking rule", level=1)
    for k, v in brief.weights.items():
        doc.add_paragraph(f"{CATEGORY_LABELS.get(k, k)}: {v:g}", style="List Bullet")
    doc.add_paragraph(clean_text(f"Blocking rule: {brief.blocking_rule}"))
    doc.add_paragraph(clean_text(f"Formula: {brief.formula}"))

    doc.add_heading("Zones", level=1)
    for z in brief.zones:
        doc.add_heading(clean_text(f"{z.score.rank}. {z.name}"), level=2)
        doc.add_paragraph(f"Readiness {z.score.readiness:.1f}/100, evidence coverage "
                          f"{100 * z.score.coverage:.0f}%, {z.score.met} of {z.score.total} met.")
        for title, items in (("Strengths", z.strengths), ("Blocking prerequisites", z.blocking),
                             ("Top gaps", z.gaps), ("Contradictions found", z.contradictions)):
            doc.add_paragraph().add_run(title).bold = True
            for item in items or ("none",):
                doc.add_paragraph(clean_text(item), style="List Bullet")

    doc.add_heading("Sources", level=1)
    for c in brief.citations:
        doc.add_paragraph(clean_text(f"[{c.marker}] {c.file}{_page(c.page)}: \"{c.quote}\""))
    doc.save(str(path))
    return path


def write_brief(brief: Brief, fmt: str, out: str | Path | None) -> str | Path:
    """Write the brief; Markdown goes to a string when ``out`` is None (DOCX to brief.docx).

    Markdown written to a file gets the heatmap as a PNG beside it.
    """
    if fmt not in BRIEF_FORMATS:
        raise ValueError(f"unknown brief format {fmt!r}; use one of {', '.join(BRIEF_FORMATS)}")
    if fmt == "md":
        if out is None:
            return brief_to_markdown(brief)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        image = heatmap_png(brief.card, out.with_name(out.stem + "-heatmap.png"))
        out.write_text(brief_to_markdown(brief, heatmap=image.name), encoding="utf-8")
        return out
    return brief_to_docx(brief, Path(out or "brief.docx"))
