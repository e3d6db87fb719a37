"""The document store: one SQLite file beside the vectors.

It holds the manifest (one row per file: content hash, status, failure reason), the
chunk texts with their metadata, the FTS5 keyword index, the fingerprint of what built
the index, and a record of index runs. SQLite is the source of truth: the vector store
is brought in line with it after an interrupted run.

A keyword row has the rowid of its chunk row (layout 2, ``PRAGMA user_version``), so
metadata filters are a rowid set checked per match, without reading either row; older
files are migrated on open.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.storage.vectors import Filter
from assistant.types import Chunk, OcrPage, SourceFile
from indexing.khmer import STOPWORDS as KHMER_STOPWORDS
from indexing.khmer import segment

SCHEMA_VERSION = "1"
# PRAGMA user_version: 2 = chunks_fts.rowid equals chunks.rowid for every chunk.
FTS_LAYOUT = 2

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

_STOPWORDS = frozenset(
    "a an and are as at be by does do did for from has have how in is it its of on or "
    "the to was what when where which who why with this that there their they zone "
    "zones sez special economic".split()
)
_WORD = re.compile(r"[\w\u1780-\u17ff][\w\-\.%\u1780-\u17ff]*", re.UNICODE)  # Khmer marks are not \w
_FTS_TABLE = "USING fts5(id UNINDEXED, body, tokenize = 'porter unicode61')"
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


def keyword_query(text: str) -> str:
    """FTS5 MATCH expression: the question's content words OR-ed, each quoted."""
    terms: list[str] = []
    seen: set[str] = set()  # linear in the length of the text
    for word in _WORD.findall(segment(text).lower()):
        word = word.strip(".-")
        if len(word) < 2 or word in _STOPWORDS or word in KHMER_STOPWORDS or word in seen:
            continue
        seen.add(word)
        terms.append(word)
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


