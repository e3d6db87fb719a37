"""Embedding backends: fingerprint rules, the ONNX embedder's output, text dedupe and caching."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import IndexMismatchError
from assistant.storage.index import check_fingerprint
from indexing.embed import HashingEmbedder, _unique, _VectorCache


def _fp(backend: str | None) -> dict[str, object]:
    fp: dict[str, object] = {"embedding_model": "m", "chunk_size": 900, "chunk_overlap": 120,
                             "parser_version": "3"}
    if backend is not None:
        fp["embedding_backend"] = backend
    return fp


def test_torch_and_fp32_onnx_indexes_are_interchangeable() -> None:
    check_fingerprint(_fp("torch"), _fp("onnx"))
    check_fingerprint(_fp("onnx"), _fp("torch"))
    check_fingerprint(_fp(None), _fp("onnx"))  # index from before the key existed = torch


@pytest.mark.parametrize(("stored", "current"), [("torch", "onnx-int8"), ("onnx-int8", "onnx"),
                                                  (None, "onnx-int8")])
def test_int8_and_fp32_indexes_are_not_mixed(stored: str | None, current: str) -> None:
    with pytest.raises(IndexMismatchError, match="embedding_backend"):
        check_fingerprint(_fp(stored), _fp(current))


def test_unique_maps_every_text_to_its_distinct_copy() -> None:
    distinct, positions = _unique(["a", "b", "a", "c", "b"])
    assert distinct == ["a", "b", "c"]
    assert [distinct[p] for p in positions] == ["a", "b", "a", "c", "b"]


def test_vector_cache_computes_each_short_text_once_and_keeps_order() -> None:
    calls: list[list[str]] = []
    emb = HashingEmbedder()

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return emb.embed_documents(texts)

    cache = _VectorCache(entries=10, max_chars=20)
    long = "x" * 50
    first = cache.embed(["one", "two", "one", long], compute)
    again = cache.embed(["two", "one", long], compute)
    assert calls == [["one", "two", long], [long]]  # long texts are never cached
    np.testing.assert_allclose(first[[1, 0, 3]], again)
    np.testing.assert_allclose(first[0], first[2])


@pytest.mark.model
@pytest.mark.slow
def test_onnx_embedder_matches_sentence_transformers(tmp_path) -> None:
    from indexing.embed import OnnxEmbedder, SentenceTransformerEmbedder

    texts = ["Wastewater is treated at the central plant before discharge.",
             "The zone has 58 firms and 27,400 workers.", "", "short"]
    reference = SentenceTransformerEmbedder().embed_documents(texts)
    fp32 = OnnxEmbedder(quantize=False, models_dir=tmp_path)
    int8 = OnnxEmbedder(quantize=True, models_dir=tmp_path)
    assert fp32.backend == "onnx" and int8.backend == "onnx-int8"
    got = fp32.embed_documents(texts)
    assert got.shape == reference.shape == (4, fp32.dimension)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert float((got * reference).sum(axis=1).min()) > 0.9999
    assert float((int8.embed_documents(texts) * reference).sum(axis=1).min()) > 0.97
    assert fp32.export_path().exists() and int8.export_path().exists()
    np.testing.assert_allclose(fp32.embed_query(texts[0]), got[0], atol=1e-5)
