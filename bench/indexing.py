"""Indexing benchmark: the project's pipeline against a LangChain baseline, in A/B pairs.

Every build runs in its own subprocess with a fresh data directory, so start-up, imports
and model loading count for both sides, and the kernel's per-child rusage (``os.wait4``)
gives each run's own peak RSS and CPU time.

The baseline is the usual tutorial pipeline: PyPDFLoader / Docx2txtLoader / BSHTMLLoader /
TextLoader, ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``,
``HuggingFaceEmbeddings`` on the same bundled model, ``Chroma.from_documents``.

    python -m bench.indexing child --impl ours --corpus DIR --data DIR --out FILE
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
SUFFIXES = (".pdf", ".docx", ".md", ".txt", ".html")


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: offline, no telemetry, no stray eip.toml."""
    env = dict(os.environ)
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                "EIP_CONFIG": str(WORK / "no-eip.toml"), "TOKENIZERS_PARALLELISM": "false",
                "PYTHONWARNINGS": "ignore"})
    # One export of the ONNX model for every run (made before the timed builds, see
    # bench.run): a fresh data directory would otherwise export again each time.
    env.setdefault("EIP_MODEL_CACHE_DIR", str(WORK / "models"))
    env.update(extra)
    return env


def ensure_model_export(backend: str | None = None) -> float:
    """Make the ONNX export the runs use, if missing; seconds it took (0 when it existed)."""
    from assistant.settings import load_settings
    from indexing.embed import OnnxEmbedder

    settings = load_settings(model_cache_dir=Path(bench_env()["EIP_MODEL_CACHE_DIR"]),
                             **({"embedding_backend": backend} if backend else {}))
    if not settings.embedding_backend.startswith("onnx"):
        return 0.0
    embedder = OnnxEmbedder(settings.embedding_model, models_dir=settings.models_dir,
                            quantize=settings.embedding_backend == "onnx-int8")
    if embedder.export_path().exists():
        return 0.0
    started = time.perf_counter()
    embedder.embed_query("export")
    return time.perf_counter() - started


