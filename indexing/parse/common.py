"""What every loader shares: the limits, the errors, and building sections from lines of text."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import NamedTuple

from assistant.errors import ParseError
from assistant.types import ParsedDocument, Section
from indexing.ocr import OcrOptions
from indexing.tables import rewrite_markdown_tables

logger = logging.getLogger(__name__)

REPLACE_ADVICE = "Re-export or replace the file."
TXT_SECTION_CHARS = 2_000  # plain text has no structure; group paragraphs into blocks this size
MAX_LINE_CHARS = 10_000  # longer lines of text formats are cut into pieces this long
MAX_HEADING_CHARS = 500  # a longer Markdown line is never taken for a heading
MAX_ZIP_RATIO = 100  # an XML member of a DOCX that inflates more than this is a zip bomb
ZIP_RATIO_MIN_BYTES = 1_000_000  # ... when it inflates to at least this much


class Limits(NamedTuple):
    max_pages: int
    max_unzipped_bytes: int
    max_chars: int
    page_seconds: float | None
    ocr: OcrOptions = OcrOptions()


class PageTimeout(BaseException):
    """A PDF page took more CPU time than its budget (not an Exception: parsers that catch
    every Exception must not swallow it)."""


def parse_error(kind: str, label: str, path: Path, problem: str, advice: str) -> ParseError:
    return ParseError(f"cannot read {label} '{path}': {problem}. {advice}", kind=kind)


def corrupt_error(label: str, path: Path, detail: str) -> ParseError:
    return parse_error("corrupt", label, path, f"the file is corrupt or truncated ({detail})", REPLACE_ADVICE)




class SectionBuilder:
    """Accumulates lines under the current heading; empty sections are dropped."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.heading: str | None = None
        self.lines: list[str] = []

    def start(self, heading: str | None) -> None:
        self.flush()
        self.heading = heading

    def flush(self) -> None:
        lines = rewrite_markdown_tables("\n".join(self.lines).split("\n"))
        text = "\n".join(line.rstrip() for line in lines)
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if text:
            self.sections.append(Section(text=text, heading=self.heading))
        self.lines = []


def finish_sections(builder: SectionBuilder, label: str, path: Path, title: str | None) -> ParsedDocument:
    builder.flush()
    if not builder.sections:
        raise parse_error("empty", label, path, "it contains no text", "Add content or remove the file.")
    return ParsedDocument(sections=tuple(builder.sections), title=title)


def read_text(path: Path, label: str) -> str:
    """Decode a text file: BOM-marked UTF-16, else UTF-8, else cp1252 (with a warning)."""
    data = path.read_bytes()
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
                logger.warning("%s '%s' is not valid UTF-8; decoded it as cp1252", label, path)
    except UnicodeDecodeError as exc:
        raise corrupt_error(label, path, f"not UTF-8 or cp1252 text: {exc}") from exc
    if "\x00" in text:
        raise corrupt_error(label, path, "contains NUL bytes, so it is binary rather than text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def cap_lines(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """``text`` with every line longer than ``limit`` cut into pieces (before any regex)."""
    if all(len(line) <= limit for line in text.split("\n")):
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
        else:
            out.extend(line[i:i + limit] for i in range(0, len(line), limit))
    return "\n".join(out)


