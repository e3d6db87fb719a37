"""Where an index build's time goes, stage by stage (bench only: wraps the pipeline's parts).

:func:`instrument` wraps, for the rest of the process, the functions each stage runs in and
adds up their wall time: file discovery and hashing, parsing (on the prefetch thread, so it
overlaps with the main thread) and how long the main thread waited for it, chunking,
tokenisation, the model itself, the Chroma upserts and the SQLite rows with their FTS5 index
(the commit included: a batch's flush less its embedding and Chroma calls). The main thread's
stages add up to about the build; the parse thread's are shown beside them.

    python -m bench.indexing child --impl ours --stages ...   (bench.run's "stages" stage)
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from typing import Any


class Timers:
    """Seconds and calls per stage name, safe to add to from several threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] += seconds
            self.calls[name] += 1

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Replace ``owner.attr`` by a timed copy."""
        inner = getattr(owner, attr)

        @functools.wraps(inner)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started)

        setattr(owner, attr, timed)

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {k: {"seconds": round(v, 3), "calls": self.calls[k]} for k, v in self.seconds.items()}


class _TimedTokenizer:
    """A ``tokenizers.Tokenizer`` whose ``encode_batch`` is timed as "tokenise"."""

    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner = inner
        self._timers = timers

    def encode_batch(self, texts: list[str]) -> Any:
        started = time.perf_counter()
        try:
            return self._inner.encode_batch(texts)
        finally:
            self._timers.add("tokenise", time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def instrument() -> Timers:
    """Wrap the pipeline's stages in this process; returns the timers they add to."""
    from assistant.storage import docstore, vectors
    from indexing import embed, pipeline, sandbox

    timers = Timers()
    timers.wrap(pipeline, "discover", "discover + hash files")
    timers.wrap(sandbox.ParseWorker, "parse", "parse (prefetch thread)")
    timers.wrap(pipeline, "chunk_document", "chunk (prefetch thread)")
    timers.wrap(pipeline._Prefetch, "get", "wait for parsing (main thread)")
    timers.wrap(embed.OnnxEmbedder, "_encode", "embed (tokenise + model)")
    timers.wrap(embed.OnnxEmbedder, "_run", "model runs (worker threads, summed)")
    timers.wrap(embed.SentenceTransformerEmbedder, "_encode", "embed (tokenise + model)")
    timers.wrap(embed.OnnxEmbedder, "_load", "load the model")
    timers.wrap(vectors.ChromaStore, "_open", "open Chroma (import + client)")
    timers.wrap(vectors.ChromaStore, "upsert", "Chroma upserts")
    timers.wrap(vectors.ChromaStore, "delete", "Chroma deletes")
    timers.wrap(docstore.DocStore, "replace_file", "SQLite chunk rows + FTS5")
    timers.wrap(pipeline, "_flush", "flush (embed + all writes)")
    timers.wrap(pipeline, "_reconcile", "reconcile")
    load = embed.OnnxEmbedder._load_onnx

    def load_with_timed_tokenizer(self: Any) -> None:
        load(self)
        self._tokenizer = _TimedTokenizer(self._tokenizer, timers)

    embed.OnnxEmbedder._load_onnx = load_with_timed_tokenizer
    return timers
