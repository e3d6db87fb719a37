"""Render the sample corpus from ``corpus/_source/**/*.txt`` (see docs/corpus-source-format.md).

Usage (from the repository root)::

    python -m corpus.build            # render every source, write outputs + sidecars
    python -m corpus.build --check    # re-render into a temp dir, compare extracted text
    python -m corpus.build corpus/_source/zones/x.txt   # only these sources

PDF bytes are reproducible (reportlab ``invariant``); DOCX zips get fixed timestamps.
The builder never deletes files: outputs without a source are only reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
SOURCE_DIR = CORPUS / "_source"
PAGE_MARK = "<<<PAGE>>>"
FORMATS = (".pdf", ".docx", ".md", ".html")
HEADER_KEYS = {"output", "title", "date", "author", "doc_type", "zone", "render"}
SCAN_DPI = 200  # `render: scan` PDFs: each page an image at this resolution, no text layer
REQUIRED_KEYS = ("output", "title", "date", "author")
BOLD = re.compile(r"\*\*(.+?)\*\*")
TABLE_RULE = re.compile(r"^:?-{3,}:?$")


class BuildError(Exception):
    """A source file is malformed or its rendering failed a check."""


# --------------------------------------------------------------------------- parsing
@dataclass
class Block:
    """One block of a page: heading (level 1-3), para, bullets or table."""

    kind: str
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # rows[0] is the header row


@dataclass
class Source:
    path: Path
    meta: dict[str, str]
    pages: list[list[Block]]

    @property
    def output(self) -> str:
        return self.meta["output"]

    @property
    def blocks(self) -> list[Block]:
        return [b for page in self.pages for b in page]


def _fail(path: Path, line: int | None, msg: str) -> BuildError:
    where = f"{path.relative_to(CORPUS) if path.is_relative_to(CORPUS) else path}"
    return BuildError(f"{where}{f':{line}' if line else ''}: {msg}")


def parse_header(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    """Return the header mapping and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        raise _fail(path, 1, "file must start with a '---' header line")
    meta: dict[str, str] = {}
    for i, raw in enumerate(lines[1:], start=1):
        line = raw.strip()
        if line == "---":
            break
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise _fail(path, i + 1, f"header line is not 'key: value': {line!r}")
        value = re.sub(r"\s+#.*$", "", value).strip()  # trailing ' # comment'
        key = key.strip()
        if key not in HEADER_KEYS:
            raise _fail(path, i + 1, f"unknown header key {key!r} (allowed: {sorted(HEADER_KEYS)})")
        meta[key] = value.strip("'\"")
    else:
        raise _fail(path, 1, "header is not closed by a '---' line")
    missing = [k for k in REQUIRED_KEYS if not meta.get(k)]
    if missing:
        raise _fail(path, None, f"header lacks {', '.join(missing)}")
    try:
        dt.date.fromisoformat(meta["date"])
    except ValueError:
        raise _fail(path, None, f"date must be YYYY-MM-DD, got {meta['date']!r}") from None
    if Path(meta["output"]).suffix not in FORMATS:
        raise _fail(path, None, f"output must end in one of {FORMATS}: {meta['output']!r}")
    if meta.get("render", "scan") != "scan" or (meta.get("render") and not meta["output"].endswith(".pdf")):
        raise _fail(path, None, f"render may only be 'scan', for a .pdf output: {meta.get('render')!r}")
    if Path(meta["output"]).is_absolute() or ".." in Path(meta["output"]).parts:
        raise _fail(path, None, f"output must be a path inside corpus/: {meta['output']!r}")
    return meta, i + 1


