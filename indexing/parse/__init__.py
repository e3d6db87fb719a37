"""Loaders that turn one document file into a :class:`~assistant.types.ParsedDocument`.

``parse_file`` picks a loader by file suffix (one module per format). Every problem with the input surfaces as
:class:`~assistant.errors.ParseError` with a ``kind`` the indexer can report per file:
``unsupported``, ``too_large``, ``encrypted``, ``corrupt``, ``empty``, ``needs_ocr`` or
``timeout``.

Hostile input is bounded here as well as by the worker process that runs the loaders
(:mod:`indexing.sandbox`): a cap on the characters taken from a file, lines of text formats
cut to :data:`MAX_LINE_CHARS` before any regex sees them, a DOCX whose XML inflates over
:data:`MAX_ZIP_RATIO` times is refused unopened, a per-page CPU budget for PDF text
extraction, and stray ``<`` in HTML escaped before ``html.parser`` (which rescans an
unclosed tag to the end of the input for every ``<``: quadratic).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.errors import ParseError
from assistant.types import ParsedDocument
from assistant.vocabulary import SUPPORTED_SUFFIXES
from indexing.ocr import OcrOptions
from indexing.parse.common import (
    MAX_HEADING_CHARS,
    MAX_LINE_CHARS,
    MAX_ZIP_RATIO,
    REPLACE_ADVICE,
    Limits,
    corrupt_error,
    parse_error,
)
from indexing.parse.docx import load_docx
from indexing.parse.html import load_html
from indexing.parse.pdf import clean_pdf_text, load_pdf, strip_running_lines
from indexing.parse.text import load_markdown, load_txt

__all__ = ["MAX_HEADING_CHARS", "MAX_LINE_CHARS", "MAX_ZIP_RATIO", "SUPPORTED_SUFFIXES",
           "clean_pdf_text", "parse_file", "strip_running_lines"]

_LOADERS: dict[str, Callable[[Path, Limits], ParsedDocument]] = {
    ".pdf": load_pdf, ".docx": load_docx, ".md": load_markdown, ".markdown": load_markdown,
    ".txt": load_txt, ".html": load_html, ".htm": load_html,
}


def parse_file(
    path: Path,
    *,
    name: str | None = None,
    max_bytes: int = 50_000_000,
    max_pages: int = 2_000,
    max_unzipped_bytes: int = 100_000_000,
    max_chars: int = 5_000_000,
    page_seconds: float | None = None,
    ocr: OcrOptions | None = None,
) -> ParsedDocument:
    """Read ``path`` into sections; raise ParseError (and nothing else) for bad input.

    ``name`` is how messages refer to the file (the corpus-relative path, so that no server
    path reaches a user); ``page_seconds`` is the CPU budget of one PDF page, enforced with
    a timer signal when this runs on the main thread (the parse worker process does). PDF
    pages without a text layer go to OCR (``ocr``; default :class:`OcrOptions`).
    """
    path = Path(path)
    shown = Path(name) if name else path
    suffix = path.suffix.lower()
    label = suffix.lstrip(".").upper() or "file"
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise parse_error("unsupported", label, shown, f"the format '{suffix or '(no suffix)'}' is "
                     f"not supported", f"Convert it to one of {', '.join(SUPPORTED_SUFFIXES)}.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise parse_error("corrupt", label, shown, exc.strerror or "cannot be read",
                     "Check that it exists and is readable.") from exc
    if size > max_bytes:
        raise parse_error("too_large", label, shown, f"{size:,} bytes is over the limit of "
                     f"{max_bytes:,}", "Split the file or raise max_bytes.")
    if size == 0:
        raise parse_error("empty", label, shown, "the file is empty (0 bytes)", REPLACE_ADVICE)
    try:
        parsed = loader(path, Limits(max_pages, max_unzipped_bytes, max_chars, page_seconds,
                                      ocr or OcrOptions()))
    except ParseError as exc:
        if shown is not path:
            raise ParseError(str(exc).replace(str(path), str(shown)), kind=exc.kind) from exc
        raise
    except MemoryError:
        raise
    except Exception as exc:  # third-party parsers raise all sorts on malformed input
        detail = f"{type(exc).__name__}: {exc}".replace(str(path), str(shown))
        raise corrupt_error(label, shown, detail) from exc
    chars = sum(len(section.text) for section in parsed.sections)
    if chars > max_chars:
        raise parse_error("too_large", label, shown, f"it holds {chars:,} characters of text, over "
                     f"the limit of {max_chars:,}", "Split the file or raise max_extracted_chars.")
    return parsed
