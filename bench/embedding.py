"""Embedding ceiling: tokens/s of each embedder backend against this machine's matmul peak.

The peak is a float32 matrix-multiply benchmark (numpy/OpenBLAS, all cores) run in the
same process, before and after the embedders. The model's work is counted as
``2 * layers * (12 h^2 + 2 n h)`` FLOP per token (projections, feed-forward and attention
at the batch's padded length ``n``), so "share of peak" compares like with like for the
fp32 backends; for int8 it is the fp32-equivalent rate.

    python -m bench.embedding [--texts 400]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def matmul_peak(size: int = 1536, seconds: float = 3.0) -> dict[str, float]:
    """Best float32 GFLOP/s of ``size``-square matmuls over about ``seconds``."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b  # warm-up: thread pool start, page faults
    best = 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - t) / 1e9)
    return {"gflops": best, "size": size}


def sample_texts(limit: int) -> list[str]:
    """Chunk texts of the sample corpus exactly as the indexer embeds them."""
    from assistant.settings import Settings
    from indexing.chunk import chunk_document, index_text
    from indexing.discover import discover
    from indexing.parse import parse_file

    settings = Settings()
    texts: list[str] = []
    for source in discover(ROOT / "corpus"):
        parsed = parse_file(Path(source.path))
        texts += [index_text(c) for c in chunk_document(source, parsed, size=settings.chunk_size,
                                                        overlap=settings.chunk_overlap)]
        if len(texts) >= limit:
            break
    return texts[:limit]


def model_shape() -> dict[str, int]:
    from indexing.embed import bundled_model_path

    config = json.loads((bundled_model_path() / "config.json").read_text())
    return {"layers": int(config["num_hidden_layers"]), "hidden": int(config["hidden_size"])}


def flops_per_token(tokens: int, padded: int, texts: int, shape: dict[str, int]) -> float:
    """Model FLOP per real token, with attention at the mean padded length."""
    h, layers = shape["hidden"], shape["layers"]
    n = padded / max(texts, 1)
    return 2 * layers * (12 * h * h + 2 * n * h) * (padded / max(tokens, 1))


def token_counts(texts: list[str], batch: int) -> tuple[int, int]:
    """(real tokens after truncation, tokens after padding each length-sorted batch)."""
    from tokenizers import Tokenizer

    from indexing.embed import bundled_model_path

    tok = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tok.enable_truncation(max_length=256)
    lengths = sorted((len(e.ids) for e in tok.encode_batch(texts)), reverse=True)
    padded = sum(max(lengths[i : i + batch]) * len(lengths[i : i + batch])
                 for i in range(0, len(lengths), batch))
    return sum(lengths), padded


def measure(backend: str, texts: list[str], peak: float, shape: dict[str, int]) -> dict[str, Any]:
    from assistant.settings import Settings
    from indexing.embed import make_embedder

    embedder = make_embedder(Settings(embedding_backend=backend))  # type: ignore[arg-type]
    started = time.perf_counter()
    embedder.embed_documents(texts[:8])  # load (and, first time, export) + warm-up
    load = time.perf_counter() - started
    t, c = time.perf_counter(), time.process_time()
    embedder.embed_documents(texts)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    batch = 32 if backend.startswith("onnx") else 64
    tokens, padded = token_counts(texts, batch)
    fpt = flops_per_token(tokens, padded, len(texts), shape)
    gflops = tokens / wall * fpt / 1e9
    return {"backend": backend, "texts": len(texts), "tokens": tokens, "seconds": wall,
            "cpu_seconds": cpu, "texts_per_s": len(texts) / wall, "tokens_per_s": tokens / wall,
            "gflops": gflops, "share_of_peak": gflops / peak, "load_seconds": load,
            "mflop_per_token": fpt / 1e6}


def run(n_texts: int = 400, backends: tuple[str, ...] = ("torch", "onnx", "onnx-int8"),
        *, peak_seconds: float = 3.0, log: Any = print) -> dict[str, Any]:
    texts = sample_texts(n_texts)
    shape = model_shape()
    before = matmul_peak(seconds=peak_seconds)
    log(f"  matmul peak {before['gflops']:.1f} GFLOP/s (fp32, {os.cpu_count()} cores)")
    results = []
    for backend in backends:
        r = measure(backend, texts, before["gflops"], shape)
        log(f"  {backend:<10} {r['tokens_per_s']:7.0f} tokens/s  {r['texts_per_s']:6.1f} texts/s  "
            f"{r['gflops']:5.1f} GFLOP/s = {r['share_of_peak']:.0%} of peak")
        results.append(r)
    after = matmul_peak(seconds=peak_seconds)
    peak = max(before["gflops"], after["gflops"])
    for r in results:
        r["share_of_peak"] = r["gflops"] / peak
    return {"peak_gflops": peak, "peak_before": before["gflops"], "peak_after": after["gflops"],
            "model": shape, "backends": results}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.embedding")
    ap.add_argument("--texts", type=int, default=400)
    ap.add_argument("--backend", action="append")
    args = ap.parse_args(argv)
    out = run(args.texts, tuple(args.backend or ("torch", "onnx", "onnx-int8")))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