def _table_row(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_body(path: Path, lines: list[str], first: int) -> list[list[Block]]:
    """Split the body into pages of blocks."""
    pages: list[list[Block]] = [[]]
    para: list[str] = []
    table: list[list[str]] = []
    table_line = 0

    def flush() -> None:
        nonlocal table
        if para:
            pages[-1].append(Block("para", text=" ".join(para)))
            para.clear()
        if table:
            width = len(table[0])
            for offset, row in enumerate(table):
                if len(row) != width:
                    raise _fail(path, table_line + offset, f"table row has {len(row)} cells, "
                                f"header has {width}")
            pages[-1].append(Block("table", rows=table))
            table = []

    for n, raw in enumerate(lines[first:], start=first + 1):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped == PAGE_MARK:
            flush()
            pages.append([])
        elif not stripped:
            flush()
        elif stripped.startswith("|"):
            if para:
                flush()
            row = _table_row(stripped)
            if all(TABLE_RULE.match(c) for c in row):
                if len(table) != 1:
                    raise _fail(path, n, "table separator row must follow exactly one header row")
                continue
            if not table:
                table_line = n
            table.append(row)
        elif m := re.match(r"^(#{1,3})\s+(.*)$", stripped):
            flush()
            pages[-1].append(Block("heading", text=m.group(2).strip(), level=len(m.group(1))))
        elif stripped.startswith("- "):
            if para or table:
                flush()
            page = pages[-1]
            if not page or page[-1].kind != "bullets":
                page.append(Block("bullets"))
            page[-1].items.append(stripped[2:].strip())
        else:
            if table:
                flush()
            para.append(stripped)
    flush()
    while len(pages) > 1 and not pages[-1]:
        pages.pop()  # a trailing page marker does not add an empty page
    return pages


def parse_source(path: Path) -> Source:
    lines = path.read_text(encoding="utf-8").splitlines()
    meta, first = parse_header(path, lines)
    pages = parse_body(path, lines, first)
    if meta["output"].endswith(".pdf"):
        for n, line in enumerate(lines, start=1):
            try:
                line.encode("latin-1")
            except UnicodeEncodeError:
                bad = "".join(sorted({c for c in line if ord(c) > 255}))
                raise _fail(path, n, f"non-Latin-1 characters {bad!r} cannot be set in "
                            "Helvetica; use ASCII replacements") from None
    return Source(path, meta, pages)


def plain(text: str) -> str:
    """Inline markup removed (used for text comparisons and DOCX/PDF titles)."""
    return BOLD.sub(r"\1", text)


# --------------------------------------------------------------------------- PDF
def _column_widths(rows: list[list[str]], total: float, measure: Callable) -> list[float]:
    """Give each column at least its longest word, then share the rest by text length."""
    pad = 14.0  # 6 pt cell padding each side plus slack

    def w(text: str, bold: bool) -> float:
        return measure(text, "Helvetica-Bold" if bold else "Helvetica", 8.5)

    cols = range(len(rows[0]))
    least = [max(w(word, r == 0) for r, row in enumerate(rows) for word in plain(row[c]).split()
                 or [""]) + pad for c in cols]
    natural = [max(w(plain(row[c]), r == 0) for r, row in enumerate(rows)) + pad for c in cols]
    if sum(natural) <= total:
        return [n * total / sum(natural) for n in natural]
    if sum(least) >= total:
        return [m * total / sum(least) for m in least]
    spare, want = total - sum(least), [n - m for n, m in zip(natural, least, strict=True)]
    return [m + spare * x / sum(want) for m, x in zip(least, want, strict=True)]


def render_pdf(src: Source, *, check: bool = True) -> bytes:
    """Render with reportlab platypus; the page count must equal the source's (``check``)."""
    from pypdf import PdfReader
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    base = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13.5,
                          spaceAfter=6, alignment=TA_LEFT)
    heads = {
        1: ParagraphStyle("h1", base, fontName="Helvetica-Bold", fontSize=16, leading=20,
                          spaceBefore=4, spaceAfter=10, textColor=colors.HexColor("#1F4E3D")),
        2: ParagraphStyle("h2", base, fontName="Helvetica-Bold", fontSize=13, leading=16,
                          spaceBefore=8, spaceAfter=6, textColor=colors.HexColor("#2E6B55")),
        3: ParagraphStyle("h3", base, fontName="Helvetica-Bold", fontSize=11, leading=14,
                          spaceBefore=6, spaceAfter=4),
    }
    bullet = ParagraphStyle("bullet", base, leftIndent=14, bulletIndent=4, spaceAfter=3)
    cell = ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0)
    head_cell = ParagraphStyle("head_cell", cell, fontName="Helvetica-Bold")

    def inline(text: str) -> str:
        return BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))

    margin = 2 * cm
    width = A4[0] - 2 * margin

    def table(rows: list[list[str]]) -> Table:
        widths = _column_widths(rows, width, stringWidth)
        data = [[Paragraph(inline(c), head_cell if r == 0 else cell) for c in row]
                for r, row in enumerate(rows)]
        t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#7F7F7F")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE9E2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        return t

    def page_story(page: list[Block]) -> list:
        story: list = []
        for b in page:
            if b.kind == "heading":
                story.append(Paragraph(inline(b.text), heads[b.level]))
            elif b.kind == "para":
                story.append(Paragraph(inline(b.text), base))
            elif b.kind == "bullets":
                story.extend(Paragraph(inline(i), bullet, bulletText="-") for i in b.items)
            elif b.kind == "table":
                story.extend([table(b.rows), Spacer(1, 8)])
        return story

    title = plain(src.meta["title"])

    def footer(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback signature
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        label = f"Page {doc.page}"
        room = width - stringWidth(label, "Helvetica", 7.5) - 12
        shown = title
        while stringWidth(shown, "Helvetica", 7.5) > room:
            shown = shown[:-4] + "..."
        canvas.drawString(margin, 1.1 * cm, shown)
        canvas.drawRightString(A4[0] - margin, 1.1 * cm, label)
        canvas.restoreState()

    def render(pages: list[list[Block]]) -> tuple[bytes, int]:
        story: list = []
        for n, page in enumerate(pages):
            story.extend(([PageBreak()] if n else []) + page_story(page))
        buf = io.BytesIO()
        doc = BaseDocTemplate(
            buf, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
            bottomMargin=margin, title=title, author=src.meta["author"],
            subject="EIP Assistant sample corpus", creator="corpus.build", invariant=1,
        )
        frame = Frame(margin, margin, width, A4[1] - 2 * margin, id="body")
        # Footer drawn at page end so extracted text starts with the page body.
        doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=footer)])
        doc.build(story)
        data = buf.getvalue()
        return data, len(PdfReader(io.BytesIO(data)).pages)

    data, got = render(src.pages)
    if check and got != len(src.pages):
        overflowing = [str(n) for n, page in enumerate(src.pages, 1) if render([page])[1] > 1]
        raise _fail(src.path, None, f"rendered {got} PDF pages but the source declares "
                    f"{len(src.pages)}; source page(s) {', '.join(overflowing) or '?'} "
                    f"overflowed (shorten them or add a {PAGE_MARK})")
    return data


