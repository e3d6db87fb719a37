"""HTML pages: visible text by heading, tables as row sentences, stray ``<`` made harmless."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from assistant.types import ParsedDocument
from indexing.parse.common import Limits, SectionBuilder, finish_sections, read_text
from indexing.tables import row_sentences


class _HTMLText(HTMLParser):
    """Collects visible text: h1-h3 start sections, table rows become 'a | b | c' lines."""

    SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    HEADINGS = frozenset({"h1", "h2", "h3"})
    BREAKS = frozenset({"p", "div", "li", "br", "ul", "ol", "table", "h4", "h5", "h6", "pre",
                        "blockquote", "section", "article", "header", "footer", "dt", "dd", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = SectionBuilder()
        self.title: str | None = None
        self.first_h1: str | None = None
        self._skip = 0  # depth inside script/style/...
        self._text: list[str] = []  # body text of the current section
        self._line_open = False  # the current line has visible text
        self._capture: list[str] | None = None  # text of the open <title> or <hN>
        self._row: list[list[str]] | None = None  # cells of the open <tr>
        self._table: list[list[str]] | None = None  # finished rows of the open <table>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif self._skip:
            return
        elif tag == "title" or tag in self.HEADINGS:
            self._capture = []
        elif tag == "table":
            self.end_table()
            self._table = []
        elif tag == "tr":
            self.end_row()
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._row.append([])
        elif tag == "li":
            # A list item is a unit of its own (see split_sentences' bullets).
            self._write("\n")
            self._write("- ")
        elif tag in self.BREAKS:
            self._write("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif self._skip:
            return
        elif (tag == "title" or tag in self.HEADINGS) and self._capture is not None:
            text = " ".join("".join(self._capture).split()) or None
            self._capture = None
            if tag == "title":
                self.title = self.title or text
            else:
                if tag == "h1" and self.first_h1 is None:
                    self.first_h1 = text
                self.start_section(text)
        elif tag == "tr":
            self.end_row()
        elif tag == "table":
            self.end_table()
        elif tag in self.BREAKS:
            self._write("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = re.sub(r"\s+", " ", data)  # source line breaks are not significant in HTML
        if self._capture is not None:
            self._capture.append(data)
        else:
            self._write(data)

    def _write(self, text: str) -> None:
        if self._row:  # inside a cell, line breaks are just spaces
            self._row[-1].append(text)
        elif text != "\n":
            self._text.append(text)
            self._line_open = self._line_open or not text.isspace()
        elif self._line_open:  # nested block tags must not stack up blank lines
            self._text.append(text)
            self._line_open = False

    def end_row(self) -> None:
        if self._row is not None:
            cells = [" ".join("".join(cell).split()) for cell in self._row]
            self._row = None
            if not any(cells):
                return
            if self._table is not None:
                self._table.append(cells)
            else:
                for text in ("\n", " | ".join(cells), "\n"):
                    self._write(text)

    def end_table(self) -> None:
        self.end_row()
        if self._table is not None:
            rows, self._table = self._table, None
            for sentence in row_sentences(rows):
                for text in ("\n", sentence, "\n"):
                    self._write(text)

    def start_section(self, heading: str | None) -> None:
        self.end_table()
        self.builder.lines = [" ".join(line.split()) for line in "".join(self._text).split("\n")]
        self._text, self._line_open = [], False
        self.builder.start(heading)


def _escape_stray_lt(text: str) -> str:
    """``&lt;`` for every ``<`` that no ``>`` closes before the next ``<`` (linear).

    ``html.parser`` rescans such a tag to the end of the input each time it meets one
    (``"<a" * 80000`` takes seconds); as ``&lt;`` the same character reaches the text.
    """
    pieces = text.split("<")
    return pieces[0] + "".join(("<" if ">" in piece else "&lt;") + piece for piece in pieces[1:])


def load_html(path: Path, limits: Limits) -> ParsedDocument:
    parser = _HTMLText()
    parser.feed(_escape_stray_lt(read_text(path, "HTML")))
    parser.close()
    parser.start_section(None)
    return finish_sections(parser.builder, "HTML", path, parser.title or parser.first_h1)
