"""Keyword search in the document store: filtered BM25 and the layout-2 migration."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from assistant.storage.docstore import _SCHEMA, DocStore
from assistant.storage.keywords import FTS_LAYOUT, filter_sql, keyword_query
from assistant.storage.vectors import Filter
from assistant.types import Chunk, SourceFile

# Named words are rare enough among the fillers for BM25 to tell passages apart.
WORDS = ("wastewater effluent treatment energy solar sludge workers firms hectares permit "
         "boundary audit emissions water recycling canal").split() + [f"filler{n}" for n in range(60)]
ZONES = ("alpha", "beta", "gamma")

FILTERS = [
    None,
    Filter(zones=("alpha",)),
    Filter(zones=("alpha",), include_frameworks=True),
    Filter(zones=("beta", "gamma")),
    Filter(zones=(), include_frameworks=True),
    Filter(doc_types=("framework",)),
    Filter(doc_types=("zone_document",), zones=("gamma",)),
    Filter(sources=("zones/beta/doc-3.md", "frameworks/guide-1.md")),
    Filter(zones=("nowhere",)),
]
QUESTIONS = ("How is wastewater treatment done?", "solar energy and emissions audit",
             "sludge permit for the canal", "How many workers and firms?", "nothing matches xyzzy")


def _files(seed: int = 1) -> list[tuple[SourceFile, list[Chunk]]]:
    rng = random.Random(seed)
    out = []
    for n in range(12):
        zone = None if n % 4 == 0 else ZONES[n % 3]
        doc_type = "framework" if zone is None else "zone_document"
        rel = f"frameworks/guide-{n}.md" if zone is None else f"zones/{zone}/doc-{n}.md"
        sf = SourceFile(path=rel, rel_path=rel, doc_type=doc_type, zone=zone, title=f"Doc {n}",
                        sha256=f"h{n}")
        chunks = [
            Chunk(id=f"{rel}#{i}", text=" ".join(rng.choices(WORDS, k=rng.randint(5, 40))),
                  source=rel, page=None, section=None, doc_type=doc_type, zone=zone,
                  title=f"Doc {n}", date=None, file_hash=f"h{n}", ordinal=i)
            for i in range(rng.randint(1, 6))
        ]
        out.append((sf, chunks))
    return out


def _fill(docs: DocStore, files: list[tuple[SourceFile, list[Chunk]]]) -> None:
    for sf, chunks in files:
        with docs.transaction() as conn:
            docs.replace_file(conn, sf, chunks, [f"{c.title}\n{c.text}" for c in chunks], pages=None)


def _reference(path: Path, text: str, k: int, flt: Filter | None) -> list[tuple[str, float]]:
    """The straightforward query: filter by joining every match to its chunk row."""
    if flt is not None and flt.matches_nothing:
        return []
    match = keyword_query(text)
    where, params = filter_sql(flt)
    con = sqlite3.connect(path)
    rows = con.execute(
        "SELECT f.id, bm25(chunks_fts) AS rank FROM chunks_fts f JOIN chunks c ON c.id = f.id "
        f"WHERE chunks_fts MATCH ?{where} ORDER BY rank, c.rowid LIMIT ?",
        [match, *params, k],
    ).fetchall()
    con.close()
    return [(r[0], -r[1]) for r in rows]


@pytest.mark.parametrize("flt", FILTERS)
def test_filtered_search_matches_the_join(tmp_path: Path, flt: Filter | None) -> None:
    docs = DocStore(tmp_path / "index.db")
    files = _files()
    _fill(docs, files)
    _fill(docs, files[:3])  # replaced files: rowids are no longer dense
    meta = {c.id: {"zone": c.zone, "doc_type": c.doc_type, "source": c.source}
            for _, cs in files for c in cs}
    for question in QUESTIONS:
        for k in (1, 5, 40):
            got = docs.keyword_search(question, k, flt)
            assert got == _reference(docs.path, question, k, flt), (question, k, flt)
            assert all(flt is None or flt.accepts(meta[cid]) for cid, _ in got)


def test_filter_matching_nothing_returns_nothing(tmp_path: Path) -> None:
    docs = DocStore(tmp_path / "index.db")
    _fill(docs, _files())
    assert docs.keyword_search("wastewater", 10) != []
    assert docs.keyword_search("wastewater", 10, Filter(zones=("nowhere",))) == []
    assert docs.keyword_search("wastewater", 10, Filter(zones=())) == []
    assert docs.keyword_search("wastewater", 10, Filter(doc_types=())) == []


def test_replaced_and_removed_files_leave_no_keyword_rows(tmp_path: Path) -> None:
    docs = DocStore(tmp_path / "index.db")
    files = _files()
    _fill(docs, files)
    _fill(docs, files[:2])
    with docs.transaction() as conn:
        docs.remove_file(conn, files[5][0].rel_path)
    con = sqlite3.connect(docs.path)
    pairs = con.execute("SELECT f.rowid, f.id, c.rowid, c.id FROM chunks_fts f "
                        "LEFT JOIN chunks c ON c.id = f.id").fetchall()
    assert len(pairs) == docs.count()
    assert all(f_rowid == c_rowid and f_id == c_id for f_rowid, f_id, c_rowid, c_id in pairs)


def _old_layout(path: Path, files: list[tuple[SourceFile, list[Chunk]]]) -> None:
    """An index.db as earlier versions wrote it: keyword rowids unrelated to chunk rowids."""
    con = sqlite3.connect(path)
    con.executescript(_SCHEMA)
    chunks = [c for _, cs in files for c in cs]
    con.executemany(
        "INSERT INTO chunks(id, source, page, ordinal, section, doc_type, zone, title, date, "
        "file_hash, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(c.id, c.source, c.page, c.ordinal, c.section, c.doc_type, c.zone, c.title, c.date,
          c.file_hash, c.text) for c in chunks],
    )
    con.executemany("INSERT INTO chunks_fts(id, body) VALUES (?, ?)",
                    [(c.id, f"{c.title}\n{c.text}") for c in reversed(chunks)])
    con.commit()
    con.close()


def test_old_index_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    _old_layout(path, _files())
    before = {(q, flt): _reference(path, q, 40, flt) for q in QUESTIONS for flt in FILTERS}
    con = sqlite3.connect(path)
    bodies = dict(con.execute("SELECT id, body FROM chunks_fts").fetchall())
    assert con.execute("PRAGMA user_version").fetchone()[0] == 0
    con.close()

    docs = DocStore(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == FTS_LAYOUT
    assert dict(con.execute("SELECT id, body FROM chunks_fts").fetchall()) == bodies
    assert con.execute("SELECT count(*) FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid "
                       "WHERE c.id = f.id").fetchone()[0] == len(bodies)
    con.close()
    for (question, flt), want in before.items():
        assert docs.keyword_search(question, 40, flt) == want, (question, flt)
    docs.close()
    DocStore(path).close()  # a second open finds nothing to do


def test_rowids_moved_under_the_store_are_realigned(tmp_path: Path) -> None:
    docs = DocStore(tmp_path / "index.db")
    _fill(docs, _files())
    flt = Filter(zones=("alpha",))
    want = docs.keyword_search("wastewater treatment", 40, flt)
    docs.close()
    # Move chunk rowids, as a VACUUM of a table without an INTEGER PRIMARY KEY may.
    con = sqlite3.connect(tmp_path / "index.db")
    con.execute("UPDATE chunks SET rowid = rowid + 1000 WHERE rowid % 2 = 0")
    con.commit()
    con.close()
    docs = DocStore(tmp_path / "index.db")
    assert docs.keyword_search("wastewater treatment", 40, flt) == want


def test_swapped_rowids_are_caught_at_query_time(tmp_path: Path) -> None:
    docs = DocStore(tmp_path / "index.db")
    _fill(docs, _files())
    flt = Filter(zones=("alpha",))
    want = docs.keyword_search("wastewater treatment", 40, flt)
    other = docs.keyword_search("wastewater treatment", 1, Filter(zones=("beta",)))[0][0]
    con = sqlite3.connect(docs.path)  # behind the open store's back: beta's row takes alpha's rowid
    (a,) = con.execute("SELECT rowid FROM chunks WHERE id = ?", (want[0][0],)).fetchone()
    (b,) = con.execute("SELECT rowid FROM chunks WHERE id = ?", (other,)).fetchone()
    con.execute("UPDATE chunks SET rowid = -1 WHERE rowid = ?", (a,))
    con.execute("UPDATE chunks SET rowid = ? WHERE rowid = ?", (a, b))
    con.execute("UPDATE chunks SET rowid = ? WHERE rowid = -1", (b,))
    con.commit()
    con.close()
    assert docs.keyword_search("wastewater treatment", 40, flt) == want