# --------------------------------------------------------------------------- scanned PDF
def render_scan(src: Source) -> bytes:
    """An image-only PDF, as a scanner makes it: each page a 200-dpi greyscale image, no text layer.

    Text is drawn with Pillow's bundled font (Aileron) on an A4 page; headings larger, bold
    markers dropped, bullets and table rows as lines. The file is dated from the source, so
    the same Pillow/FreeType versions give the same bytes; OCR (``indexing.ocr``) reads it.
    """
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * SCAN_DPI), round(11.69 * SCAN_DPI)
    margin = round(0.9 * SCAN_DPI)
    fonts = {0: ImageFont.load_default(size=30), 1: ImageFont.load_default(size=46),
             2: ImageFont.load_default(size=36), 3: ImageFont.load_default(size=32)}

    def wrap(text: str, font: ImageFont.FreeTypeFont, indent: int = 0) -> list[str]:
        lines, line = [], ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if line and font.getlength(trial) > width - 2 * margin - indent:
                lines.append(line)
                line = word
            else:
                line = trial
        return [*lines, line] if line else lines

    images = []
    for number, page in enumerate(src.pages, start=1):
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        y = margin
        for block in page:
            items: list[tuple[int, str, int]] = []  # (font key, text, indent)
            if block.kind == "heading":
                items = [(block.level, plain(block.text), 0)]
            elif block.kind == "para":
                items = [(0, plain(block.text), 0)]
            elif block.kind == "bullets":
                items = [(0, "- " + plain(i), 30) for i in block.items]
            elif block.kind == "table":
                items = [(0, "   ".join(plain(c) for c in row), 0) for row in block.rows]
            for key, text, indent in items:
                font = fonts[key]
                step = round(font.size * 1.45)
                for line in wrap(text, font, indent):
                    draw.text((margin + indent, y), line, font=font, fill=20)
                    y += step
                y += round(font.size * 0.5)
            if y > height - margin:
                raise _fail(src.path, None, f"page {number} does not fit on one scanned page")
        draw.text((margin, height - margin // 2), f"Page {number}", font=fonts[0], fill=60)
        images.append(image)
    stamp = dt.datetime.fromisoformat(src.meta["date"]).timetuple()  # Pillow writes struct_time
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=float(SCAN_DPI), save_all=True, append_images=images[1:],
                   title=plain(src.meta["title"]), author=src.meta["author"],
                   creationDate=stamp, modDate=stamp)
    return out.getvalue()


# --------------------------------------------------------------------------- DOCX
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def render_docx(src: Source) -> bytes:
    """Render with python-docx; core dates = document date, zip entries get fixed times."""
    import docx

    d = docx.Document()

    def add_runs(par, text: str, bold: bool = False) -> None:  # noqa: ANN001
        for n, piece in enumerate(BOLD.split(text)):
            if piece:
                par.add_run(piece).bold = bold or n % 2 == 1

    for b in src.blocks:
        if b.kind == "heading":
            add_runs(d.add_heading(level=b.level), b.text)
        elif b.kind == "para":
            add_runs(d.add_paragraph(), b.text)
        elif b.kind == "bullets":
            for item in b.items:
                add_runs(d.add_paragraph(style="List Bullet"), item)
        elif b.kind == "table":
            t = d.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            t.style = "Table Grid"
            for r, row in enumerate(b.rows):
                for c, text in enumerate(row):
                    par = t.cell(r, c).paragraphs[0]
                    add_runs(par, text, bold=r == 0)
            d.add_paragraph()

    when = dt.datetime.combine(dt.date.fromisoformat(src.meta["date"]), dt.time())
    props = d.core_properties
    props.title = plain(src.meta["title"])
    props.author = src.meta["author"]
    props.last_modified_by = src.meta["author"]
    props.created = props.modified = when
    props.last_printed = when
    props.revision = 1
    props.comments = "EIP Assistant sample corpus"

    raw = io.BytesIO()
    d.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), zin.read(info),
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --------------------------------------------------------------------------- Markdown / HTML
def render_md(src: Source) -> bytes:
    """Clean Markdown without front matter; page markers dropped."""
    out: list[str] = []
    for b in src.blocks:
        if b.kind == "heading":
            out.append(f"{'#' * b.level} {b.text}")
        elif b.kind == "para":
            out.append(b.text)
        elif b.kind == "bullets":
            out.append("\n".join(f"- {i}" for i in b.items))
        elif b.kind == "table":
            rows = [f"| {' | '.join(r)} |" for r in b.rows]
            rows.insert(1, "|" + "|".join(" --- " for _ in b.rows[0]) + "|")
            out.append("\n".join(rows))
    return ("\n\n".join(out) + "\n").encode("utf-8")