def _filter_sql(flt: Filter | None) -> tuple[str, list[Any]]:
    if flt is None:
        return "", []
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (("source", flt.sources), ("doc_type", flt.doc_types)):
        if values is not None:
            clauses.append(f"c.{column} IN ({','.join('?' * len(values))})")
            params.extend(values)
    if flt.zones is not None:
        zone_sql = f"c.zone IN ({','.join('?' * len(flt.zones))})" if flt.zones else "0"
        if flt.include_frameworks:
            zone_sql = f"({zone_sql} OR c.doc_type = 'framework')"
        clauses.append(zone_sql)
        params.extend(flt.zones)
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


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
        self._df_cache: dict[str, int] = {}
        self._aligned = False
        self._align_fts()

    def _align_fts(self, *, force: bool = False) -> None:
        """Migrate to layout 2 (a new file too, trivially): keyword rows get their chunks' rowids."""
        if not force and self._conn.execute("PRAGMA user_version").fetchone()[0] >= FTS_LAYOUT:
            if self._ends_aligned():
                self._aligned = True
                return
            logger.warning("keyword index of %s out of step with its chunks: rebuilding", self.path)
            force = True
        started = time.perf_counter()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if force or self._conn.execute("PRAGMA user_version").fetchone()[0] < FTS_LAYOUT:
                    # The stored bodies are kept as they are; rows without a chunk were never found.
                    self._conn.execute("DROP TABLE IF EXISTS chunks_fts_new")
                    self._conn.execute(f"CREATE VIRTUAL TABLE chunks_fts_new {_FTS_TABLE}")
                    self._conn.execute(
                        "INSERT INTO chunks_fts_new(rowid, id, body) SELECT c.rowid, f.id, f.body "
                        "FROM chunks_fts f JOIN chunks c ON c.id = f.id ORDER BY c.rowid"
                    )
                    self._conn.execute("DROP TABLE chunks_fts")
                    self._conn.execute("ALTER TABLE chunks_fts_new RENAME TO chunks_fts")
                    self._conn.execute("CREATE INDEX IF NOT EXISTS chunks_zone ON chunks(zone)")
                    self._conn.execute("CREATE INDEX IF NOT EXISTS chunks_doc_type ON chunks(doc_type)")
                    self._conn.execute(f"PRAGMA user_version = {FTS_LAYOUT}")
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise
        except sqlite3.OperationalError as exc:
            # A read-only copy still answers, by the slower join on chunk ids.
            logger.warning("keyword index of %s left in the old layout (%s)", self.path, exc)
            self._aligned = False
            return
        self._aligned = True
        logger.info("keyword index of %s rebuilt in %.1f s", self.path, time.perf_counter() - started)

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

    def _ends_aligned(self) -> bool:
        """Cheap check that the first and last chunks still own their keyword rows' rowids."""
        for order in ("ASC", "DESC"):
            ends = [
                self._conn.execute(f"SELECT rowid, id FROM {table} ORDER BY rowid {order} LIMIT 1").fetchone()
                for table in ("chunks", "chunks_fts")
            ]
            if [tuple(row) if row else None for row in ends] != [tuple(ends[0]) if ends[0] else None] * 2:
                return False
        return True

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block: a crash inside leaves the database as it was."""
        self._df_cache.clear()
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
        conn.executemany(
            "INSERT INTO chunks_fts(rowid, id, body) SELECT rowid, id, ? FROM chunks WHERE id = ?",
            [(segment(body), c.id) for c, body in zip(chunks, index_texts, strict=True)],
        )
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
        column = "rowid" if self._aligned else "id"
        conn.execute(
            f"DELETE FROM chunks_fts WHERE {column} IN (SELECT {column} FROM chunks WHERE source = ?)",
            (source,),
        )
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

    def invalidate_caches(self) -> None:
        """Forget cached statistics (another process may have changed the index)."""
        self._df_cache.clear()

    def document_frequency(self, term: str) -> int:
        """Number of chunks whose keyword index contains ``term`` (porter-stemmed)."""
        cached = self._df_cache.get(term)
        if cached is None:
            safe = term.replace('"', "")
            try:
                row = self._conn.execute(
                    "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (f'"{safe}"',)
                ).fetchone()
                cached = int(row[0])
            except sqlite3.OperationalError:
                cached = 0
            self._df_cache[term] = cached
        return cached

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

    def keyword_search(self, text: str, k: int, flt: Filter | None = None) -> list[tuple[str, float]]:
        """BM25 search; returns ``(chunk id, score)`` with higher scores better (ties by rowid)."""
        if flt is not None and flt.matches_nothing:
            return []
        match = keyword_query(text)
        if not match:
            return []
        where, params = _filter_sql(flt)
        for attempt in range(2):
            if not self._aligned:
                rows = self._conn.execute(
                    "SELECT f.id, bm25(chunks_fts) AS rank FROM chunks_fts f JOIN chunks c ON c.id = f.id "
                    f"WHERE chunks_fts MATCH ?{where} ORDER BY rank, f.rowid LIMIT ?",
                    [match, *params, k],
                ).fetchall()
                return [(r[0], -float(r[1])) for r in rows]
            # BM25 is computed only for matches in the filter's rowid set ("+" keeps it a set
            # test, not one FTS lookup per rowid), and ids are read only for the k best.
            in_filter = f" AND +f.rowid IN (SELECT c.rowid FROM chunks c WHERE 1{where})" if where else ""
            best = self._conn.execute(
                f"SELECT f.rowid, bm25(chunks_fts) AS rank FROM chunks_fts f WHERE chunks_fts MATCH ?"
                f"{in_filter} ORDER BY rank, f.rowid LIMIT ?",
                [match, *params, k],
            ).fetchall()
            rowids = [r[0] for r in best]
            pairs = self._conn.execute(
                "SELECT f.rowid, f.id, c.id FROM chunks_fts f LEFT JOIN chunks c ON c.rowid = f.rowid "
                f"WHERE f.rowid IN ({','.join('?' * len(rowids))})",
                rowids,
            ).fetchall()
            ids = {r[0]: r[1] for r in pairs if r[1] == r[2]}
            if len(ids) == len(rowids) or attempt:
                return [(ids[rid], -float(rank)) for rid, rank in best if rid in ids]
            # Rowids moved under us (e.g. a VACUUM): realign rather than trust the filter.
            logger.warning("keyword index of %s out of step with its chunks: rebuilding", self.path)
            self._align_fts(force=True)
        return []

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
