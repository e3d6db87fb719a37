"""DOCX documents: headings, paragraphs and tables, with a zip-bomb check before opening."""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.types import ParsedDocument
from indexing.parse.common import (
    MAX_ZIP_RATIO,
    ZIP_RATIO_MIN_BYTES,
    Limits,
    SectionBuilder,
    corrupt_error,
    finish_sections,
    parse_error,
)
from indexing.tables import row_sentences

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph

logger = logging.getLogger(__name__)

def load_docx(path: Path, limits: Limits) -> ParsedDocument:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            unzipped = sum(info.file_size for info in members)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise corrupt_error("DOCX", path, f"not a zip archive: {exc}; re-save old .doc files as "
                       ".docx") from exc
    # zipfile never inflates a member past its declared size, so the sum bounds the real work.
    if unzipped > limits.max_unzipped_bytes:
        raise parse_error("too_large", "DOCX", path, f"it unpacks to {unzipped:,} bytes, over the "
                     f"limit of {limits.max_unzipped_bytes:,} (possible zip bomb)",
                     "Check the file or raise max_unzipped_bytes.")
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= ZIP_RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO \
                and not info.filename.startswith("word/media/"):
            raise parse_error("too_large", "DOCX", path, f"its part {info.filename} inflates "
                         f"{ratio:,.0f} times to {info.file_size:,} bytes (a zip bomb: text XML "
                         f"compresses at most ~{MAX_ZIP_RATIO // 5}x)", "Re-save the document.")
    document = docx.Document(str(path))

    def blocks(parent: Any) -> Iterator[Paragraph | Table]:
        # Walk the XML so paragraphs and tables keep document order; content controls
        # (w:sdt, used for cover pages and the like) are unwrapped.
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, document)
            elif child.tag == qn("w:tbl"):
                yield Table(child, document)
            elif child.tag == qn("w:sdt") and (inner := child.find(qn("w:sdtContent"))) is not None:
                yield from blocks(inner)

    title = (document.core_properties.title or "").strip() or None
    builder = SectionBuilder()
    for block in blocks(document.element.body):
        if isinstance(block, Table):
            builder.lines.extend(_docx_table_lines(block))
            continue
        text = block.text.strip()
        style = (block.style.name or "").lower() if block.style is not None else ""
        level = re.fullmatch(r"heading ([1-9])", style)
        if text and (level or style == "title"):
            title = title or text
        if text and style == "title":
            continue  # the document's title is its metadata (``title``), not body text
        if text and level and int(level.group(1)) <= 3:
            builder.start(text)
        elif text and _is_list_item(block, style):
            # A list item is a unit of its own: items rarely end with a full stop, and
            # run together they read as one endless sentence.
            builder.lines.append(f"- {text}")
        elif text:
            builder.lines.append(text)
    return finish_sections(builder, "DOCX", path, title)


def _is_list_item(paragraph: Paragraph, style: str) -> bool:
    """A bulleted or numbered paragraph: a list style, or list numbering of its own."""
    if style.startswith("list"):
        return True
    properties = paragraph._p.pPr
    return properties is not None and properties.numPr is not None


def _docx_table_lines(table: Any) -> list[str]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell is reported once per grid column
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    return row_sentences(rows)