def render_html(src: Source) -> bytes:
    """A small, valid HTML5 page."""

    def inline(text: str) -> str:
        return BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))

    body: list[str] = []
    for b in src.blocks:
        if b.kind == "heading":
            body.append(f"<h{b.level}>{inline(b.text)}</h{b.level}>")
        elif b.kind == "para":
            body.append(f"<p>{inline(b.text)}</p>")
        elif b.kind == "bullets":
            body.append("<ul>\n" + "\n".join(f"  <li>{inline(i)}</li>" for i in b.items)
                        + "\n</ul>")
        elif b.kind == "table":
            head = "".join(f"<th>{inline(c)}</th>" for c in b.rows[0])
            rows = "\n".join("    <tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>"
                             for r in b.rows[1:])
            body.append(f"<table>\n  <thead>\n    <tr>{head}</tr>\n  </thead>\n  <tbody>\n"
                        f"{rows}\n  </tbody>\n</table>")
    meta = src.meta
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(plain(meta['title']))}</title>\n"
        f"<meta name=\"author\" content=\"{html.escape(meta['author'])}\">\n"
        f"<meta name=\"date\" content=\"{html.escape(meta['date'])}\">\n"
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;}"
        "table{border-collapse:collapse;}th,td{border:1px solid #888;padding:2px 6px;}"
        "</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


RENDERERS: dict[str, Callable[[Source], bytes]] = {
    ".pdf": render_pdf, ".docx": render_docx, ".md": render_md, ".html": render_html,
}


def sidecar(src: Source) -> bytes:
    meta = {k: src.meta[k] for k in ("title", "date", "author")}  # `render` stays in the source
    meta.update({k: src.meta[k] for k in ("doc_type", "zone") if src.meta.get(k)})
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000).encode("utf-8")


