"""The keyword index: FTS5 over the chunk texts (BM25), in the document store's SQLite file.

A keyword row has the rowid of its chunk row (layout 2, ``PRAGMA user_version``), so
metadata filters are a rowid set checked per match, without reading either row; older
files are migrated on open. Khmer runs are segmented into words before indexing and in
queries (``indexing.khmer``).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.storage.vectors import Filter
from assistant.text import KEYWORD_STOPWORDS
from indexing.khmer import segment

# PRAGMA user_version: 2 = chunks_fts.rowid equals chunks.rowid for every chunk.
FTS_LAYOUT = 2

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[\w\u1780-\u17ff][\w\-\.%\u1780-\u17ff]*", re.UNICODE)  # Khmer marks are not \w
_FTS_TABLE = "USING fts5(id UNINDEXED, body, tokenize = 'porter unicode61')"


def keyword_query(text: str) -> str:
    """FTS5 MATCH expression: the question's content words OR-ed, each quoted."""
    terms: list[str] = []
    seen: set[str] = set()  # linear in the length of the text
    for word in _WORD.findall(segment(text).lower()):
        word = word.strip(".-")
        if len(word) < 2 or word in KEYWORD_STOPWORDS or word in seen:
            continue
        seen.add(word)
        terms.append(word)
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


def filter_sql(flt: Filter | None) -> tuple[str, list[Any]]:
    """The SQL condition (on ``chunks c``) and parameters that apply a metadata filter."""
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


class KeywordIndex:
    """BM25 search over a document store's chunks; shares the store's connection."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._df_cache: dict[str, int] = {}
        self.aligned = False
        self.align()

    def align(self, *, force: bool = False) -> None:
        """Migrate to layout 2 (a new file too, trivially): keyword rows get their chunks' rowids."""
        if not force and self._conn.execute("PRAGMA user_version").fetchone()[0] >= FTS_LAYOUT:
            if self._ends_aligned():
                self.aligned = True
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
            self.aligned = False
            return
        self.aligned = True
        logger.info("keyword index of %s rebuilt in %.1f s", self.path, time.perf_counter() - started)

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

    def add(self, conn: sqlite3.Connection, bodies: Sequence[tuple[str, str]]) -> None:
        """Index ``(chunk id, body)`` pairs whose chunk rows exist (inside the caller's transaction)."""
        conn.executemany(
            "INSERT INTO chunks_fts(rowid, id, body) SELECT rowid, id, ? FROM chunks WHERE id = ?",
            [(segment(body), cid) for cid, body in bodies],
        )

    def drop_source(self, conn: sqlite3.Connection, source: str) -> None:
        """Remove the keyword rows of one file's chunks (before its chunk rows go)."""
        column = "rowid" if self.aligned else "id"
        conn.execute(
            f"DELETE FROM chunks_fts WHERE {column} IN (SELECT {column} FROM chunks WHERE source = ?)",
            (source,),
        )

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

    def search(self, text: str, k: int, flt: Filter | None = None) -> list[tuple[str, float]]:
        """BM25 search; returns ``(chunk id, score)`` with higher scores better (ties by rowid)."""
        if flt is not None and flt.matches_nothing:
            return []
        match = keyword_query(text)
        if not match:
            return []
        where, params = filter_sql(flt)
        for attempt in range(2):
            if not self.aligned:
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
            self.align(force=True)
        return []
