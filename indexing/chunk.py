"""Split parsed documents into passages that follow their structure.

Chunks never cross a page (so every citation has one page) and prefer to break at
paragraph, then sentence, boundaries. Neighbouring chunks of a page share about
``overlap`` characters so a fact split across a boundary is still found whole.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace

from assistant.types import Chunk, ParsedDocument, SourceFile
from indexing.dates import document_date

# Where an over-long paragraph may be cut: after . ! ? or ; before a capital or digit. This is
# a cut rule for chunk boundaries, not the sentence splitter (assistant.text.split_sentences,
# which the answerers quote by): it also cuts at ';' and knows no abbreviations. Using the
# splitter here would re-cut 36 of the 218 sections of the sample and independent corpora,
# i.e. new chunk ids and a re-index.
_CUT_POINT = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'])")
_HEADING_LINE = re.compile(r"^(\d+(\.\d+)*\.?\s+)?[A-Z][^.!?:;|]{2,78}$")


def chunk_id(source: str, page: int | None, text: str, occurrence: int = 0) -> str:
    """Stable id: sha256 of the file path, page, text and occurrence of identical text."""
    key = f"{source}\x00{page}\x00{occurrence}\x00{text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 10 and bool(_HEADING_LINE.match(line))


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, with their line breaks kept.

    Line structure carries headings and table rows; the sentence splitter downstream
    re-flows wrapped prose, so nothing is lost by keeping it here.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines:
            out.append("\n".join(lines))
    return out


def _split_long(paragraph: str, size: int) -> list[str]:
    """Break a paragraph longer than ``size`` at sentence ends, then at spaces."""
    if len(paragraph) <= size:
        return [paragraph]
    pieces: list[str] = []
    for sentence in _CUT_POINT.split(paragraph):
        while len(sentence) > size:
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def _tail(text: str, overlap: int) -> str:
    """The last ~``overlap`` characters of ``text``, starting at a word boundary."""
    if overlap <= 0 or len(text) <= overlap:
        return text if overlap > 0 else ""
    start = text.find(" ", len(text) - overlap)
    return text[start + 1 :] if start != -1 else ""


def split_text(text: str, size: int, overlap: int, *, joiner: str = "\n") -> list[str]:
    """Pack paragraphs into chunks of at most ~``size`` characters with overlap.

    Paragraphs inside a chunk are joined by ``joiner``: one line break by default, as a PDF's
    text layer marks no paragraphs reliably; a blank line for OCR text, whose paragraphs
    Tesseract finds (``indexing.ocr``).
    """
    units: list[str] = []
    for para in _paragraphs(text):
        units.extend(_split_long(para, size))
    chunks: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if len(candidate) <= size or not current:
            current = candidate
            continue
        chunks.append(current)
        tail = _tail(current, overlap)
        current = f"{tail}{joiner}{unit}" if tail and len(tail) + len(unit) < size else unit
    if current:
        chunks.append(current)
    return chunks


def _headings_in(text: str) -> Iterable[str]:
    for line in text.splitlines():
        line = line.strip()
        if _looks_like_heading(line):
            yield line


def chunk_document(
    source: SourceFile, parsed: ParsedDocument, *, size: int, overlap: int
) -> list[Chunk]:
    """Turn a parsed document into chunks carrying page, section and file metadata."""
    chunks: list[Chunk] = []
    seen: dict[tuple[int | None, str], int] = {}
    heading: str | None = None
    for section in parsed.sections:
        if section.heading:
            heading = section.heading
        # A scan's header lines carry no sentence punctuation: joined to the next paragraph by
        # one line break, the sentence splitter would read them and that paragraph as one
        # sentence. The blank line between Tesseract's paragraphs is kept.
        joiner = "\n\n" if section.ocr_confidence is not None else "\n"
        for piece in split_text(section.text, size, overlap, joiner=joiner):
            if section.page is not None and not section.heading:
                # PDFs carry no structure: the last heading-like line before the text wins.
                first_lines = list(_headings_in(piece))
                if first_lines and piece.startswith(first_lines[0]):
                    heading = first_lines[0]
            key = (section.page, piece)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            chunks.append(
                Chunk(
                    id=chunk_id(source.rel_path, section.page, piece, occurrence),
                    text=piece,
                    source=source.rel_path,
                    page=section.page,
                    section=heading,
                    doc_type=source.doc_type,
                    zone=source.zone,
                    title=source.title,
                    date=source.date,
                    file_hash=source.sha256,
                    ordinal=len(chunks),
                    ocr_confidence=section.ocr_confidence,
                )
            )
    if chunks:
        # Undated by its sidecar, a document may still date itself (title, "as of" line) or
        # carry a date in its file name.
        date = document_date(source.date, chunks[0].text, source.rel_path) or None
        if date != source.date:
            chunks = [replace(c, date=date) for c in chunks]
    return chunks


def index_text(chunk: Chunk) -> str:
    """Text that is embedded and keyword-indexed: title and section give context."""
    head = chunk.title if not chunk.section else f"{chunk.title} - {chunk.section}"
    return f"{head}\n{chunk.text}"
