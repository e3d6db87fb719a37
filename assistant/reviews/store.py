"""Drafted dossier cells and the reviewers' decisions on them.

Tables (see :mod:`assistant.reviews.schema`)
- ``drafts``: every draft ever stored (append-only): the :class:`CriterionDraft` as JSON, the
  hashes of the files it depends on, and when it was drafted.
- ``cells``: one row per zone x criterion pointing at the draft that is shown and reviewed
  (``draft_id``), a redraft waiting for a reviewer (``pending_draft_id``) and the stale flag.
- ``review_events``: append-only; accept / edit / reject with reviewer, comment and time.

Rules
- Reviews are never overwritten; the newest event on the cell's current draft is its review.
  Each event records the status and justification the cell shows *after* it, so the history
  reads on its own: ``accept`` confirms what was shown (the drafted status, or an earlier
  edit), ``edit`` sets a new status and/or justification, ``reject`` falls back to the drafted
  status and flags the cell as rejected.
- Re-drafting an unreviewed cell replaces the draft it shows (the old one stays in ``drafts``).
  Re-drafting a *reviewed* cell never replaces it: the new draft is kept as ``pending``, the
  cell is marked stale, and the reviewed status stays in force. The next review of that cell
  applies to the pending redraft (it is promoted in the same transaction) and clears the flag.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from assistant.reviews.activity import ActivityLog
from assistant.reviews.records import (
    ReviewEvent,
    StoredCell,
    criterion_sort_key,
    draft_from_json,
    draft_to_json,
    event_from_row,
    utcnow,
)
from assistant.reviews.schema import (
    Database,
    ReviewError,
    cells_table,
    drafts_table,
    events_table,
)
from assistant.types import CriterionDraft
from assistant.vocabulary import ACTIONS, STATUSES, Action

if TYPE_CHECKING:
    from assistant.settings import Settings

logger = logging.getLogger(__name__)


class ReviewStore:
    """Drafts and reviews in one SQL database (see the module docstring)."""

    def __init__(self, url_or_path: str | Path) -> None:
        self._db = Database(url_or_path)
        self.url = self._db.url
        self.is_sqlite = self._db.is_sqlite
        #: Chat feedback and uploads, in the same database.
        self.activity = ActivityLog(self._db)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewStore:
        """``settings.database_url`` if set, else SQLite at ``settings.review_db``."""
        from assistant.settings import secret

        return cls(secret(settings.database_url) or settings.review_db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- drafts -------------------------------------------------------------------------
    def save_draft(self, draft: CriterionDraft, file_hashes: Mapping[str, str]) -> None:
        """Store a draft with the hashes of the files it depends on.

        ``file_hashes`` normally holds the files its evidence came from. For a draft without
        evidence pass every file of the zone: such a draft is re-done when any file of the
        zone changes, is added or is removed (new text may now hold evidence).
        A reviewed cell is not replaced: the draft becomes its pending redraft and the cell
        is marked stale.
        """
        if draft.status not in STATUSES:
            raise ReviewError(f"draft {draft.zone}/{draft.criterion_id} has unknown status "
                              f"{draft.status!r}; expected one of {', '.join(STATUSES)}")
        now = utcnow()
        with self._db.tx() as conn:
            draft_id = conn.execute(insert(drafts_table).values(
                zone=draft.zone, criterion=draft.criterion_id, draft_json=draft_to_json(draft),
                source_hashes=json.dumps(dict(sorted(file_hashes.items()))),
                whole_zone=not draft.evidence, drafted_at=now,
            )).inserted_primary_key[0]
            cell = self._cell_row(conn, draft.zone, draft.criterion_id, lock=True)
            if cell is None:
                conn.execute(insert(cells_table).values(
                    zone=draft.zone, criterion=draft.criterion_id, draft_id=draft_id,
                    pending_draft_id=None, stale=False, stale_at=None, updated_at=now))
            elif self._has_review(conn, draft.zone, draft.criterion_id, cell.draft_id):
                conn.execute(self._cell_update(draft.zone, draft.criterion_id).values(
                    pending_draft_id=draft_id, stale=True,
                    stale_at=cell.stale_at if cell.stale else now, updated_at=now))
                logger.info("%s/%s is reviewed: redraft kept as pending, cell marked stale",
                            draft.zone, draft.criterion_id)
            else:
                conn.execute(self._cell_update(draft.zone, draft.criterion_id).values(
                    draft_id=draft_id, pending_draft_id=None, stale=False, stale_at=None,
                    updated_at=now))

    def drafts(self, zone: str | None = None) -> list[StoredCell]:
        """Every stored cell (of one zone), ordered by zone and criterion id."""
        with self._db.tx() as conn:
            q = select(cells_table)
            if zone is not None:
                q = q.where(cells_table.c.zone == zone)
            rows = conn.execute(q).fetchall()
            cells = [self._load_cell(conn, row) for row in rows]
        return sorted(cells, key=lambda c: (c.zone, criterion_sort_key(c.criterion_id)))

    def cell(self, zone: str, criterion: str) -> StoredCell | None:
        with self._db.tx() as conn:
            row = self._cell_row(conn, zone, criterion)
            return self._load_cell(conn, row) if row is not None else None

    def zones(self) -> list[str]:
        """Zones that have at least one stored cell."""
        with self._db.tx() as conn:
            return sorted(conn.execute(select(cells_table.c.zone).distinct()).scalars())

    def changed_cells(self, zone: str, current_hashes: Mapping[str, str]) -> list[str]:
        """Criterion ids of ``zone`` whose source files changed or disappeared.

        ``current_hashes`` are the zone's files now (``{rel_path: sha256}``). The newest
        draft of a cell counts (its pending redraft if there is one), so a redraft that
        already saw the current files is not done again.
        """
        changed: list[str] = []
        with self._db.tx() as conn:
            rows = conn.execute(select(cells_table).where(cells_table.c.zone == zone)).fetchall()
            for row in rows:
                latest = row.pending_draft_id or row.draft_id
                d = conn.execute(select(drafts_table.c.source_hashes, drafts_table.c.whole_zone)
                                 .where(drafts_table.c.id == latest)).one()
                stored: dict[str, str] = json.loads(d.source_hashes)
                if d.whole_zone:
                    differs = stored != dict(current_hashes)
                else:
                    differs = any(current_hashes.get(f) != h for f, h in stored.items())
                if differs:
                    changed.append(row.criterion)
        return sorted(changed, key=criterion_sort_key)

    def mark_stale(self, zone: str, criterion_ids: Sequence[str]) -> None:
        """Flag cells whose documents changed; the flag clears on the next draft or review."""
        if not criterion_ids:
            return
        now = utcnow()
        with self._db.tx() as conn:
            conn.execute(update(cells_table)
                         .where(cells_table.c.zone == zone,
                                cells_table.c.criterion.in_(list(criterion_ids)),
                                cells_table.c.stale.is_(False))
                         .values(stale=True, stale_at=now, updated_at=now))

    # --- reviews ------------------------------------------------------------------------
    def review(self, zone: str, criterion: str, *, action: Action, reviewer: str,
               comment: str = "", status: str | None = None,
               justification: str | None = None) -> ReviewEvent:
        """Append a reviewer decision on a cell; nothing earlier is changed or removed.

        ``accept`` confirms what the cell shows; ``edit`` needs a new ``status`` and/or
        ``justification`` and a comment; ``reject`` needs a comment and falls back to the
        drafted status. On a stale cell the pending redraft is what gets reviewed.
        """
        reviewer = (reviewer or "").strip()
        comment = (comment or "").strip()
        justification = justification.strip() if justification else None
        if action not in ACTIONS:
            raise ReviewError(f"unknown review action {action!r}; use one of {', '.join(ACTIONS)}")
        if not reviewer:
            raise ReviewError("a review needs the reviewer's name (--reviewer NAME)")
        if status is not None and status not in STATUSES:
            raise ReviewError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        if action == "edit" and status is None and justification is None:
            raise ReviewError("an edit needs a new status and/or a new justification")
        if action != "edit" and (status is not None or justification is not None):
            raise ReviewError(f"'{action}' takes no status or justification; use action 'edit' "
                              "to change them")
        if action in ("edit", "reject") and not comment:
            raise ReviewError(f"'{action}' needs a comment saying why (--note TEXT)")

        now = utcnow()
        with self._db.tx() as conn:
            cell = self._cell_row(conn, zone, criterion, lock=True)
            if cell is None:
                raise ReviewError(f"no draft for zone {zone!r} and criterion {criterion!r}; "
                                  f"draft it first with `eip draft --zone {zone}`")
            draft_id = cell.draft_id
            if cell.pending_draft_id is not None:
                draft_id = cell.pending_draft_id
                logger.info("%s/%s: review applies to the pending redraft", zone, criterion)
            if cell.pending_draft_id is not None or cell.stale:
                conn.execute(self._cell_update(zone, criterion).values(
                    draft_id=draft_id, pending_draft_id=None, stale=False, stale_at=None,
                    updated_at=now))
            draft = draft_from_json(conn.execute(
                select(drafts_table.c.draft_json).where(drafts_table.c.id == draft_id)
            ).scalar_one())
            previous = self._latest_event(conn, zone, criterion, draft_id)
            shown_status = previous.status if previous and previous.status else draft.status
            shown_just = previous.justification if previous else None
            if action == "accept":
                new_status, new_just = shown_status, shown_just
            elif action == "edit":
                new_status = status or shown_status
                new_just = justification if justification is not None else shown_just
            else:
                new_status, new_just = draft.status, None
            event_id = conn.execute(insert(events_table).values(
                zone=zone, criterion=criterion, draft_id=draft_id, action=action,
                status=new_status, justification=new_just, reviewer=reviewer, comment=comment,
                at=now)).inserted_primary_key[0]
            conn.execute(self._cell_update(zone, criterion).values(updated_at=now))
        return ReviewEvent(event_id, zone, criterion, action, new_status, new_just, reviewer,
                           comment, now, draft_id)

    def history(self, zone: str, criterion: str) -> list[ReviewEvent]:
        """Every review of a cell, oldest first (across redrafts)."""
        with self._db.tx() as conn:
            rows = conn.execute(select(events_table)
                                .where(events_table.c.zone == zone,
                                       events_table.c.criterion == criterion)
                                .order_by(events_table.c.id)).fetchall()
        return [event_from_row(r) for r in rows]

    def draft_history(self, zone: str, criterion: str) -> list[tuple[str, CriterionDraft]]:
        """Every draft ever stored for a cell as ``(drafted_at, draft)``, oldest first."""
        with self._db.tx() as conn:
            rows = conn.execute(select(drafts_table.c.drafted_at, drafts_table.c.draft_json)
                                .where(drafts_table.c.zone == zone,
                                       drafts_table.c.criterion == criterion)
                                .order_by(drafts_table.c.id)).fetchall()
        return [(r.drafted_at, draft_from_json(r.draft_json)) for r in rows]

    # --- feedback -----------------------------------------------------------------------
    # --- internals ----------------------------------------------------------------------
    @staticmethod
    def _cell_update(zone: str, criterion: str) -> Any:
        return update(cells_table).where(cells_table.c.zone == zone,
                                         cells_table.c.criterion == criterion)

    def _cell_row(self, conn: Connection, zone: str, criterion: str, *, lock: bool = False) -> Any:
        q = select(cells_table).where(cells_table.c.zone == zone,
                                      cells_table.c.criterion == criterion)
        if lock and not self.is_sqlite:  # SQLite already holds the write lock (BEGIN IMMEDIATE)
            q = q.with_for_update()
        return conn.execute(q).first()

    @staticmethod
    def _latest_event(conn: Connection, zone: str, criterion: str,
                      draft_id: int) -> ReviewEvent | None:
        row = conn.execute(select(events_table)
                           .where(events_table.c.zone == zone,
                                  events_table.c.criterion == criterion,
                                  events_table.c.draft_id == draft_id)
                           .order_by(events_table.c.id.desc()).limit(1)).first()
        return event_from_row(row) if row is not None else None

    def _has_review(self, conn: Connection, zone: str, criterion: str, draft_id: int) -> bool:
        return self._latest_event(conn, zone, criterion, draft_id) is not None

    def _load_cell(self, conn: Connection, row: Any) -> StoredCell:
        current = conn.execute(select(drafts_table).where(drafts_table.c.id == row.draft_id)).one()
        pending = pending_at = None
        if row.pending_draft_id is not None:
            p = conn.execute(select(drafts_table)
                             .where(drafts_table.c.id == row.pending_draft_id)).one()
            pending, pending_at = draft_from_json(p.draft_json), p.drafted_at
        return StoredCell(
            draft=draft_from_json(current.draft_json),
            drafted_at=current.drafted_at,
            review=self._latest_event(conn, row.zone, row.criterion, row.draft_id),
            stale=bool(row.stale),
            pending=pending,
            pending_at=pending_at,
            source_hashes=json.loads(current.source_hashes),
            draft_id=row.draft_id,
        )
