"""What the review store hands out: stored cells, review events, and drafts as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from assistant.catalogue import ID_PREFIXES
from assistant.types import CriterionDraft, EvidenceItem


def utcnow() -> str:
    """Now in UTC, ISO 8601 to the second (the timestamps the store writes)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ReviewEvent:
    """One reviewer decision. ``status``/``justification`` are what the cell shows after it."""

    id: int
    zone: str
    criterion: str
    action: str
    status: str | None
    justification: str | None
    reviewer: str
    comment: str
    at: str
    draft_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredCell:
    """The latest draft of one zone x criterion cell with its current review."""

    draft: CriterionDraft
    drafted_at: str
    review: ReviewEvent | None
    stale: bool
    pending: CriterionDraft | None = None  # redraft after a document change, awaiting review
    pending_at: str | None = None
    source_hashes: Mapping[str, str] = field(default_factory=dict)
    draft_id: int | None = None

    @property
    def zone(self) -> str:
        return self.draft.zone

    @property
    def criterion_id(self) -> str:
        return self.draft.criterion_id

    @property
    def reviewed(self) -> bool:
        return self.review is not None

    @property
    def rejected(self) -> bool:
        return self.review is not None and self.review.action == "reject"

    @property
    def effective_status(self) -> str:
        """Reviewed status wins over the drafted one (a reject falls back to the draft)."""
        if self.review is not None and self.review.status:
            return self.review.status
        return self.draft.status

    @property
    def effective_justification(self) -> str:
        if self.review is not None and self.review.justification:
            return self.review.justification
        return self.draft.justification

    def effective_draft(self) -> CriterionDraft:
        """The draft with the reviewed status and justification applied."""
        if self.review is None:
            return self.draft
        return replace(self.draft, status=self.effective_status,
                       justification=self.effective_justification)


def draft_to_json(draft: CriterionDraft) -> str:
    return json.dumps(asdict(draft), ensure_ascii=False, sort_keys=True)


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def draft_from_json(text: str) -> CriterionDraft:
    """Inverse of :func:`draft_to_json`; unknown keys (from newer versions) are ignored."""
    data = json.loads(text)
    data["evidence"] = tuple(EvidenceItem(**_known(EvidenceItem, e))
                             for e in data.get("evidence", ()))
    data["gaps"] = tuple(data.get("gaps", ()))
    return CriterionDraft(**_known(CriterionDraft, data))


_PREFIX_ORDER = {prefix: i for i, prefix in enumerate(ID_PREFIXES)}


def criterion_sort_key(criterion_id: str) -> tuple[int, int, str]:
    """Catalogue-like order: PRE, PM, ENV, SOC, ECO, then the number (ENV-2 before ENV-10)."""
    m = re.fullmatch(r"([A-Z]+)-(\d+)", criterion_id)
    if not m:
        return (99, 0, criterion_id)
    return (_PREFIX_ORDER.get(m.group(1), 98), int(m.group(2)), criterion_id)



def event_from_row(row: Any) -> ReviewEvent:
    """A :class:`ReviewEvent` from a ``review_events`` row."""
    return ReviewEvent(id=row.id, zone=row.zone, criterion=row.criterion, action=row.action,
                       status=row.status, justification=row.justification,
                       reviewer=row.reviewer, comment=row.comment, at=row.at,
                       draft_id=row.draft_id)
