"""The date of a document, for "the newest dated evidence decides".

Every chunk carries its document's date (``Chunk.date``), which the answerer (newest
evidence first, disagreements, the year a question asks about) and the drafter read.
In order: the sidecar's ``date``, then the document's own dated
title or "as of" line (its first lines), then a date in the file name (``YYYY``,
``YYYY-MM``, ``YYYY-MM-DD``). Dates compare as strings, so ``2024-03`` sorts after ``2024``
and before ``2024-03-28``.
"""

from __future__ import annotations

import re

from indexing.discover import date_from_name

_MONTHS = {
    m: f"{i:02d}"
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(),
        start=1,
    )
}
_MONTH = "|".join(_MONTHS)
_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?(?!\d)")
_WRITTEN = re.compile(rf"\b(?:(\d{{1,2}}) )?({_MONTH}) ((?:19|20)\d{{2}})\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_AS_OF = re.compile(r"\b(?:as (?:of|at)|dated|status at|updated)\s+(.{4,30})", re.IGNORECASE)
_TITLE_LINES = 2


def date_in_text(text: str) -> str | None:
    """A date written as ``2024-03-28``, ``28 March 2024``, ``March 2024`` or ``2024``."""
    if m := _ISO.search(text):
        return "-".join(p for p in m.groups() if p)
    if m := _WRITTEN.search(text):
        day, month, year = m.groups()
        return f"{year}-{_MONTHS[month.lower()]}" + (f"-{int(day):02d}" if day else "")
    if m := _YEAR.search(text):
        return m.group(1)
    return None


def own_date(first_text: str) -> str | None:
    """The date a document gives itself: an "as of" line, else its dated title."""
    if m := _AS_OF.search(first_text[:1500]):
        if found := date_in_text(m.group(1)):
            return found
    title = " ".join(ln.strip() for ln in first_text.strip().splitlines()[:_TITLE_LINES])
    return date_in_text(title)


def document_date(sidecar_date: str | None, first_text: str, file_name: str) -> str:
    """The document's date by the precedence above; ``""`` when it is undated."""
    return sidecar_date or own_date(first_text) or date_from_name(file_name) or ""


__all__ = ["date_in_text", "document_date", "own_date"]
