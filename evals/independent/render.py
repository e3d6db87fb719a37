"""Deterministic renderers for the independent evaluation corpus.

A document is a list of pages; a page is a list of blocks:

- ``("title", text)``, ``("h", text)``, ``("p", text)``, ``("notice", text)``
- ``("bullets", [text, ...])``
- ``("table", header_row, rows, col_widths_cm or None)``

PDF pages map one-to-one to source pages (the build fails if a page overflows). DOCX, HTML,
Markdown and TXT ignore page boundaries.
"""

from __future__ import annotations

import html
import io
import zipfile
from datetime import datetime
from pathlib import Path

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


# ----------------------------------------------------------------------------- PDF
def render_pdf(pages: list[list[tuple]], path: Path, title: str, author: str) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    st_title = ParagraphStyle("t", parent=styles["Title"], fontSize=16, leading=20, spaceAfter=8)
    st_h = ParagraphStyle("h", parent=styles["Heading2"], fontSize=12, leading=15, spaceBefore=6,
                          spaceAfter=4)
    st_p = ParagraphStyle("p", parent=styles["BodyText"], fontSize=9.5, leading=12.5, spaceAfter=5)
    st_notice = ParagraphStyle("n", parent=st_p, fontName="Helvetica-Oblique", fontSize=8.5,
                               leading=11, borderColor=colors.grey, borderWidth=0.5,
                               borderPadding=4, spaceBefore=4, spaceAfter=10,
                               backColor=colors.HexColor("#f3f3f3"))
    st_b = ParagraphStyle("b", parent=st_p, leftIndent=12, bulletIndent=2)

    story: list = []
    for i, page in enumerate(pages):
        for block in page:
            kind = block[0]
            if kind == "title":
                story.append(Paragraph(html.escape(block[1]), st_title))
            elif kind == "h":
                story.append(Paragraph(html.escape(block[1]), st_h))
            elif kind == "p":
                story.append(Paragraph(html.escape(block[1]), st_p))
            elif kind == "notice":
                story.append(Paragraph(html.escape(block[1]), st_notice))
            elif kind == "bullets":
                for item in block[1]:
                    story.append(Paragraph(html.escape(item), st_b, bulletText="-"))
            elif kind == "table":
                _, header, rows, widths = block
                data = [header, *rows]
                tbl = Table(data, colWidths=[w * cm for w in widths] if widths else None,
                            hAlign="LEFT", repeatRows=1)
                tbl.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ]))
                story.append(tbl)
                story.append(Spacer(1, 8))
            else:
                raise ValueError(f"unknown block {kind!r}")
        if i < len(pages) - 1:
            story.append(PageBreak())

    def footer(canvas, doc):  # noqa: ANN001
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(2 * cm, 1.2 * cm, f"{title} - page {doc.page}")
        canvas.restoreState()

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.8 * cm, bottomMargin=2 * cm, title=title, author=author,
                            subject="", creator="evals/independent/build.py",
                            producer="reportlab", invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)

    from pypdf import PdfReader
    n = len(PdfReader(str(path)).pages)
    if n != len(pages):
        raise SystemExit(f"{path}: {len(pages)} source pages rendered as {n} PDF pages "
                         "(a page overflows)")


# ----------------------------------------------------------------------------- DOCX
def render_docx(pages: list[list[tuple]], path: Path, title: str, author: str) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = title, author, author
    cp.created = cp.modified = datetime(2024, 1, 1)
    cp.revision = 1
    for page in pages:
        for block in page:
            kind = block[0]
            if kind == "title":
                doc.add_heading(block[1], level=0)
            elif kind == "h":
                doc.add_heading(block[1], level=1)
            elif kind == "p":
                doc.add_paragraph(block[1])
            elif kind == "notice":
                para = doc.add_paragraph()
                run = para.add_run(block[1])
                run.italic = True
            elif kind == "bullets":
                for item in block[1]:
                    doc.add_paragraph(item, style="List Bullet")
            elif kind == "table":
                _, header, rows, _w = block
                tbl = doc.add_table(rows=1 + len(rows), cols=len(header))
                tbl.style = "Table Grid"
                for j, cell in enumerate(header):
                    tbl.rows[0].cells[j].text = ""
                    tbl.rows[0].cells[j].paragraphs[0].add_run(cell).bold = True
                for r, row in enumerate(rows, start=1):
                    for j, cell in enumerate(row):
                        tbl.rows[r].cells[j].text = cell
                doc.add_paragraph("")
            else:
                raise ValueError(f"unknown block {kind!r}")
    buf = io.BytesIO()
    doc.save(buf)
    _rezip(buf.getvalue(), path)


