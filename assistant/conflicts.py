"""Dated disagreements between documents: which figures two sentences give for one thing.

A zone's 2024 assessment and its 2022 profile may state different capacities for the same
plant. The answerer quotes the newest and names the older figure; a plan or target ("expand
to 3,200 m3/day", "10% by 2027") is never counted as a second measurement.
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING

from assistant.quantities import extract_quantities
from assistant.text import content_terms, has_number
from assistant.types import ScoredChunk

if TYPE_CHECKING:
    from assistant.extractive import ScoredSentence


@functools.lru_cache(maxsize=2048)  # a chosen sentence is compared with up to 40 others
def figures(text: str, label_terms: int = 5) -> tuple[tuple[float, str, frozenset[str]], ...]:
    """The measured figures of a sentence: ``(value, unit, label)``.

    The label is the last few content words written before the figure (since the previous
    measured figure), which is how table runs name a value ("CETP capacity 2,000 m3/day"),
    plus what follows "of" in prose ("85% of the industrial wastewater").
    """
    out: list[tuple[float, str, frozenset[str]]] = []
    quantities = [q for q in extract_quantities(text) if q.unit is not None]
    previous_end = 0
    for n, q in enumerate(quantities):
        before = [t for t in content_terms(text[previous_end : q.start]) if not has_number(t)]
        after: list[str] = []
        rest = text[q.end : quantities[n + 1].start if n + 1 < len(quantities) else len(text)]
        if rest.lstrip().lower().startswith("of "):
            after = [t for t in content_terms(rest) if not has_number(t)][:3]
        label = frozenset(before[-label_terms:] + after)
        if label and not _is_target(text, q.start, q.end):
            out.append((q.value, q.unit or "", label))
        previous_end = q.end
    return tuple(out)


# Plans and targets: a base-form verb of change before "to", or a planning word just
# before the figure; "by 2027" or "from December 2025" after it. Past tenses ("expanded
# to") report a current value and are not matched.
_TARGET_BEFORE = re.compile(
    r"(\b(expand|increase|raise|extend|upgrade|reach|achieve|cut|reduce|bring)\b[^.;]*\bto\s+"
    r"|\b(target|targets|plan|plans|planned|will|aim|aims|goal)\b[^.;]{0,30})$",
    re.I,
)
_TARGET_AFTER = re.compile(r"^\s*(by|from|until)\s+(\w+\s+)?(19|20)\d\d\b|^\s*(planned|targeted)\b", re.I)


def _is_target(text: str, start: int, end: int) -> bool:
    """Whether a figure is a plan or target ("expand to 3,200 m3/day", "10% by 2027").

    A planned value is not a second measurement of the current one, so it never makes
    two documents disagree.
    """
    return bool(_TARGET_BEFORE.search(text[max(0, start - 80) : start])) or bool(
        _TARGET_AFTER.match(text[end : end + 40])
    )


def _disagree(a: str, b: str, wanted: set[str]) -> bool:
    """Whether ``b`` gives a different value for a figure of ``a`` that the question is about.

    Same unit, nearly the same label, a different value, and ``b`` does not also state
    ``a``'s value for that unit (a table row that repeats the figure agrees with it).
    """
    fb = figures(b)
    for value, unit, label in figures(a):
        if wanted and not (label & wanted):
            continue
        same = [
            (v, lb)
            for v, u, lb in fb
            if u == unit and len(label & lb) >= 2 and len(label & lb) / len(label | lb) >= 0.6
        ]
        if not same or any(math.isclose(v, value, rel_tol=0.01) for v, _ in same):
            continue
        return True
    return False


def with_conflicts(
    chosen: list[ScoredSentence],
    scored: list[ScoredSentence],
    passages: list[ScoredChunk],
    wanted: set[str] | None = None,
) -> list[ScoredSentence]:
    """Add the disagreeing sentence of another dated document, newest first."""
    out = list(chosen)
    for s in chosen:
        p = passages[s.passage].chunk
        if not has_number(s.text):
            continue
        for other in scored[:40]:
            q = passages[other.passage].chunk
            if other in out or q.source == p.source or q.zone != p.zone or not (p.date and q.date):
                continue
            if other.score < 0.6 * s.score or not has_number(other.text):
                continue
            if _disagree(s.text, other.text, wanted or set()):
                out.append(other)
                break
    if len(out) == len(chosen):
        return chosen
    out.sort(key=lambda x: passages[x.passage].chunk.date or "", reverse=True)
    return out


def conflict_note(chosen: list[ScoredSentence], passages: list[ScoredChunk]) -> str:
    dated = [passages[s.passage].chunk for s in chosen if passages[s.passage].chunk.date]
    if len({c.source for c in dated}) < 2:
        return ""
    newest = max(dated, key=lambda c: c.date or "")
    older = sorted({c.date for c in dated if c.source != newest.source and c.date})
    return (
        f"Note: the documents disagree; the newest ({newest.title}, {newest.date}) is preferred "
        f"over the older figure ({', '.join(older)})."
    )
