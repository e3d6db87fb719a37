"""What the dossier store says about one zone x criterion cell, ready to be stated and cited.

A :class:`CellFact` carries the status in force (a reviewed status wins over the drafted
one), who set it, whether it is stale, the reason and the evidence quote behind it.
:class:`CitationList` numbers the quotes an answer cites, each once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.reviews import StoredCell
from assistant.types import Citation, EvidenceItem
from assistant.vocabulary import CITATION_MARKER, STATUS_LABELS

# "Partially meets (88% in 2024 against >= 100%): decided by ..." -> the figure and the source;
# the statement names the status itself.
_STATUS_PREFIX = re.compile(r"^\s*(?:meets|partially meets|does not meet|insufficient evidence)"
                            r"\s*(?:\((?P<value>[^()]*)\))?\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class CellFact:
    """One cell as a portfolio answer states it."""

    zone: str
    criterion: str
    title: str
    category: str
    status: str
    reviewed: bool
    reviewer: str | None
    stale: bool
    reason: str
    gaps: tuple[str, ...]
    evidence: EvidenceItem | None
    conflict: str | None

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status).lower()

    @property
    def provenance(self) -> str:
        """"drafted" or "reviewed by X", and whether documents changed since."""
        who = f"reviewed by {self.reviewer}" if self.reviewed else "drafted"
        return f"{who}; stale: a document changed since" if self.stale else who

    @property
    def action(self) -> str:
        """What would close the gap: the drafter's question for the zone, else its first gap."""
        ask = [g for g in self.gaps if g.lower().startswith("question for the zone")]
        return (ask or list(self.gaps) or [""])[0]

    @property
    def contradiction(self) -> str | None:
        """How disagreeing documents were resolved, when they disagreed."""
        if self.conflict:
            return self.conflict
        return next((g for g in self.gaps if "disagree" in g.lower()), None)


def cell_fact(cell: StoredCell) -> CellFact:
    """The fact a stored cell states (reviewed status and justification win)."""
    draft = cell.effective_draft()
    review = cell.review
    reason = _STATUS_PREFIX.sub(lambda m: f"{m['value']}; " if m["value"] else "",
                                draft.rationale).strip().rstrip(".")
    if review is not None and review.status and review.status != cell.draft.status:
        why = review.comment or CITATION_MARKER.sub("", review.justification or "").strip()
        reason = f"set by the reviewer{f': {why}' if why else ''} (drafted as "\
                 f"{STATUS_LABELS[cell.draft.status].lower()})"
    return CellFact(
        zone=cell.zone, criterion=cell.criterion_id, title=draft.title, category=draft.category,
        status=cell.effective_status, reviewed=cell.reviewed,
        reviewer=review.reviewer if review is not None else None, stale=cell.stale,
        reason=reason, gaps=tuple(draft.gaps), evidence=draft.evidence[0] if draft.evidence else None,
        conflict=draft.conflict)


class CitationList:
    """The numbered evidence quotes of one answer (the same quote keeps its number)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: list[Citation] = []
        self._keys: dict[tuple[str, int | None, str], int] = {}

    def cite(self, fact: CellFact) -> str:
        """`` [n]`` for the fact's evidence quote, or ``""`` when it has none (or the list is full)."""
        e = fact.evidence
        if e is None:
            return ""
        key = (e.file, e.page, e.quote)
        if key not in self._keys:
            if len(self._items) >= self.limit:
                return ""
            marker = len(self._items) + 1
            self._keys[key] = marker
            self._items.append(Citation(marker=marker, file=e.file, page=e.page, quote=e.quote,
                                        score=e.score, doc_type=e.doc_type or "zone_document",
                                        zone=fact.zone, chunk_id=e.chunk_id, date=e.date))
        return f" [{self._keys[key]}]"

    def cite_all(self, facts: Iterable[CellFact]) -> str:
        return "".join(self.cite(f) for f in facts)

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(self._items)