def _rezip(data: bytes, path: Path) -> None:
    """Rewrite a zip with fixed timestamps and sorted-by-original order, so bytes are stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# ----------------------------------------------------------------------------- HTML
def render_html(pages: list[list[tuple]], path: Path, title: str, author: str) -> None:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f'<meta name="author" content="{e(author)}">',
           "<style>body{font-family:sans-serif;max-width:52em;margin:2em auto}"
           "table{border-collapse:collapse}td,th{border:1px solid #999;padding:3px 8px}"
           ".notice{background:#f3f3f3;border:1px solid #bbb;padding:6px;font-style:italic}"
           "</style>", "</head>", "<body>"]
    for page in pages:
        for block in page:
            kind = block[0]
            if kind == "title":
                out.append(f"<h1>{e(block[1])}</h1>")
            elif kind == "h":
                out.append(f"<h2>{e(block[1])}</h2>")
            elif kind == "p":
                out.append(f"<p>{e(block[1])}</p>")
            elif kind == "notice":
                out.append(f'<p class="notice">{e(block[1])}</p>')
            elif kind == "bullets":
                out.append("<ul>")
                out.extend(f"<li>{e(i)}</li>" for i in block[1])
                out.append("</ul>")
            elif kind == "table":
                _, header, rows, _w = block
                out.append("<table>")
                out.append("<thead><tr>\n" + "\n".join(f"<th>{e(c)}</th>" for c in header)
                           + "\n</tr></thead>")
                out.append("<tbody>")
                for row in rows:
                    out.append("<tr>\n" + "\n".join(f"<td>{e(c)}</td>" for c in row) + "\n</tr>")
                out.append("</tbody></table>")
            else:
                raise ValueError(f"unknown block {kind!r}")
    out += ["</body>", "</html>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


# ----------------------------------------------------------------------------- Markdown / TXT
def render_md(pages: list[list[tuple]], path: Path, title: str, author: str) -> None:
    out: list[str] = []
    for page in pages:
        for block in page:
            kind = block[0]
            if kind == "title":
                out += [f"# {block[1]}", ""]
            elif kind == "h":
                out += [f"## {block[1]}", ""]
            elif kind in ("p",):
                out += [block[1], ""]
            elif kind == "notice":
                out += [f"> {block[1]}", ""]
            elif kind == "bullets":
                out += [f"- {i}" for i in block[1]] + [""]
            elif kind == "table":
                _, header, rows, _w = block
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "|".join(" --- " for _ in header) + "|")
                out += ["| " + " | ".join(r) + " |" for r in rows]
                out.append("")
            else:
                raise ValueError(f"unknown block {kind!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")


def render_txt(pages: list[list[tuple]], path: Path, title: str, author: str) -> None:
    out: list[str] = []
    for page in pages:
        for block in page:
            kind = block[0]
            if kind == "title":
                out += [block[1].upper(), "=" * len(block[1]), ""]
            elif kind == "h":
                out += [block[1], "-" * len(block[1]), ""]
            elif kind in ("p", "notice"):
                out += [block[1], ""]
            elif kind == "bullets":
                out += [f"  * {i}" for i in block[1]] + [""]
            elif kind == "table":
                raise ValueError("TXT documents carry no tables")
            else:
                raise ValueError(f"unknown block {kind!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")


RENDERERS = {".pdf": render_pdf, ".docx": render_docx, ".html": render_html, ".md": render_md,
             ".txt": render_txt}
