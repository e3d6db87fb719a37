"""Should ``onnx-int8`` be the default? Retrieval quality of fp32 and int8 on every question set.

Each backend indexes each corpus (the sample corpus, the independent one) into its own data
directory and runs the full evaluation (``evals.runner.run_eval``, extractive answerer, top 5).
hit@5 and recall@5 are reported per question set: the sample set's dev and test splits and the
independent set. int8 may become the default only if it stays within ``TOLERANCE`` of fp32 on
every set and both metrics.

    python -m bench.int8 [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
TOLERANCE = 0.01
BACKENDS = ("onnx", "onnx-int8")
#: (name, questions, corpus, split or None for the whole file)
SETS = (
    ("sample dev", ROOT / "evals" / "questions.jsonl", ROOT / "corpus", "dev"),
    ("sample test", ROOT / "evals" / "questions.jsonl", ROOT / "corpus", "test"),
    ("independent", ROOT / "evals" / "independent" / "questions.jsonl",
     ROOT / "evals" / "independent" / "corpus", None),
)
METRICS = ("hit@k", "recall@k")


def _scores(rows: list[dict[str, Any]]) -> dict[str, float | int | None]:
    from evals.metrics import mean

    scored = [r["retrieval"] for r in rows if r.get("retrieval")]
    out: dict[str, float | int | None] = {"n": len(scored)}
    for name in (*METRICS, "mrr"):
        out[name] = mean(s[name] for s in scored)
    out["key_fact_recall"] = mean(r["key_fact_recall"] for r in rows)
    out["abstention_accuracy"] = mean(float(r["abstention_correct"]) for r in rows)
    return out


def evaluate(backend: str, corpus: Path, questions: Path, log: Any = print) -> list[dict[str, Any]]:
    """Index ``corpus`` with ``backend`` (incrementally, own data dir) and evaluate every question."""
    from assistant.service import build_assistant
    from assistant.settings import load_settings
    from evals.runner import load_questions, run_eval
    from indexing import build_index, open_index

    data = WORK / f"int8-{backend}-{corpus.parent.name}-{corpus.name}"
    saved = data / "per_question.json"
    if saved.exists() and saved.stat().st_mtime > questions.stat().st_mtime:
        log(f"  {backend}: {corpus.relative_to(ROOT)}: reusing {saved.relative_to(ROOT)}")
        return json.loads(saved.read_text())
    settings = load_settings(data_dir=data, corpus_dir=corpus, embedding_backend=backend,
                             model_cache_dir=WORK / "models")
    index = open_index(settings, must_exist=False)
    report = build_index(index, corpus)
    log(f"  {backend}: {corpus.relative_to(ROOT)} indexed ({report.chunks_total} chunks)")
    assistant = build_assistant(settings, index=index)
    try:
        rows = run_eval(assistant, load_questions(questions), k=5).per_question
    finally:
        assistant.close()
    saved.write_text(json.dumps(rows, default=str))
    return rows


def run(log: Any = print) -> dict[str, Any]:
    """Scores per backend and question set, and whether int8 held on all of them."""
    rows: dict[tuple[str, Path], list[dict[str, Any]]] = {}
    sets: dict[str, dict[str, Any]] = {}
    for name, questions, corpus, split in SETS:
        sets[name] = {}
        for backend in BACKENDS:
            key = (backend, questions)
            if key not in rows:
                rows[key] = evaluate(backend, corpus, questions, log=log)
            chosen = [r for r in rows[key] if split is None or r.get("split") == split]
            sets[name][backend] = _scores(chosen)
        fp32, int8 = sets[name]["onnx"], sets[name]["onnx-int8"]
        sets[name]["delta"] = {m: int8[m] - fp32[m] for m in METRICS}
        sets[name]["held"] = all(sets[name]["delta"][m] >= -TOLERANCE - 1e-9 for m in METRICS)
        log(f"  {name:<12} fp32 hit@5 {fp32['hit@k']:.3f} recall@5 {fp32['recall@k']:.3f} | "
            f"int8 hit@5 {int8['hit@k']:.3f} recall@5 {int8['recall@k']:.3f}")
    return {"tolerance": TOLERANCE, "sets": sets,
            "adopt_int8": all(s["held"] for s in sets.values())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.int8")
    ap.add_argument("--out", type=Path, default=WORK / "int8.json")
    args = ap.parse_args(argv)
    result = run()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps({n: s["delta"] for n, s in result["sets"].items()}, indent=2))
    print("adopt int8 as default:", result["adopt_int8"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
