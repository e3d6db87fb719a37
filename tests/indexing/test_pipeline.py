"""The incremental, crash-safe indexing pipeline."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import IndexMismatchError, IndexMissingError
from assistant.settings import Settings
from assistant.storage.vectors import ChromaStore, Filter, InMemoryStore
from indexing import build_index, open_index

REPO = Path(__file__).resolve().parents[2]
PDF_ZOO = REPO.parent / "shared" / "pdf-zoo"


def make_corpus(root: Path) -> Path:
    """A small corpus in the standard layout with one file of each text format."""
    (root / "frameworks").mkdir(parents=True)
    (root / "zones" / "alpha" / "reports").mkdir(parents=True)
    (root / "zones" / "beta").mkdir(parents=True)
    (root / "_drafts").mkdir()
    (root / "README.md").write_text("# Not a document\n")
    (root / "_drafts" / "ignored.md").write_text("# Draft\n\nNever indexed.\n")
    (root / "frameworks" / "guide.md").write_text(
        "# Framework guide\n\n## Water\n\nAll industrial wastewater must be treated before discharge.\n\n"
        "## Energy\n\nParks monitor energy use and raise the renewable share.\n"
    )
    (root / "zones" / "alpha" / "profile.txt").write_text(
        "Alpha zone covers 320 hectares in Kandal province.\n\nIt hosts 41 firms and 18,500 workers.\n"
    )
    (root / "zones" / "alpha" / "reports" / "baseline.html").write_text(
        "<html><head><title>Alpha baseline</title></head><body><h1>Water</h1>"
        "<p>The central effluent treatment plant treats 100% of industrial wastewater.</p>"
        "<script>alert('x')</script></body></html>"
    )
    (root / "zones" / "alpha" / "reports" / "baseline.html.meta.yaml").write_text(
        "title: Alpha baseline assessment\ndate: 2024-03-01\nauthor: Sample consultants\n"
    )
    shutil.copy(PDF_ZOO / "report-4-pages.pdf", root / "zones" / "beta" / "report.pdf")
    return root


@pytest.fixture(name="corpus")
def fixture_corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus")


def _index(settings: Settings, embedder, store=None):
    return open_index(settings, embedder=embedder, store=store or InMemoryStore(), must_exist=False)


def test_layout_and_sidecar_metadata(settings, hashing_embedder, corpus):
    index = _index(settings, hashing_embedder)
    report = build_index(index, corpus)
    files = index.docs.files()
    assert sorted(files) == [
        "frameworks/guide.md",
        "zones/alpha/profile.txt",
        "zones/alpha/reports/baseline.html",
        "zones/beta/report.pdf",
    ], "root files and _folders must not be indexed"
    assert files["frameworks/guide.md"].doc_type == "framework"
    assert files["zones/alpha/profile.txt"].doc_type == "zone_document"
    assert files["zones/alpha/profile.txt"].zone == "alpha"
    html = files["zones/alpha/reports/baseline.html"]
    assert (html.doc_type, html.zone, html.title, html.date) == (
        "consultant_report", "alpha", "Alpha baseline assessment", "2024-03-01"
    )
    assert report.failed == [] and len(report.indexed) == 4
    chunks = index.docs.chunks_of("zones/alpha/reports/baseline.html")
    assert "alert" not in " ".join(c.text for c in chunks)
    assert all(c.date == "2024-03-01" and c.zone == "alpha" for c in chunks)


def test_pdf_chunks_keep_page_numbers(settings, hashing_embedder, corpus):
    index = _index(settings, hashing_embedder)
    build_index(index, corpus)
    chunks = index.docs.chunks_of("zones/beta/report.pdf")
    assert {c.page for c in chunks} == {1, 2, 3, 4}
    md_chunks = index.docs.chunks_of("frameworks/guide.md")
    assert all(c.page is None for c in md_chunks)
    assert {c.section for c in md_chunks} >= {"Water", "Energy"}


def test_reindex_is_idempotent_and_skips_unchanged(settings, hashing_embedder, corpus):
    store = InMemoryStore()
    index = _index(settings, hashing_embedder, store)
    first = build_index(index, corpus)
    ids_before = index.docs.chunk_ids()
    second = build_index(index, corpus)
    assert second.indexed == [] and second.unchanged == 4 and second.chunks_added == 0
    assert index.docs.chunk_ids() == ids_before == store.ids()
    assert first.chunks_total == second.chunks_total == len(ids_before)


def test_changed_and_deleted_files_are_replaced_and_removed(settings, hashing_embedder, corpus):
    store = InMemoryStore()
    index = _index(settings, hashing_embedder, store)
    build_index(index, corpus)
    (corpus / "zones" / "alpha" / "profile.txt").write_text("Alpha zone now covers 410 hectares.\n")
    (corpus / "frameworks" / "guide.md").unlink()
    report = build_index(index, corpus)
    assert report.indexed == ["zones/alpha/profile.txt"]
    assert report.removed == ["frameworks/guide.md"]
    texts = " ".join(c.text for c in index.docs.chunks_of("zones/alpha/profile.txt"))
    assert "410 hectares" in texts and "320 hectares" not in texts
    assert index.docs.chunks_of("frameworks/guide.md") == []
    assert store.ids() == index.docs.chunk_ids(), "vectors and chunk rows must agree"
    assert index.docs.keyword_search("320", 5) == [], "stale keyword entries must go"


def test_fingerprint_mismatch_is_refused_with_rebuild_hint(settings, hashing_embedder, corpus):
    index = _index(settings, hashing_embedder)
    build_index(index, corpus)
    index.close()
    changed = settings.model_copy(update={"chunk_size": 500})
    with pytest.raises(IndexMismatchError, match=r"chunk_size.*eip index --rebuild"):
        open_index(changed, embedder=hashing_embedder, store=InMemoryStore())


def test_missing_index_says_how_to_build(settings):
    with pytest.raises(IndexMissingError, match="eip index"):
        open_index(settings)


def test_rebuild_with_new_settings(settings, hashing_embedder, corpus):
    store = InMemoryStore()
    build_index(_index(settings, hashing_embedder, store), corpus)
    changed = settings.model_copy(update={"chunk_size": 300, "chunk_overlap": 50})
    from assistant.storage.docstore import DocStore
    from assistant.storage.index import Index

    index = Index(changed, DocStore(changed.index_db), store, hashing_embedder)
    report = build_index(index, corpus, rebuild=True)
    assert report.chunks_total == store.count() == index.docs.count()
    open_index(changed, embedder=hashing_embedder, store=store).close()


def test_filters_fail_closed(settings, hashing_embedder, corpus):
    index = _index(settings, hashing_embedder)
    build_index(index, corpus)
    vec = hashing_embedder.embed_query("wastewater")
    assert index.store.query(vec, 5, Filter(zones=())) == []
    assert index.docs.keyword_search("wastewater", 5, Filter(zones=("nowhere",))) == []
    hits = index.docs.keyword_search("wastewater", 5, Filter(zones=("alpha",), include_frameworks=True))
    sources = {index.docs.get_chunks([h[0]])[h[0]].source for h in hits}
    assert sources == {"zones/alpha/reports/baseline.html", "frameworks/guide.md"}


@pytest.mark.parametrize("chroma", [False, True], ids=["in-memory", "chroma"])
def test_chunks_carry_their_language_and_a_language_filter_keeps_to_it(settings, hashing_embedder, corpus,
                                                                       chroma, tmp_path):
    (corpus / "zones" / "alpha" / "summary-km.md").write_text(
        "# សេចក្តីសង្ខេប\n\nរោងចក្រប្រព្រឹត្តកម្មទឹកកខ្វក់រួមមានសមត្ថភាព ៤៥០០ ម៉ែត្រគូបក្នុងមួយថ្ងៃ។\n",
        encoding="utf-8")
    store = ChromaStore(settings, path=tmp_path / "chroma") if chroma else InMemoryStore()
    index = _index(settings, hashing_embedder, store)
    build_index(index, corpus)
    vec = hashing_embedder.embed_query("wastewater")

    def sources(languages: tuple[str, ...]) -> set[str]:
        hits = index.store.query(vec, 50, Filter(languages=languages))
        return {c.source for c in index.docs.get_chunks([h[0] for h in hits]).values()}

    assert sources(("km",)) == {"zones/alpha/summary-km.md"}
    english = sources(("en",))
    assert "zones/alpha/summary-km.md" not in english and "frameworks/guide.md" in english
    assert sources(()) == set()
    # Both stores count by the same filter (the retriever weighs the other language by it).
    km, en = index.store.count(Filter(languages=("km",))), index.store.count(Filter(languages=("en",)))
    assert km == len(index.docs.chunks_of("zones/alpha/summary-km.md")) >= 1
    assert km + en == index.store.count() and en > km
    assert index.store.count(Filter(languages=())) == 0
    index.close()


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, id=n) for n in json.loads((PDF_ZOO / "expected.json").read_text())],
)
def test_pdf_zoo_files_are_indexed_or_reported(name, settings, hashing_embedder, tmp_path):
    expected = json.loads((PDF_ZOO / "expected.json").read_text())[name]
    corpus = tmp_path / "zoo"
    (corpus / "zones" / "z").mkdir(parents=True)
    shutil.copy(PDF_ZOO / name, corpus / "zones" / "z" / name)
    (corpus / "zones" / "z" / "ok.md").write_text("# Fine\n\nThis file is fine.\n")
    index = _index(settings, hashing_embedder)
    report = build_index(index, corpus)
    record = index.docs.files()[f"zones/z/{name}"]
    assert "zones/z/ok.md" in report.indexed, "one bad file must not stop the others"
    if expected["expect"] == "index":
        assert record.status == "indexed" and record.pages == expected["pages"]
        assert record.chunks > 0
    elif expected["expect"] == "needs_ocr":
        assert (record.status, record.kind) == ("needs_ocr", "needs_ocr")
        assert "OCR" in record.reason
    else:
        assert record.status == "failed" and record.kind in {"corrupt", "encrypted", "empty"}
        assert name in record.reason
    assert [f["source"] for f in report.failed] == (
        [] if expected["expect"] == "index" else [f"zones/z/{name}"]
    )


def _kill_worker_env(data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["EIP_DATA_DIR"] = str(data)
    return env


@pytest.mark.slow
def test_run_killed_midway_is_completed_without_duplicates_or_orphans(settings, corpus, tmp_path):
    """SIGKILL a real indexing process (Chroma on disk) mid-run, then finish it."""
    for i in range(12):  # enough files for several commit batches
        shutil.copy(PDF_ZOO / "report-4-pages.pdf", corpus / "zones" / "beta" / f"copy-{i}.pdf")
        (corpus / "zones" / "alpha" / f"note-{i}.md").write_text(
            "\n\n".join(f"Paragraph {j} of note {i} about wastewater and energy." for j in range(40))
        )
    data = tmp_path / "killed"
    worker = Path(__file__).with_name("kill_worker.py")
    proc = subprocess.Popen(
        [sys.executable, str(worker), str(corpus)], env=_kill_worker_env(data),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    db = data / "index.db"
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    committed = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            except sqlite3.OperationalError:
                committed = 0
            if committed >= 2:
                break
        time.sleep(0.05)
    assert proc.poll() is None, f"worker finished before it could be killed: {proc.communicate()}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    from indexing.embed import HashingEmbedder

    killed_settings = settings.model_copy(update={"data_dir": data})
    resumed = open_index(killed_settings, embedder=HashingEmbedder(), store=ChromaStore(killed_settings),
                         must_exist=False)
    report = build_index(resumed, corpus)
    assert report.failed == []

    clean_settings = settings.model_copy(update={"data_dir": tmp_path / "clean"})
    clean = open_index(clean_settings, embedder=HashingEmbedder(), store=ChromaStore(clean_settings),
                       must_exist=False)
    build_index(clean, corpus)

    assert resumed.docs.count() == clean.docs.count()
    assert resumed.docs.chunk_ids() == clean.docs.chunk_ids()
    assert resumed.store.ids() == resumed.docs.chunk_ids(), "no orphan or missing vectors"
    assert resumed.store.count() == clean.store.count()
