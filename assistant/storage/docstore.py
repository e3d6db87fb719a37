"""The document store: one SQLite file beside the vectors.

It holds the manifest (one row per file: content hash, status, failure reason), the
chunk texts with their metadata, the FTS5 keyword index, the fingerprint of what built
the index, and a record of index runs. SQLite is the source of truth: the vector store
is brought in line with it after an interrupted run.

The keyword index lives in :mod:`assistant.storage.keywords`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.storage.keywords import KeywordIndex
from assistant.storage.vectors import Filter
from assistant.types import Chunk, OcrPage, SourceFile

SCHEMA_VERSION = "1"

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, status TEXT NOT NULL,
    kind TEXT, reason TEXT, doc_type TEXT, zone TEXT, title TEXT, date TEXT, author TEXT,
    pages INTEGER, chunks INTEGER NOT NULL DEFAULT 0, size INTEGER, indexed_at TEXT,
    ocr_pages INTEGER NOT NULL DEFAULT 0, ocr_rejected TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, page INTEGER, ordinal INTEGER NOT NULL,
    section TEXT, doc_type TEXT, zone TEXT, title TEXT, date TEXT, file_hash TEXT,
    text TEXT NOT NULL, ocr_confidence REAL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    id UNINDEXED, body, tokenize = 'porter unicode61'
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT, finished_at TEXT, status TEXT,
    corpus TEXT, report TEXT
);
"""

