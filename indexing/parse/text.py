"""Markdown and plain text: headings (ATX, front-matter titles) or paragraph blocks."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from assistant.types import ParsedDocument
from indexing.parse.common import (
    MAX_HEADING_CHARS,
    TXT_SECTION_CHARS,
    Limits,
    SectionBuilder,
    cap_lines,
    finish_sections,
    read_text,
)

logger = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_ATX_HEADING = re.compile(r" {0,3}(#{1,3})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")


def load_markdown(path: Path, limits: Limits) -> ParsedDocument:
    text = cap_lines(read_text(path, "Markdown"))
    title = None
    if m := _FRONT_MATTER.match(text):
        text = text[m.end():]
        title = _front_matter_title(m.group(1) or "", path)
    builder = SectionBuilder()
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence or len(line) > MAX_HEADING_CHARS \
            else _ATX_HEADING.fullmatch(line)
        if heading:
            name = (heading.group(2) or "").strip() or None
            if title is None and name and len(heading.group(1)) == 1:
                title = name
            builder.start(name)
        else:
            builder.lines.append(line)
    return finish_sections(builder, "Markdown", path, title)


def _front_matter_title(block: str, path: Path) -> str | None:
    import yaml

    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        logger.warning("Markdown '%s': ignoring unreadable front matter: %s", path, exc)
        return None
    title = meta.get("title") if isinstance(meta, dict) else None
    return (str(title).strip() or None) if title is not None else None


def load_txt(path: Path, limits: Limits) -> ParsedDocument:
    text = cap_lines(read_text(path, "text file"))
    builder = SectionBuilder()
    size = 0
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if not paragraph.strip():
            continue
        if size and size + len(paragraph) > TXT_SECTION_CHARS:
            builder.start(None)
            size = 0
        builder.lines.append(paragraph.strip("\n") + "\n")
        size += len(paragraph)
    return finish_sections(builder, "text file", path, None)


