"""Query latency: warm, in-process ``Assistant.ask`` (extractive) and retrieval alone.

Measured on the sample index (real embeddings), then on copies of it scaled up to about
10k and 100k chunks. Scale-up chunks are synthetic: each copies a real zone chunk, rewrites
its text with :class:`bench.corpus.Varier` (numbers and words change), puts it in a new zone
``<zone>-sNNNN`` and gives it the real chunk's vector plus Gaussian noise, re-normalised
(cosine ~0.9 to its template) -- embedding 100k chunks for real would take most of the
benchmark's time budget and measures the embedder, not the query path. The rows go through
the same ``DocStore.replace_file`` and ``ChromaStore.upsert`` as the indexer's.

    python -m bench.query --scales 0,10000
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
SCALE_VERSION = "1"


WARM_UP = ("What does the zone do with its sewage sludge?",
           "How many people work in the industrial park?",
           "Is there a solar power plant on the estate?")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def build_sample_index(data: Path, *, backend: str | None = None) -> Path:
    """The sample corpus indexed into ``data`` (reused when its fingerprint matches)."""
    from assistant.settings import load_settings
    from indexing import build_index, open_index

    settings = load_settings(data_dir=data, corpus_dir=ROOT / "corpus",
                             **({"embedding_backend": backend} if backend else {}))
    try:
        index = open_index(settings, must_exist=False)
    except Exception:  # noqa: BLE001 - a stale index from other settings: start again
        shutil.rmtree(data, ignore_errors=True)
        index = open_index(settings, must_exist=False)
    build_index(index, ROOT / "corpus")
    index.close()
    return data


def scale_up(sample: Path, target_chunks: int, *, backend: str | None = None,
             noise: float = 0.02, log: Any = print) -> Path:
    """A copy of the ``sample`` index grown with synthetic chunks to ``target_chunks``."""
    from assistant.settings import load_settings
    from assistant.storage.index import open_index
    from assistant.types import SourceFile
    from bench.corpus import Varier
    from indexing.chunk import chunk_id, index_text

    data = WORK / f"query-{target_chunks}"
    stamp = data / "scale.json"
    from assistant.storage.docstore import DocStore

    docs = DocStore(sample / "index.db")  # what the sample index holds, not when it was touched
    key = {"version": SCALE_VERSION, "target": target_chunks, "backend": backend,
           "fingerprint": docs.get_meta("fingerprint"),
           "files": sorted((f.source, f.sha256) for f in docs.files().values())}
    docs.close()
    if stamp.exists() and json.loads(stamp.read_text()) == key:
        return data
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(sample, data)
    settings = load_settings(data_dir=data, corpus_dir=ROOT / "corpus",
                             **({"embedding_backend": backend} if backend else {}))
    index = open_index(settings)
    col = index.store._open()  # type: ignore[attr-defined]
    templates = [c for f in index.docs.files().values() if f.zone
                 for c in index.docs.chunks_of(f.source)]
    got = col.get(ids=[c.id for c in templates], include=["embeddings"])
    vectors = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
    files: dict[str, list] = {}
    for c in templates:
        files.setdefault(c.source, []).append(c)
    rng = np.random.default_rng(7)
    need = target_chunks - index.docs.count()
    replica = 0
    started = time.perf_counter()
    pending: list[tuple[Any, list[Any], NDArray[np.float32]]] = []

    def flush() -> None:
        if not pending:
            return
        every = [c for _, cs, _ in pending for c in cs]
        index.store.upsert([c.id for c in every], np.concatenate([v for _, _, v in pending]),
                           [{"source": c.source, "page": c.page if c.page is not None else -1,
                             "doc_type": c.doc_type, "zone": c.zone, "date": c.date}
                            for c in every])
        with index.docs.transaction() as conn:
            for src, cs, _ in pending:
                index.docs.replace_file(conn, src, cs, [index_text(c) for c in cs], pages=None)
        pending.clear()

    while need > 0:
        for source, chunks in files.items():
            if need <= 0:
                break
            zone = chunks[0].zone
            new_zone = f"{zone}-s{replica:04d}"
            rel = source.replace(f"zones/{zone}/", f"zones/{new_zone}/", 1)
            varier = Varier(f"{rel}|{replica}")
            new_chunks = []
            for c in chunks[:need]:
                text = varier.text(c.text)
                new_chunks.append(c.__class__(
                    id=chunk_id(rel, c.page, text), text=text, source=rel, page=c.page,
                    section=c.section, doc_type=c.doc_type, zone=new_zone, title=c.title,
                    date=c.date, file_hash=f"synthetic-{replica}", ordinal=c.ordinal))
            base = np.stack([vectors[c.id] for c in chunks[: len(new_chunks)]])
            vecs = base + rng.normal(0, noise, base.shape).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            src = SourceFile(path=rel, rel_path=rel, sha256=f"synthetic-{replica}", size=0,
                             doc_type=chunks[0].doc_type, zone=new_zone, title=chunks[0].title,
                             date=chunks[0].date, author=None)
            pending.append((src, new_chunks, vecs))
            if sum(len(cs) for _, cs, _ in pending) >= 5000:
                flush()
            need -= len(new_chunks)
        replica += 1
    flush()
    total = index.docs.count()
    index.close()
    log(f"  scaled to {total} chunks in {time.perf_counter() - started:.0f} s")
    stamp.write_text(json.dumps(key))
    return data


def measure(data: Path, questions: list[Any], *, backend: str | None = None,
            repeats: int = 1) -> dict[str, Any]:
    """p50/p95 of ask and of retrieval alone over the question set (after a warm-up)."""
    from assistant.service import build_assistant
    from assistant.settings import load_settings

    settings = load_settings(data_dir=data, answerer="extractive",
                             **({"embedding_backend": backend} if backend else {}))

    def fresh() -> Any:
        # A new assistant (empty vector cache), warmed on questions outside the set.
        assistant = build_assistant(settings)
        for text in WARM_UP:
            assistant.ask(text)
        return assistant

    ask_ms: list[float] = []
    retrieve_ms: list[float] = []
    embed_ms: list[float] = []
    for _ in range(repeats):
        assistant = fresh()  # retrieval alone first, so no question vector is cached yet
        for n, q in enumerate(questions):
            t = time.perf_counter()
            assistant.passages(assistant.plan(q.question))
            retrieve_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            assistant.index.embedder.embed_query(f"{q.question} ({n})")
            embed_ms.append((time.perf_counter() - t) * 1000)
        assistant.close()
        assistant = fresh()
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q.question)
            ask_ms.append((time.perf_counter() - t) * 1000)
        chunks = assistant.index.docs.count()
        assistant.close()
    return {"chunks": chunks, "questions": len(questions) * repeats,
            "ask_p50": percentile(ask_ms, 50), "ask_p95": percentile(ask_ms, 95),
            "retrieve_p50": percentile(retrieve_ms, 50), "retrieve_p95": percentile(retrieve_ms, 95),
            "embed_query_p50": percentile(embed_ms, 50),
            "ask_mean": statistics.mean(ask_ms)}


def profile_asks(data: Path, questions: list[Any], out: Path, *, backend: str | None = None) -> None:
    """A pyinstrument text profile of asking every question once (warm)."""
    from pyinstrument import Profiler

    from assistant.service import build_assistant
    from assistant.settings import load_settings

    settings = load_settings(data_dir=data, answerer="extractive",
                             **({"embedding_backend": backend} if backend else {}))
    assistant = build_assistant(settings)
    for text in WARM_UP:
        assistant.ask(text)
    profiler = Profiler(interval=0.001)
    profiler.start()
    for q in questions:
        assistant.ask(q.question)
    profiler.stop()
    assistant.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, color=False))


def run(scales: tuple[int, ...] = (0, 10_000, 100_000), *, backend: str | None = None,
        profile_dir: Path | None = None, log: Any = print) -> dict[str, Any]:
    from evals.runner import load_questions

    questions = load_questions(ROOT / "evals" / "questions.jsonl")
    sample = build_sample_index(WORK / f"query-sample-{backend or 'default'}", backend=backend)
    results = []
    for scale in scales:
        data = sample if scale == 0 else scale_up(sample, scale, backend=backend, log=log)
        r = measure(data, questions, backend=backend)
        r["scale"] = "sample" if scale == 0 else f"~{scale // 1000}k"
        log(f"  {r['scale']:>6} ({r['chunks']} chunks): ask p50 {r['ask_p50']:.0f} ms, "
            f"p95 {r['ask_p95']:.0f} ms; retrieval p50 {r['retrieve_p50']:.0f} ms, "
            f"p95 {r['retrieve_p95']:.0f} ms")
        if profile_dir is not None:
            profile_asks(data, questions, profile_dir / f"query-{r['scale'].strip('~')}.txt",
                         backend=backend)
        results.append(r)
    return {"scales": results, "sample_dir": str(sample)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.query")
    ap.add_argument("--scales", default="0,10000,100000")
    ap.add_argument("--backend")
    ap.add_argument("--profile-dir", type=Path)
    args = ap.parse_args(argv)
    scales = tuple(int(s) for s in args.scales.split(","))
    print(json.dumps(run(scales, backend=args.backend, profile_dir=args.profile_dir), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