# Columns added after the first layout (scanned pages, issue 20): (table, column, type).
_ADDED_COLUMNS = (("files", "ocr_pages", "INTEGER NOT NULL DEFAULT 0"), ("files", "ocr_rejected", "TEXT"),
                  ("chunks", "ocr_confidence", "REAL"))


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One row of the manifest."""

    source: str
    sha256: str
    status: str  # indexed | failed | needs_ocr
    kind: str | None
    reason: str | None
    doc_type: str | None
    zone: str | None
    title: str | None
    date: str | None
    pages: int | None
    chunks: int
    indexed_at: str | None
    ocr_pages: int = 0  # scanned pages indexed from OCR
    ocr_rejected: str | None = None  # JSON [{page, confidence}] of pages below the OCR floor


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class DocStore:
    """Manifest, chunk texts and keyword index in one SQLite database (WAL mode)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._add_columns()
        self.keywords = KeywordIndex(self._conn, path)

    def _add_columns(self) -> None:
        """Add the columns a file written before them lacks (a read-only copy reads without)."""
        for table, column, kind in _ADDED_COLUMNS:
            have = {r[1] for r in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                try:
                    with self._conn:
                        self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                except sqlite3.OperationalError as exc:
                    logger.warning("index %s lacks column %s.%s (%s)", self.path, table, column, exc)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block: a crash inside leaves the database as it was."""
        self.keywords.invalidate_caches()
        with self._conn:
            yield self._conn

    # --- meta -------------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, sort_keys=True)),
            )

    # --- manifest ---------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        rows = self._conn.execute(
            "SELECT source, sha256, status, kind, reason, doc_type, zone, title, date, pages, "
            "chunks, indexed_at, ocr_pages, ocr_rejected FROM files ORDER BY source"
        ).fetchall()
        return {r["source"]: FileRecord(**dict(r)) for r in rows}

    def chunk_ids(self, source: str | None = None) -> set[str]:
        if source is None:
            rows = self._conn.execute("SELECT id FROM chunks")
        else:
            rows = self._conn.execute("SELECT id FROM chunks WHERE source = ?", (source,))
        return {r[0] for r in rows}

    def replace_file(
        self,
        conn: sqlite3.Connection,
        source: SourceFile,
        chunks: list[Chunk],
        index_texts: list[str],
        *,
        pages: int | None,
        ocr_pages: tuple[OcrPage, ...] = (),
    ) -> None:
        """Swap a file's chunks and manifest row (call inside :meth:`transaction`).

        Keyword bodies have their Khmer runs segmented into words (``indexing.khmer``).
        """
        self._drop_chunks(conn, source.rel_path)
        conn.executemany(
            "INSERT INTO chunks(id, source, page, ordinal, section, doc_type, zone, title, date, "
            "file_hash, text, ocr_confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (c.id, c.source, c.page, c.ordinal, c.section, c.doc_type, c.zone, c.title,
                 c.date, c.file_hash, c.text, c.ocr_confidence)
                for c in chunks
            ],
        )
        self.keywords.add(conn, [(c.id, body) for c, body in zip(chunks, index_texts, strict=True)])
        self._upsert_file(conn, source, "indexed", None, None, pages, len(chunks), ocr_pages)

    def mark_failed(
        self, conn: sqlite3.Connection, source: SourceFile, *, status: str, kind: str, reason: str
    ) -> None:
        """Record a file that could not be indexed and drop any chunks it had."""
        self._drop_chunks(conn, source.rel_path)
        self._upsert_file(conn, source, status, kind, reason, None, 0)

    def remove_file(self, conn: sqlite3.Connection, source: str) -> None:
        self._drop_chunks(conn, source)
        conn.execute("DELETE FROM files WHERE source = ?", (source,))

    def _drop_chunks(self, conn: sqlite3.Connection, source: str) -> None:
        self.keywords.drop_source(conn, source)
        conn.execute("DELETE FROM chunks WHERE source = ?", (source,))

    def _upsert_file(
        self,
        conn: sqlite3.Connection,
        s: SourceFile,
        status: str,
        kind: str | None,
        reason: str | None,
        pages: int | None,
        n_chunks: int,
        ocr_pages: tuple[OcrPage, ...] = (),
    ) -> None:
        rejected = [{"page": p.page, "confidence": p.confidence} for p in ocr_pages if not p.accepted]
        conn.execute(
            "INSERT OR REPLACE INTO files(source, sha256, status, kind, reason, doc_type, zone, "
            "title, date, author, pages, chunks, size, indexed_at, ocr_pages, ocr_rejected) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (s.rel_path, s.sha256, status, kind, reason, s.doc_type, s.zone, s.title, s.date,
             s.author, pages, n_chunks, s.size, _now(), sum(p.accepted for p in ocr_pages),
             json.dumps(rejected) if rejected else None),
        )

    def reset(self) -> None:
        with self._conn:
            for table in ("chunks", "chunks_fts", "files", "meta"):
                self._conn.execute(f"DELETE FROM {table}")

    # --- reading ----------------------------------------------------------------
    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def keyword_search(self, text: str, k: int, flt: Filter | None = None) -> list[tuple[str, float]]:
        """BM25 search (:meth:`KeywordIndex.search`): ``(chunk id, score)``, higher is better."""
        return self.keywords.search(text, k, flt)

    def document_frequency(self, term: str) -> int:
        """Number of chunks whose keyword index contains ``term`` (porter-stemmed)."""
        return self.keywords.document_frequency(term)

    def invalidate_caches(self) -> None:
        """Forget cached statistics (another process may have changed the index)."""
        self.keywords.invalidate_caches()

    def get_chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = self._conn.execute(
                f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(part))})", part
            ).fetchall()
            for r in rows:
                out[r["id"]] = _row_to_chunk(r)
        return out

    def chunks_of(self, source: str) -> list[Chunk]:
        rows = self._conn.execute(
            "SELECT * FROM chunks WHERE source = ? ORDER BY ordinal", (source,)
        ).fetchall()
        return [_row_to_chunk(r) for r in rows]

    def record_run(self, started_at: str, status: str, corpus: str, report: dict[str, Any]) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT INTO runs(started_at, finished_at, status, corpus, report) VALUES (?,?,?,?,?)",
                (started_at, _now(), status, corpus, json.dumps(report)),
            )

    def last_run(self) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        return {**dict(row), "report": json.loads(row["report"] or "{}")}


def _row_to_chunk(r: sqlite3.Row) -> Chunk:
    return Chunk(
        id=r["id"], text=r["text"], source=r["source"], page=r["page"], section=r["section"],
        doc_type=r["doc_type"], zone=r["zone"], title=r["title"], date=r["date"],
        file_hash=r["file_hash"], ordinal=r["ordinal"],
        ocr_confidence=r["ocr_confidence"] if "ocr_confidence" in r.keys() else None,
    )
