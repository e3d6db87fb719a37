"""Helpers both exports use: spreadsheet cells that are never formulas, status fills, headers
and filters (openpyxl is imported inside the functions), and Markdown table cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.vocabulary import INSUFFICIENT, MEETS, NOT_DRAFTED, NOT_MET, PARTIAL

# Light fills for spreadsheets and tables (the strong heatmap colours are hard to read on).
LIGHT_FILLS: dict[str, str] = {
    MEETS: "C8E6C9", PARTIAL: "FFE082", NOT_MET: "EF9A9A", INSUFFICIENT: "E0E0E0",
    NOT_DRAFTED: "FFFFFF",
}
# XML 1.0 forbids most control characters; PDF text sometimes carries them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: Any) -> str:
    """``text`` as a string without the control characters XML cannot hold."""
    return _ILLEGAL_XML.sub("", "" if text is None else str(text))


def md_cell(text: str) -> str:
    """``text`` on one line, safe inside a Markdown table cell."""
    return " ".join(clean_text(text).split()).replace("|", "\\|")



# A spreadsheet evaluates text that starts like a formula (``=``, ``+``, ``-``, ``@``) or, after
# a tab / line break, shows it as one; document quotes and reviewer input must stay values.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def xlsx_append(ws: Any, values: Sequence[Any]) -> None:
    """Append a row of plain values: every string becomes a text cell, never a formula.

    Strings are cleaned of XML-illegal characters; one that a spreadsheet would read as a
    formula is stored as text with Excel's quote prefix (shown verbatim, not evaluated, and
    still text after an edit). Every XLSX the project writes goes through this.
    """
    ws.append([clean_text(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        xlsx_text(cell)


def xlsx_text(cell: Any) -> None:
    """Make ``cell`` a text cell if its string value could be taken for a formula."""
    value = cell.value
    if isinstance(value, str) and (cell.data_type == "f" or value.startswith(_FORMULA_START)):
        cell.data_type = "s"
        cell.quotePrefix = True

def status_formatting(ws: Any, cell_range: str) -> None:
    """Conditional fills by status value, so edits in the sheet re-colour themselves."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    for status, colour in LIGHT_FILLS.items():
        if status == NOT_DRAFTED:
            continue
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        ws.conditional_formatting.add(
            cell_range, CellIsRule(operator="equal", formula=[f'"{status}"'], fill=fill))


def header_row(ws: Any, names: Sequence[str]) -> None:
    from openpyxl.styles import Font

    xlsx_append(ws, list(names))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def finish_sheet(ws: Any, widths: Mapping[int, float] | None = None) -> None:
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = ws.dimensions
    for idx, width in (widths or {}).items():
        ws.column_dimensions[get_column_letter(idx)].width = width


def evidence_sheet(wb: Any, rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.create_sheet("Evidence")
    header_row(ws, ("zone", "criterion", "status", "file", "page", "quote", "value"))
    for row in rows:
        xlsx_append(ws, row)
    status_formatting(ws, f"C2:C{max(ws.max_row, 2)}")
    finish_sheet(ws, {1: 20, 2: 10, 3: 22, 4: 55, 5: 6, 6: 90, 7: 14})
