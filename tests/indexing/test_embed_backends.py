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


def test_length_batches_cover_every_text_once_longest_first_within_the_budget() -> None:
    from indexing.embed import length_batches

    lengths = [5, 300, 40, 40, 12, 256, 7, 90, 90, 90, 3]
    groups = length_batches(lengths, max_rows=3, max_tokens=200)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    flat = [lengths[i] for g in groups for i in g]
    assert flat == sorted(lengths, reverse=True)  # so each batch pads to similar lengths
    for g in groups:
        assert len(g) <= 3
        assert len(g) == 1 or len(g) * max(lengths[i] for i in g) <= 200
    # 300 and 256 alone (over budget); 3 x 90 > 200; max_rows caps 40, 12, 7
    assert [[lengths[i] for i in g] for g in groups] == [[300], [256], [90, 90], [90, 40], [40, 12, 7], [5, 3]]


@pytest.mark.model
@pytest.mark.slow
def test_onnx_batching_gives_each_text_its_own_vector_in_input_order(tmp_path) -> None:
    from indexing.embed import OnnxEmbedder

    texts = ["Wastewater is treated at the central plant before discharge. " * n for n in
             (1, 9, 3, 30, 2, 1)] + ["The zone has 58 firms.", "", "x"]
    batched = OnnxEmbedder(models_dir=tmp_path, threads=2)
    single = OnnxEmbedder(models_dir=tmp_path, threads=1)
    alone = np.stack([single.embed_documents([t])[0] for t in texts])
    got = batched.embed_documents(texts)
    np.testing.assert_allclose(got, alone, atol=1e-5)  # padding never leaks into a vector
    dup = batched.embed_documents([texts[3], texts[0], texts[3]])
    np.testing.assert_allclose(dup, got[[3, 0, 3]], atol=1e-5)