# --------------------------------------------------------------------------- text for --check
def extract_text(path: Path) -> str:
    """Comparable text of an output file (PDF per page via pypdf, DOCX paragraphs+cells)."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        pages = PdfReader(path).pages
        return "\n<<<PAGE>>>\n".join(p.extract_text() or "" for p in pages)
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        for t in d.tables:
            parts.extend(c.text for row in t.rows for c in row.cells)
        return "\n".join(parts)
    return path.read_text(encoding="utf-8")


def _first_difference(old: str, new: str) -> str:
    """Empty if equal, else a short hint: the first line that differs."""
    if old == new:
        return ""
    a, b = old.splitlines(), new.splitlines()
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    got = a[n] if n < len(a) else "<end>"
    want = b[n] if n < len(b) else "<end>"
    return f"line {n + 1}: committed {got[:60]!r}, source gives {want[:60]!r}"


# --------------------------------------------------------------------------- driver
def find_sources(selected: list[str] | None = None) -> list[Path]:
    if selected:  # paths relative to the working directory or to corpus/
        return [Path(s).resolve() if Path(s).exists() else (CORPUS / s).resolve()
                for s in selected]
    return sorted(SOURCE_DIR.rglob("*.txt"))


def build_one(src: Source, root: Path) -> tuple[Path, int | None]:
    """Write one output and its sidecar under ``root``; returns (path, PDF page count)."""
    target = root / src.output
    target.parent.mkdir(parents=True, exist_ok=True)
    render = render_scan if src.meta.get("render") == "scan" else RENDERERS[target.suffix]
    target.write_bytes(render(src))
    target.with_name(target.name + ".meta.yaml").write_bytes(sidecar(src))
    return target, len(src.pages) if target.suffix == ".pdf" else None


def orphan_outputs(outputs: set[str]) -> list[str]:
    """Documents in the corpus that no source renders (reported, never deleted)."""
    found = []
    for p in sorted(CORPUS.rglob("*")):
        rel = p.relative_to(CORPUS)
        if (p.is_file() and p.suffix in FORMATS and len(rel.parts) > 1
                and not any(part.startswith(("_", ".")) for part in rel.parts)
                and rel.as_posix() not in outputs):
            found.append(rel.as_posix())
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus.build", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="re-render into a temp dir; exit 1 if committed outputs differ")
    ap.add_argument("sources", nargs="*", help="source files (relative to corpus/); default all")
    args = ap.parse_args(argv)

    errors: list[str] = []
    sources: list[Source] = []
    for path in find_sources(args.sources):
        try:
            sources.append(parse_source(path))
        except (BuildError, OSError) as exc:
            errors.append(str(exc))
    seen: dict[str, Path] = {}
    for s in sources:
        if s.output in seen:
            errors.append(f"{s.path.name}: output {s.output!r} is also produced by "
                          f"{seen[s.output].name}")
        seen[s.output] = s.path

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) if args.check else CORPUS
        for s in sources:
            rel_src = s.path.relative_to(CORPUS) if s.path.is_relative_to(CORPUS) else s.path
            try:
                target, pages = build_one(s, root)
            except BuildError as exc:
                errors.append(str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - name the source, then keep going
                errors.append(f"{rel_src}: rendering failed: {exc!r}")
                continue
            info = f"{pages} pages" if pages else target.suffix[1:]
            if not args.check:
                print(f"built {s.output} ({info}) <- {rel_src}", flush=True)
                continue
            committed = CORPUS / s.output
            meta_name = committed.name + ".meta.yaml"
            if (s.meta.get("render") == "scan" and committed.exists()
                    and committed.read_bytes() != target.read_bytes()):
                print(f"note  {s.output}: scan bytes differ from a fresh render (another Pillow/"
                      "FreeType version?); tests/corpus checks its OCR text")
            if not committed.exists():
                errors.append(f"{s.output}: missing (run python -m corpus.build)")
            elif (diff := _first_difference(extract_text(committed), extract_text(target))):
                errors.append(f"{s.output}: text differs from its source {rel_src} ({diff})")
            elif (committed.with_name(meta_name).read_bytes()
                  if committed.with_name(meta_name).exists() else b"") != sidecar(s):
                errors.append(f"{s.output}.meta.yaml: differs or missing")
            else:
                print(f"ok    {s.output} ({info})")

    if not args.sources:
        for rel in orphan_outputs(set(seen)):
            print(f"note  {rel}: no source in corpus/_source (left alone)")
    for e in errors:
        print(f"ERROR {e}", file=sys.stderr, flush=True)
    print(f"{len(sources)} sources, {len(errors)} error(s)" + (" [check]" if args.check else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
