"""Table rows that reach the drafter as sentences, split back into label and cells.

The loaders write each table row as one sentence (:func:`indexing.tables.row_sentences`):
``"Renewable share of electricity consumed: Year: 2024; 7%; Source: rooftop PV."`` - the
row label, then ``"; "``-separated cells, each ``"Header: value"`` or a bare value. Read as
prose, the label is cut off from its figure at the first ``:`` and words of the label
("operating", "treated", "in place") pass for the row's stance. :func:`parse_row` recovers
the structure so that a figure is matched with its own label and header
(:func:`~assistant.dossier.thresholds.match_measure`) and the stance is read from the values
only (:func:`~assistant.dossier.signals.read_presence`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_LABEL = re.compile(r"([^:;]{2,120}?):\s")
_HEADER = re.compile(r"([^:;]{1,40}?):\s")
_YEAR = re.compile(r"\b(?:FY\s?)?((?:19|20)\d\d)\b")
_DIGIT = re.compile(r"\d")
# A row's label and cells are short; a prose sentence with a colon has a long clause after it.
_MAX_LABEL_WORDS = 14
_MAX_CELL_WORDS = 14
_MAX_HEADER_WORDS = 5
_MAX_CLAUSE_WORDS = 8  # a lone value longer than this after the colon is a clause of prose


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a row: its column header ("" for a bare cell) and value, with offsets."""

    header: str
    value: str
    start: int  # offset of the value in the sentence
    end: int

    @property
    def period(self) -> str:
        """The year a header names ("2023", "FY2024"), else ""."""
        m = _YEAR.fullmatch(self.header.strip()) or _YEAR.match(self.header.strip())
        return m.group(1) if m else ""


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its label, the leading name cells, and the value cells."""

    label: str
    names: tuple[Cell, ...]  # bare cells without a figure before the first value ("Economic: <name>; 18%")
    values: tuple[Cell, ...]

    @property
    def subject(self) -> str:
        """What the row is about: the label and its leading name cells."""
        return " ".join([self.label, *(c.value for c in self.names)])

    def cell_at(self, offset: int) -> Cell | None:
        """The value cell that holds ``offset`` (``None``: the label or a name cell)."""
        return next((c for c in self.values if c.start <= offset < c.end), None)


# The signals, the rules and the threshold match each ask of the same sentence; rows are frozen.
@functools.lru_cache(maxsize=4096)
def parse_row(text: str) -> Row | None:
    """The row a sentence was written from, or ``None`` for prose."""
    text = text.rstrip()
    if not text.endswith("."):
        return None
    m = _LABEL.match(text)
    if m is None or len(m.group(1).split()) > _MAX_LABEL_WORDS:
        return None
    body_end = len(text) - 1
    cells: list[Cell] = []
    pos = m.end()
    while pos <= body_end:
        cut = text.find("; ", pos, body_end)
        stop = body_end if cut < 0 else cut
        raw = text[pos:stop]
        h = _HEADER.match(raw)
        if h and len(h.group(1).split()) <= _MAX_HEADER_WORDS:
            header, offset = h.group(1), h.end()
        else:
            header, offset = "", 0
        value = raw[offset:]
        if not value.strip() or len(value.split()) > _MAX_CELL_WORDS:
            return None
        cells.append(Cell(header.strip(), value.strip(), pos + offset, stop))
        if cut < 0:
            break
        pos = cut + 2
    if len(cells) == 1 and not cells[0].header and len(cells[0].value.split()) > _MAX_CLAUSE_WORDS:
        return None  # "The estate is a landlord business: the developer leases plots and ..."
    names: list[Cell] = []
    while cells and len(cells) > 1 and not cells[0].header and not _DIGIT.search(cells[0].value):
        if _is_value_word(cells[0].value):
            break
        names.append(cells.pop(0))
    return Row(m.group(1).strip(), tuple(names), tuple(cells))


#: A cell whose value is missing ("not available", "n/a", "-"): a gap in the data.
MISSING_VALUE = re.compile(
    r"^(?:(?:n/?a|not available|not reported|not known|unknown|no data|not measured|not tracked)\b|[-–—?]+$)",
    re.IGNORECASE,
)
_VALUE_WORDS = re.compile(r"(?:none|nil|no|yes|not applicable)\b.*", re.IGNORECASE)


def _is_value_word(text: str) -> bool:
    """A cell that is a value, though it has no figure ("None yet", "not available")."""
    text = text.strip()
    return bool(_VALUE_WORDS.fullmatch(text) or MISSING_VALUE.match(text))


__all__ = ["MISSING_VALUE", "Cell", "Row", "parse_row"]
