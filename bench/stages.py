"""Where an index build's time goes, stage by stage (bench only: wraps the pipeline's parts).

:func:`instrument` wraps, for the rest of the process, the functions each stage runs in and
adds up their wall time and the CPU time of the thread that ran them (the sandbox parser's
own process CPU for parsing): file discovery and hashing, parsing (on the prefetch thread, so it
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
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float, cpu: float = 0.0) -> None:
        with self._lock:
            self.seconds[name] += seconds
            self.cpu[name] += cpu
            self.calls[name] += 1

    def count(self, name: str, n: int) -> None:
        with self._lock:
            self.counts[name] += n

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Replace ``owner.attr`` by a timed copy."""
        inner = getattr(owner, attr)

        @functools.wraps(inner)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started, time.thread_time() - cpu)

        setattr(owner, attr, timed)

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {k: {"seconds": round(v, 3), "cpu": round(self.cpu[k], 3), "calls": self.calls[k]}
                for k, v in self.seconds.items()}


def _process_cpu(pid: int) -> float:
    """user + system CPU seconds of a live process (Linux ``/proc``; 0 elsewhere)."""
    import os

    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _TimedTokenizer:
    """A ``tokenizers.Tokenizer`` whose ``encode_batch`` is timed as "tokenise"."""

    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner = inner
        self._timers = timers

    def encode_batch(self, texts: list[str]) -> Any:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return self._inner.encode_batch(texts)
        finally:
            self._timers.add("tokenise", time.perf_counter() - started, time.thread_time() - cpu)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def instrument() -> Timers:
    """Wrap the pipeline's stages in this process; returns the timers they add to."""
    from assistant.storage import docstore, vectors
    from indexing import embed, pipeline, sandbox

    timers = Timers()
    timers.wrap(pipeline, "discover", "discover + hash files")
    timers.wrap(sandbox.ParseWorker, "parse", "parse (prefetch thread)")
    parse = sandbox.ParseWorker.parse

    def parse_with_child_cpu(self: Any, *args: Any, **kwargs: Any) -> Any:
        # The parse happens in the sandbox process: its CPU, not this thread's, is the cost.
        proc = getattr(self, "_proc", None)
        before = _process_cpu(proc.pid) if proc is not None else 0.0
        try:
            return parse(self, *args, **kwargs)
        finally:
            proc = getattr(self, "_proc", None)
            if proc is not None:
                timers.add("parse (sandbox process CPU)", 0.0, max(0.0, _process_cpu(proc.pid) - before))

    sandbox.ParseWorker.parse = parse_with_child_cpu
    timers.wrap(pipeline, "chunk_document", "chunk (prefetch thread)")
    timers.wrap(pipeline._Prefetch, "get", "wait for parsing (main thread)")
    timers.wrap(embed.OnnxEmbedder, "_encode", "embed (tokenise + model)")
    timers.wrap(embed.OnnxEmbedder, "_run", "model runs (worker threads, summed)")
    run = embed.OnnxEmbedder._run

    def run_counting_tokens(self: Any, encodings: list[Any]) -> Any:
        timers.count("tokens", sum(len(e.ids) for e in encodings))
        timers.count("positions (padded)", len(encodings) * max(len(e.ids) for e in encodings))
        return run(self, encodings)

    embed.OnnxEmbedder._run = run_counting_tokens
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
