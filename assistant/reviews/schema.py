"""The review database: its tables, and one transaction helper that names the database in errors.

SQLite by default (WAL journal, ``synchronous=FULL``, every write in one ``BEGIN IMMEDIATE``
transaction), any SQLAlchemy URL otherwise (PostgreSQL for teams). Only SQLAlchemy Core is used;
tables are created when missing and the schema version is checked on open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import EIPError

SCHEMA_VERSION = 1


class ReviewError(EIPError):
    """A review or feedback request is invalid, or the review database cannot be used."""


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


def database_url(url_or_path: str | Path) -> URL:
    if isinstance(url_or_path, str) and "://" in url_or_path:
        return make_url(url_or_path)
    path = Path(url_or_path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite+pysqlite", database=str(path))


def configure_sqlite(engine: Engine) -> None:
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


class Database:
    """An open review database: the engine and a transaction that turns failures into
    :class:`ReviewError` (never showing a password)."""

    def __init__(self, url_or_path: str | Path) -> None:
        url = database_url(url_or_path)
        self.url = url
        self.is_sqlite = url.get_backend_name() == "sqlite"
        try:
            self.engine = create_engine(url, future=True, pool_pre_ping=not self.is_sqlite)
        except (SQLAlchemyError, ImportError) as exc:
            raise ReviewError(f"cannot open the review database {url.render_as_string()}: {exc}. "
                              "Check EIP_DATABASE_URL and that its driver is installed.") from exc
        if self.is_sqlite:
            configure_sqlite(self.engine)
        try:
            metadata.create_all(self.engine)
            with self.tx() as conn:
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

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """One transaction: committed at the end of the block, rolled back on any error.

        A database error (server gone, disk full, read-only file) becomes a
        :class:`ReviewError` naming the database (never its password); nothing is committed.
        The pool is pre-pinged, so the next call reconnects once the server is back.
        """
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise ReviewError(
                f"the review database {self.url.render_as_string(hide_password=True)} failed "
                f"({exc.__class__.__name__}: {reason[0] if reason else ''}). Nothing was saved. "
                "Check that it is running and reachable (EIP_DATABASE_URL), or that the data "
                "directory is writable with free space, then retry."
            ) from exc

