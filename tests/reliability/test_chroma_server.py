"""A real Chroma server (``chroma run`` from the installed chromadb) as the vector store.

Parity: the sample corpus indexed through the server retrieves exactly what the embedded
store retrieves. Outage: with the server stopped, search, indexing and the CLI fail with a
clear StoreUnavailableError naming the server, the local SQLite docstore is untouched, and
everything works again once the server is back on the same port and path.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.errors import StoreUnavailableError
from assistant.retrieve import Retriever
from assistant.settings import Settings
from indexing import build_index, open_index
from indexing.embed import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CORPUS = REPO / "corpus"

QUERIES = [
    "What threshold does ENV-12 set for industrial wastewater?",
    "hazardous waste licensed operators",
    "renewable energy share of electricity consumption",
    "grievance mechanism for workers",
    "How much of its wastewater does Prey Nob Coastal treat?",
    "environmental management system ISO 14001 certification",
]


def _server_settings(data: Path, server) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(data_dir=data, corpus_dir=SAMPLE_CORPUS, chroma_host=server.host,
                    chroma_port=server.port)


def _build(settings: Settings, corpus: Path = SAMPLE_CORPUS):  # type: ignore[no-untyped-def]
    index = open_index(settings, embedder=HashingEmbedder(), must_exist=False)
    try:
        report = build_index(index, corpus)
    finally:
        index.close()
    return report


def _docstore_digest(db: Path) -> tuple[int, str]:
    """Chunk count and a digest of the files table: what a failed run must not change."""
    with sqlite3.connect(db) as conn:
        chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        rows = conn.execute("SELECT source, sha256, status FROM files ORDER BY source").fetchall()
    return chunks, hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.slow
def test_server_retrieves_exactly_what_the_embedded_store_does(chroma_server,
                                                               tmp_path: Path) -> None:
    embedded = Settings(data_dir=tmp_path / "embedded", corpus_dir=SAMPLE_CORPUS)
    served = _server_settings(tmp_path / "served", chroma_server)
    r1, r2 = _build(embedded), _build(served)
    assert r1.failed == r2.failed == []
    assert r1.chunks_total == r2.chunks_total > 0

    a = open_index(embedded, embedder=HashingEmbedder())
    b = open_index(served, embedder=HashingEmbedder())
    try:
        assert a.store.ids() == b.store.ids() == a.docs.chunk_ids()
        ra, rb = Retriever(a, embedded), Retriever(b, served)
        for query in QUERIES:
            vec = a.embedder.embed_query(query)
            assert [i for i, _ in a.store.query(vec, 10)] == [i for i, _ in b.store.query(vec, 10)]
            assert ([c.chunk.id for c in ra.search(query, k=5)]
                    == [c.chunk.id for c in rb.search(query, k=5)]), query
    finally:
        a.close()
        b.close()


@pytest.mark.slow
def test_server_outage_is_a_clear_error_and_recovers(chroma_server, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    data = tmp_path / "data"
    settings = Settings(data_dir=data, corpus_dir=corpus, chroma_host=chroma_server.host,
                        chroma_port=chroma_server.port, embedding_model="hashing-bow")
    _build(settings, corpus)
    before = _docstore_digest(settings.index_db)
    where = f"{chroma_server.host}:{chroma_server.port}"

    # The CLI builds its own embedder; give it the same deterministic one.
    monkeypatch.setattr("assistant.storage.index.make_embedder", lambda s: HashingEmbedder())
    for key, value in {"EIP_DATA_DIR": str(data), "EIP_CORPUS_DIR": str(corpus),
                       "EIP_CHROMA_HOST": chroma_server.host,
                       "EIP_CHROMA_PORT": str(chroma_server.port),
                       "EIP_EMBEDDING_MODEL": "hashing-bow"}.items():
        monkeypatch.setenv(key, value)
    from assistant.cli import cli

    question = "What threshold does ENV-12 set for industrial wastewater?"
    ok = CliRunner().invoke(cli, ["ask", question])
    assert ok.exit_code == 0, ok.output
    index = open_index(settings, embedder=HashingEmbedder())
    retriever = Retriever(index, settings)
    expected = [c.chunk.id for c in retriever.search(question)]

    chroma_server.stop()
    try:
        # An open session: the next search fails clearly.
        with pytest.raises(StoreUnavailableError, match=where):
            retriever.search(question)
        # The web app's chat shows the error in the conversation (no crash, no trace).
        from assistant.reviews import ReviewStore
        from assistant.service import build_assistant
        from assistant.ui.chat import stream_answer
        from assistant.ui.services import Services

        ui_assistant = build_assistant(settings, index=index)
        services = Services(settings=settings, assistant_factory=lambda _s: ui_assistant,
                            review_store_factory=lambda s: ReviewStore(s.review_db))
        *_, last = stream_answer(services, question, [], [])
        shown = last[0][-1]["content"]
        assert shown.startswith("\u26a0") and where in shown and "Traceback" not in shown, shown
        # An index run over a changed corpus stops before touching SQLite.
        changed = sorted(s for s in index.docs.files() if s.endswith((".md", ".txt")))[0]
        target = corpus / changed
        target.write_text(target.read_text() + "\n\nAppended during the outage.\n")
        with pytest.raises(StoreUnavailableError, match=where):
            build_index(index, corpus)
        # The CLI: one clear line, exit 1, no traceback.
        for args in (["ask", question], ["index"]):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 1, result.output
            assert where in result.output and "Traceback" not in result.output, result.output
            assert isinstance(result.exception, SystemExit)
        assert _docstore_digest(settings.index_db)[1] == before[1]
    finally:
        chroma_server.start()

    # Same port and path: the open session and a new process both work again.
    assert [c.chunk.id for c in retriever.search(question)] == expected
    report = build_index(index, corpus)
    assert report.indexed == [changed]
    assert index.store.ids() == index.docs.chunk_ids()
    index.close()
    again = CliRunner().invoke(cli, ["ask", question])
    assert again.exit_code == 0 and ok.output == again.output, again.output