# --------------------------------------------------------------------------- child side
def corpus_files(root: Path) -> list[Path]:
    """Documents under ``root`` by the project's layout rules (the baseline indexes the same)."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (path.is_file() and path.suffix.lower() in SUFFIXES and len(rel.parts) > 1
                and not any(p.startswith(("_", ".")) for p in rel.parts)):
            out.append(path)
    return out


def baseline_documents(root: Path) -> list[Any]:
    from langchain_community.document_loaders import (
        BSHTMLLoader,
        Docx2txtLoader,
        PyPDFLoader,
        TextLoader,
    )

    loaders = {".pdf": PyPDFLoader, ".docx": Docx2txtLoader, ".html": BSHTMLLoader,
               ".md": TextLoader, ".txt": TextLoader}
    docs: list[Any] = []
    for path in corpus_files(root):
        docs.extend(loaders[path.suffix.lower()](str(path)).load())
    return docs


def _hf_embeddings_class() -> Any:
    """``HuggingFaceEmbeddings`` from langchain-huggingface (the bench extra), else the same
    class from langchain-community (a venv whose huggingface_hub is too new for the former)."""
    try:
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its deprecation notice points to the package above
            from langchain_community.embeddings import HuggingFaceEmbeddings
    return HuggingFaceEmbeddings


def baseline_build(corpus: Path, data: Path) -> dict[str, Any]:
    """Index ``corpus`` the LangChain way into ``data``; returns counts and stage times."""
    t0, c0 = time.perf_counter(), time.process_time()
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from indexing.embed import bundled_model_path

    HuggingFaceEmbeddings = _hf_embeddings_class()
    t1, c1 = time.perf_counter(), time.process_time()
    docs = baseline_documents(corpus)
    t2, c2 = time.perf_counter(), time.process_time()
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    embeddings = HuggingFaceEmbeddings(model_name=str(bundled_model_path()),
                                       model_kwargs={"device": "cpu"},
                                       encode_kwargs={"normalize_embeddings": True})
    t3, c3 = time.perf_counter(), time.process_time()
    store = Chroma.from_documents(splits, embeddings, persist_directory=str(data / "chroma"),
                                  collection_name="baseline",
                                  collection_metadata={"hnsw:space": "cosine"})
    t4, c4 = time.perf_counter(), time.process_time()
    return {"chunks": len(splits), "documents": len(docs), "store": store,
            "stages": {"imports": t1 - t0, "load": t2 - t1, "split+model": t3 - t2,
                       "embed+store": t4 - t3},
            # process CPU (every thread: torch's intra-op pool included)
            "cpu_stages": {"imports": c1 - c0, "load": c2 - c1, "split+model": c3 - c2,
                           "embed+store": c4 - c3}}


def ours_build(corpus: Path, data: Path) -> dict[str, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    from assistant.settings import load_settings
    from indexing import build_index, open_index

    settings = load_settings(data_dir=data, corpus_dir=corpus)
    index = open_index(settings, must_exist=False)
    t1, c1 = time.perf_counter(), time.process_time()
    report = build_index(index, corpus)
    t2, c2 = time.perf_counter(), time.process_time()
    index.close()
    return {"chunks": report.chunks_added, "chunks_total": report.chunks_total,
            "files": len(report.indexed), "unchanged": report.unchanged,
            "failed": len(report.failed), "build_seconds": report.seconds,
            "backend": settings.embedding_backend,
            "stages": {"imports+open": t1 - t0, "build_index": t2 - t1},
            # this process's CPU (the sandbox parser's is in the parent's rusage of the child)
            "cpu_stages": {"imports+open": c1 - c0, "build_index": c2 - c1}}


def child(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=("ours", "baseline"), required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--profile", type=Path, help="write a pyinstrument text profile here")
    ap.add_argument("--stages", action="store_true", help="time each stage (bench.stages)")
    args = ap.parse_args(argv)
    timers = None
    if args.stages:
        from bench.stages import instrument

        timers = instrument()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    started = time.perf_counter()
    result = (ours_build if args.impl == "ours" else baseline_build)(args.corpus, args.data)
    result.pop("store", None)
    result["seconds_in_process"] = time.perf_counter() - started
    if timers is not None:
        result["stage_times"] = timers.as_dict()
        result["stage_counts"] = dict(timers.counts)
    if profiler is not None:
        profiler.stop()
        args.profile.parent.mkdir(parents=True, exist_ok=True)
        args.profile.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    args.out.write_text(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- parent side
@dataclass
class Run:
    impl: str
    wall: float
    cpu: float
    peak_rss_mib: float
    chunks: int
    pages: int
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.wall


def run_child(impl: str, corpus: Path, data: Path, pages: int, *, env: dict[str, str] | None = None,
              fresh: bool = True, profile: Path | None = None, stages: bool = False) -> Run:
    """One build in a subprocess; wall time, CPU time and peak RSS of that process alone."""
    if fresh and data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    out = data.parent / f"{data.name}.json"
    cmd = [sys.executable, "-m", "bench.indexing", "child", "--impl", impl, "--corpus", str(corpus),
           "--data", str(data), "--out", str(out)]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    if stages:
        cmd.append("--stages")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env or bench_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{impl} build failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    detail = json.loads(out.read_text())
    return Run(impl, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               int(detail["chunks"]), pages, detail)


def summary(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def run_pairs(corpus: Path, pages: int, pairs: int, *, ours_env: dict[str, str] | None = None,
              stages: bool = False, log: Any = print) -> dict[str, Any]:
    """A B A B ...: ``pairs`` builds of each, alternating, ours first in odd pairs.

    ``stages``: our builds run instrumented (:mod:`bench.stages`), so the stage table comes
    from a timed build instead of one more; the wrappers' cost (a few hundred calls per
    build) counts against ours.
    """
    runs: list[tuple[Run, Run]] = []
    base = WORK / "runs"
    for n in range(pairs):
        order = ("ours", "baseline") if n % 2 == 0 else ("baseline", "ours")
        got: dict[str, Run] = {}
        for impl in order:
            env = ours_env if impl == "ours" else None
            got[impl] = run_child(impl, corpus, base / f"{impl}-{n}", pages, env=env,
                                  stages=stages and impl == "ours")
            r = got[impl]
            log(f"  pair {n + 1}/{pairs} {impl:<8} {r.wall:7.1f} s  {r.pages_per_s:6.1f} pages/s  "
                f"{r.chunks_per_s:6.1f} chunks/s  peak {r.peak_rss_mib:6.0f} MiB")
        runs.append((got["ours"], got["baseline"]))
    ratios = [b.wall / o.wall for o, b in runs]
    cpu_ratios = [b.cpu / o.cpu for o, b in runs]
    return {
        "cpu_ratio": summary(cpu_ratios),
        "pairs": [{"ours": asdict(o), "baseline": asdict(b), "ratio": b.wall / o.wall}
                  for o, b in runs],
        "ratio": summary(ratios),
        "ours": {"pages_per_s": summary([o.pages_per_s for o, _ in runs]),
                 "chunks_per_s": summary([o.chunks_per_s for o, _ in runs]),
                 "wall": summary([o.wall for o, _ in runs]),
                 "cpu": summary([o.cpu for o, _ in runs]),
                 "peak_rss_mib": summary([o.peak_rss_mib for o, _ in runs]),
                 "chunks": runs[0][0].chunks},
        "baseline": {"pages_per_s": summary([b.pages_per_s for _, b in runs]),
                     "chunks_per_s": summary([b.chunks_per_s for _, b in runs]),
                     "wall": summary([b.wall for _, b in runs]),
                     "cpu": summary([b.cpu for _, b in runs]),
                     "peak_rss_mib": summary([b.peak_rss_mib for _, b in runs]),
                     "chunks": runs[0][1].chunks},
    }


def reindex(corpus: Path, pages: int, *, env: dict[str, str] | None = None,
            built: Path | None = None, log: Any = print) -> dict[str, Any]:
    """Full build, then a no-op re-index, then a re-index after one changed file.

    ``built``: the data directory of a finished full build of ``corpus`` (an A/B run's);
    it is copied instead of building again.
    """
    from bench.corpus import touch_one

    work = WORK / "reindex"
    copy = work / "corpus"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(corpus, copy)
    data = work / "data"
    if built is not None and (built.parent / f"{built.name}.json").exists():
        if data.exists():
            shutil.rmtree(data)
        shutil.copytree(built, data)
        detail = json.loads((built.parent / f"{built.name}.json").read_text())
        full = Run("ours", float(detail["seconds_in_process"]), 0.0, 0.0, int(detail["chunks"]),
                   pages, detail)
    else:
        full = run_child("ours", copy, data, pages, env=env)
    noop = run_child("ours", copy, data, pages, env=env, fresh=False)
    changed_file = touch_one(copy)
    one = run_child("ours", copy, data, pages, env=env, fresh=False)
    full_s = full.detail["build_seconds"]
    out = {
        "full": {"build_seconds": full_s, "process_seconds": full.wall},
        "noop": {"build_seconds": noop.detail["build_seconds"], "process_seconds": noop.wall,
                 "unchanged": noop.detail["unchanged"], "share": noop.detail["build_seconds"] / full_s,
                 "process_share": noop.wall / full.wall},
        "one_changed": {"file": str(changed_file.relative_to(copy)),
                        "build_seconds": one.detail["build_seconds"], "process_seconds": one.wall,
                        "files": one.detail["files"], "share": one.detail["build_seconds"] / full_s,
                        "process_share": one.wall / full.wall},
    }
    log(f"  re-index: full {full_s:.1f} s, no-op {out['noop']['build_seconds']:.2f} s "
        f"({out['noop']['share']:.1%}), one changed {out['one_changed']['build_seconds']:.2f} s "
        f"({out['one_changed']['share']:.1%})")
    return out


# --------------------------------------------------------------------------- quality
def baseline_quality(questions_path: Path, corpus: Path, data: Path, k: int = 5) -> dict[str, Any]:
    """Build the baseline on ``corpus`` and score its top-``k`` on the gold questions."""
    from evals import metrics as m
    from evals.runner import load_questions

    built = baseline_build(corpus, data)
    store = built["store"]
    rows = []
    for q in load_questions(questions_path):
        if not q.sources:
            continue
        got = []
        for doc in store.similarity_search(q.question, k=k):
            path = Path(doc.metadata["source"])
            rel = path.resolve().relative_to(corpus.resolve()).as_posix()
            page = doc.metadata.get("page")
            got.append(m.Retrieved(rel, int(page) + 1 if page is not None and rel.endswith(".pdf")
                                   else None))
        rows.append({"hit@k": m.hit_at_k(got, q.sources, k), "mrr": m.reciprocal_rank(got, q.sources),
                     "recall@k": m.recall_at_k(got, q.sources, k)})
    return {name: statistics.mean(r[name] for r in rows) for name in ("hit@k", "recall@k", "mrr")} | {
        "n": len(rows), "chunks": built["chunks"]}


def ours_quality(questions_path: Path, corpus: Path, data: Path, k: int = 5) -> dict[str, Any]:
    """Build our index on ``corpus`` (backend from the environment) and run the eval."""
    from assistant.service import build_assistant
    from assistant.settings import load_settings
    from evals.runner import load_questions, run_eval
    from indexing import build_index, open_index

    settings = load_settings(data_dir=data, corpus_dir=corpus)
    index = open_index(settings, must_exist=False)
    report = build_index(index, corpus)
    assistant = build_assistant(settings, index=index)
    result = run_eval(assistant, load_questions(questions_path), k=k)
    assistant.close()
    return {**{k2: v for k2, v in result.retrieval.items()}, "n": result.n,
            "chunks": report.chunks_total, "backend": settings.embedding_backend,
            "key_fact_recall": result.answer.get("key_fact_recall"),
            "abstention_accuracy": result.answer.get("abstention_accuracy")}


def quality_child(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=("ours", "baseline"), required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.data.exists():
        shutil.rmtree(args.data)
    fn = ours_quality if args.impl == "ours" else baseline_quality
    args.out.write_text(json.dumps(fn(args.questions, args.corpus, args.data)))
    return 0


def quality(impl: str, *, backend: str | None = None, questions: Path | None = None,
            corpus: Path | None = None) -> dict[str, Any]:
    """Retrieval quality of one implementation on the sample corpus (in a subprocess)."""
    name = f"quality-{impl}" + (f"-{backend}" if backend else "")
    data = WORK / name
    out = WORK / f"{name}.json"
    env = bench_env(**({"EIP_EMBEDDING_BACKEND": backend} if backend else {}))
    cmd = [sys.executable, "-m", "bench.indexing", "quality", "--impl", impl,
           "--questions", str(questions or ROOT / "evals" / "questions.jsonl"),
           "--corpus", str(corpus or ROOT / "corpus"), "--data", str(data), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"quality run {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "child":
        return child(argv[1:])
    if argv and argv[0] == "quality":
        return quality_child(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bench.indexing")
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--backend", default=None, help="EIP_EMBEDDING_BACKEND for our runs")
    args = ap.parse_args(argv)
    from bench.corpus import generate

    corpus = generate(args.pages)
    env = bench_env(**({"EIP_EMBEDDING_BACKEND": args.backend} if args.backend else {}))
    print(json.dumps(run_pairs(corpus.root, corpus.pages, args.pairs, ours_env=env)["ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
