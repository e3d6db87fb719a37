"""Review store: drafted dossier cells, the reviewers' decisions on them, and chat feedback.

One database holds it all. By default that is SQLite at ``settings.review_db`` (WAL journal,
``synchronous=FULL``, every write in one ``BEGIN IMMEDIATE`` transaction), so a process that
dies mid-write loses at most the change it was making. ``settings.database_url`` (any
SQLAlchemy URL, e.g. ``postgresql+psycopg://...``) lets several app instances share one review
history; only SQLAlchemy Core is used, and tables are created when missing.

Tables
- ``drafts``: every draft ever stored (append-only): the :class:`CriterionDraft` as JSON, the
  hashes of the files it depends on, and when it was drafted.
- ``cells``: one row per zone x criterion pointing at the draft that is shown and reviewed
  (``draft_id``), a redraft waiting for a reviewer (``pending_draft_id``) and the stale flag.
- ``review_events``: append-only; accept / edit / reject with reviewer, comment and time.
- ``feedback``: thumbs up/down on chat answers.

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
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import EIPError
from assistant.types import CriterionDraft, EvidenceItem
from assistant.vocabulary import STATUSES

if TYPE_CHECKING:
    from assistant.settings import Settings

logger = logging.getLogger(__name__)

Action = Literal["accept", "edit", "reject"]
ACTIONS: tuple[str, ...] = ("accept", "edit", "reject")
RATINGS: tuple[int, ...] = (-1, 1)
SCHEMA_VERSION = 1


class ReviewError(EIPError):
    """A review or feedback request is invalid, or the review database cannot be used."""


# ----------------------------------------------------------------------------- schema
metadata = MetaData()

drafts_table = Table(
    "drafts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("zone", String(100), nullable=False),
    Column("criterion", String(20), nullable=False),
    Column("draft_json", Text, nullable=False),
    Column("source_hashes", Text, nullable=False),  # JSON {rel_path: sha256}
    # True for a draft without evidence: it depends on every file of the zone.
    Column("whole_zone", Boolean, nullable=False, default=False),
    Column("drafted_at", String(40), nullable=False),
)
Index("ix_drafts_cell", drafts_table.c.zone, drafts_table.c.criterion)

cells_table = Table(
    "cells", metadata,
    Column("zone", String(100), primary_key=True),
    Column("criterion", String(20), primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False),
    Column("pending_draft_id", Integer, ForeignKey("drafts.id"), nullable=True),
    Column("stale", Boolean, nullable=False, default=False),
    Column("stale_at", String(40), nullable=True),
    Column("updated_at", String(40), nullable=False),
)

events_table = Table(
    "review_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("zone", String(100), nullable=False),
    Column("criterion", String(20), nullable=False),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False),
    Column("action", String(10), nullable=False),
    Column("status", String(30), nullable=True),
    Column("justification", Text, nullable=True),
    Column("reviewer", String(200), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("at", String(40), nullable=False),
)
Index("ix_events_cell", events_table.c.zone, events_table.c.criterion)

# Who put which file into the corpus (and who replaced it), with its content hash.
uploads_table = Table(
    "uploads", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file", Text, nullable=False),  # corpus-relative path
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("user", String(200), nullable=False, default=""),
    Column("replaced", Boolean, nullable=False, default=False),
    Column("original_name", Text, nullable=False, default=""),
    Column("at", String(40), nullable=False),
)

feedback_table = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("user", String(200), nullable=False, default=""),
    Column("at", String(40), nullable=False),
)

meta_table = Table(
    "review_meta", metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)


# ----------------------------------------------------------------------------- records
def _utcnow() -> str:
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


# ----------------------------------------------------------------------------- (de)serialising
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


_PREFIX_ORDER = {"PRE": 0, "PM": 1, "ENV": 2, "SOC": 3, "ECO": 4}


def criterion_sort_key(criterion_id: str) -> tuple[int, int, str]:
    """Catalogue-like order: PRE, PM, ENV, SOC, ECO, then the number (ENV-2 before ENV-10)."""
    m = re.fullmatch(r"([A-Z]+)-(\d+)", criterion_id)
    if not m:
        return (99, 0, criterion_id)
    return (_PREFIX_ORDER.get(m.group(1), 98), int(m.group(2)), criterion_id)


# ----------------------------------------------------------------------------- store
def _database_url(url_or_path: str | Path) -> URL:
    if isinstance(url_or_path, str) and "://" in url_or_path:
        return make_url(url_or_path)
    path = Path(url_or_path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite+pysqlite", database=str(path))


def _configure_sqlite(engine: Engine) -> None:
    """WAL journal, full fsync at commit, and SQLAlchemy-issued BEGIN IMMEDIATE.

    pysqlite's own transaction handling is switched off (``isolation_level = None``) so that
    every SQLAlchemy transaction starts with an explicit ``BEGIN IMMEDIATE``: the write lock
    is taken up front, and two processes never deadlock upgrading a read lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 10000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class ReviewStore:
    """Drafts, reviews and feedback in one SQL database (see the module docstring)."""

    def __init__(self, url_or_path: str | Path) -> None:
        url = _database_url(url_or_path)
        self.url = url
        self.is_sqlite = url.get_backend_name() == "sqlite"
        try:
            self._engine = create_engine(url, future=True, pool_pre_ping=not self.is_sqlite)
        except (SQLAlchemyError, ImportError) as exc:
            raise ReviewError(f"cannot open the review database {url.render_as_string()}: {exc}. "
                              "Check EIP_DATABASE_URL and that its driver is installed.") from exc
        if self.is_sqlite:
            _configure_sqlite(self._engine)
        try:
            metadata.create_all(self._engine)
            with self._tx() as conn:
                found = conn.execute(select(meta_table.c.value)
                                     .where(meta_table.c.key == "schema_version")).scalar()
                if found is None:
                    conn.execute(insert(meta_table).values(key="schema_version",
                                                           value=str(SCHEMA_VERSION)))
                elif int(found) > SCHEMA_VERSION:
                    raise ReviewError(f"the review database {url.render_as_string()} has schema "
                                      f"version {found}; this version of EIP Assistant reads "
                                      f"up to {SCHEMA_VERSION}. Upgrade EIP Assistant.")
        except SQLAlchemyError as exc:
            raise ReviewError(f"cannot use the review database {url.render_as_string()}: "
                              f"{exc.__class__.__name__}: {exc}") from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewStore:
        """``settings.database_url`` if set, else SQLite at ``settings.review_db``."""
        from assistant.settings import secret

        return cls(secret(settings.database_url) or settings.review_db)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction: committed at the end of the block, rolled back on any error.

        A database error (server gone, disk full, read-only file) becomes a
        :class:`ReviewError` naming the database (never its password); nothing is committed.
        The pool is pre-pinged, so the next call reconnects once the server is back.
        """
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise ReviewError(
                f"the review database {self.url.render_as_string(hide_password=True)} failed "
                f"({exc.__class__.__name__}: {reason[0] if reason else ''}). Nothing was saved. "
                "Check that it is running and reachable (EIP_DATABASE_URL), or that the data "
                "directory is writable with free space, then retry."
            ) from exc

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
        now = _utcnow()
        with self._tx() as conn:
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
        with self._tx() as conn:
            q = select(cells_table)
            if zone is not None:
                q = q.where(cells_table.c.zone == zone)
            rows = conn.execute(q).fetchall()
            cells = [self._load_cell(conn, row) for row in rows]
        return sorted(cells, key=lambda c: (c.zone, criterion_sort_key(c.criterion_id)))

    def cell(self, zone: str, criterion: str) -> StoredCell | None:
        with self._tx() as conn:
            row = self._cell_row(conn, zone, criterion)
            return self._load_cell(conn, row) if row is not None else None

    def zones(self) -> list[str]:
        """Zones that have at least one stored cell."""
        with self._tx() as conn:
            return sorted(conn.execute(select(cells_table.c.zone).distinct()).scalars())

    def changed_cells(self, zone: str, current_hashes: Mapping[str, str]) -> list[str]:
        """Criterion ids of ``zone`` whose source files changed or disappeared.

        ``current_hashes`` are the zone's files now (``{rel_path: sha256}``). The newest
        draft of a cell counts (its pending redraft if there is one), so a redraft that
        already saw the current files is not done again.
        """
        changed: list[str] = []
        with self._tx() as conn:
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
        now = _utcnow()
        with self._tx() as conn:
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

        now = _utcnow()
        with self._tx() as conn:
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
        with self._tx() as conn:
            rows = conn.execute(select(events_table)
                                .where(events_table.c.zone == zone,
                                       events_table.c.criterion == criterion)
                                .order_by(events_table.c.id)).fetchall()
        return [_event(r) for r in rows]

    def draft_history(self, zone: str, criterion: str) -> list[tuple[str, CriterionDraft]]:
        """Every draft ever stored for a cell as ``(drafted_at, draft)``, oldest first."""
        with self._tx() as conn:
            rows = conn.execute(select(drafts_table.c.drafted_at, drafts_table.c.draft_json)
                                .where(drafts_table.c.zone == zone,
                                       drafts_table.c.criterion == criterion)
                                .order_by(drafts_table.c.id)).fetchall()
        return [(r.drafted_at, draft_from_json(r.draft_json)) for r in rows]

    # --- feedback -----------------------------------------------------------------------
    def feedback(self, question: str, answer: str, rating: int, comment: str = "",
                 user: str = "") -> None:
        """Record a thumbs up (``1``) or down (``-1``) on a chat answer."""
        if isinstance(rating, bool) or rating not in RATINGS:
            raise ReviewError(f"rating must be 1 (thumbs up) or -1 (thumbs down), got {rating!r}")
        if not (question or "").strip():
            raise ReviewError("feedback needs the question it is about")
        with self._tx() as conn:
            conn.execute(insert(feedback_table).values(
                question=question, answer=answer or "", rating=rating,
                comment=(comment or "").strip(), user=(user or "").strip(), at=_utcnow()))

    def feedback_entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored feedback, newest first."""
        q = select(feedback_table).order_by(feedback_table.c.id.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def record_upload(self, file: str, sha256: str, size: int, user: str = "", *,
                      replaced: bool = False, original_name: str = "") -> None:
        """Remember that ``user`` uploaded (or replaced) ``file`` with this content."""
        with self._tx() as conn:
            conn.execute(insert(uploads_table).values(
                file=file, sha256=sha256, size=int(size), user=(user or "").strip(),
                replaced=bool(replaced), original_name=original_name or "", at=_utcnow()))

    def uploads(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Recorded uploads, newest first."""
        q = select(uploads_table).order_by(uploads_table.c.id.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

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
        return _event(row) if row is not None else None

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


def _event(row: Any) -> ReviewEvent:
    return ReviewEvent(id=row.id, zone=row.zone, criterion=row.criterion, action=row.action,
                       status=row.status, justification=row.justification,
                       reviewer=row.reviewer, comment=row.comment, at=row.at,
                       draft_id=row.draft_id)
