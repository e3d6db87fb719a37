"""Tables as facts: each row becomes one sentence that carries its label and headers.

A monitoring table states a fact across cells: the row label ("Treated effluent reused for
cooling"), a column header ("2023") and the value ("1,850"), often with the unit in a column
of its own. Flattened one cell per line, the label and the value end up in different
sentences and neither answers a question. Written as

    Treated effluent reused for cooling: 2022: 1,700 m3/day; 2023: 1,850 m3/day.

the row is one retrievable, quotable statement. PDF, DOCX, HTML and Markdown loaders all
turn their tables into rows of cells and call :func:`row_sentences`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NUMERIC = re.compile(r"^[<>≤≥~≈]?\s*[-+]?\d[\d,. ]*\s*%?$")
# A figure with a short unit after it: "310 t", "1,850 m3/day", "96,000 trays".
_FIGURE = re.compile(r"^[<>≤≥~≈]?\s*(USD|US\$|\$)?\s*[-+]?\d[\d,.]*\s*(%|[^\s\d]{1,12}(\s[^\s\d]{1,12})?)?$")
_PERIOD = re.compile(r"^(FY\s?)?(19|20)\d\d([-/](19|20)?\d\d)?$", re.I)
# Column names that say nothing about the value ("Indicator | Value | Note").
_BARE_HEADER = re.compile(r"^(values?|figures?|amounts?|data|results?|quantity|indicators?|items?)$", re.I)
_UNIT_HEADER = re.compile(r"^(units?|unit of measure|uom)$", re.I)
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _clean(cell: object) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _is_number(text: str) -> bool:
    return bool(_NUMERIC.match(text))


def _looks_like_header(row: Sequence[str], body: Sequence[Sequence[str]]) -> bool:
    """A first row is a header when it has no figures (years aside) and the body has some."""
    def figures(cells: Sequence[str]) -> int:
        return sum(bool(_FIGURE.match(c)) and not re.fullmatch(r"(19|20)\d\d", c) for c in cells)

    if figures(row[1:]) or any(len(c.split()) > 4 for c in row):
        return False
    # Header cells are short names; a body has figures or longer cells than the header.
    return any(figures(r[1:]) for r in body) or any(len(c.split()) > 4 for r in body for c in r)


def row_sentences(rows: Sequence[Sequence[object]]) -> list[str]:
    """One sentence per data row: ``label: header: value unit; header: value unit.``

    The first row is used as the header when it looks like one. A column headed "Unit"
    lends its unit to the row's figures. Rows of a table without a header are joined
    with "; ". Empty rows are dropped.
    """
    table = [[_clean(c) for c in row] for row in rows]
    table = [row for row in table if any(row)]
    if not table:
        return []
    width = max(len(r) for r in table)
    table = [r + [""] * (width - len(r)) for r in table]
    if width == 1:
        return [_end(r[0]) for r in table]
    header: list[str] | None = None
    if len(table) >= 2 and _looks_like_header(table[0], table[1:]):
        header, table = table[0], table[1:]
    unit_col = next((j for j, h in enumerate(header or []) if _UNIT_HEADER.match(h)), None)
    n_values = width - 1 - (unit_col is not None)
    out: list[str] = []
    for row in table:
        label = row[0]
        unit = row[unit_col] if unit_col is not None else ""
        parts: list[str] = []
        for j, value in enumerate(row[1:], start=1):
            if not value or j == unit_col:
                continue
            if unit and _is_number(value) and unit not in value:
                value = f"{value}{'' if unit == '%' else ' '}{unit}"
            name = header[j] if header else ""
            if (n_values == 1 and not _PERIOD.match(name)) or _BARE_HEADER.match(name):
                name = ""  # "Area: 265 ha", not "Area: Value: 265 ha"; a year stays
            parts.append(f"{name}: {value}" if name else value)
        if not parts:
            if label:
                out.append(_end(label))
            continue
        body = "; ".join(parts)
        out.append(_end(f"{label}: {body}" if label else body))
    return out


def _end(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def markdown_rows(lines: Sequence[str]) -> list[list[str]]:
    """The cells of a Markdown pipe table, without its ``|---|`` separator line."""
    rows: list[list[str]] = []
    for line in lines:
        stripped = line.strip()
        if _MD_SEPARATOR.match(stripped):
            continue
        rows.append([c.strip() for c in stripped.strip("|").split("|")])
    return rows


def rewrite_markdown_tables(lines: list[str]) -> list[str]:
    """``lines`` with every run of pipe-table lines replaced by its row sentences."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.extend(row_sentences(markdown_rows(run)) if len(run) >= 2 else run)
            run.clear()

    for line in lines:
        if line.lstrip().startswith("|") and line.count("|") >= 2:
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return out
