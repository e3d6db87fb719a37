"""Side-by-side evaluation of several question sets: dev, test and the independent set.

``python -m evals.compare --report docs/eval-sets.md`` indexes each corpus into its own data
directory (incrementally), runs every set with the extractive answerer and writes one table
with a column per set. A metric where dev and the independent set differ by more than
``GAP`` is flagged: a number that holds on dev only was tuned, not learnt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from evals.runner import EvalReport, Question, load_questions, run_eval

REPO = Path(__file__).resolve().parents[1]
GAP = 0.05  # issue #14: dev and independent must agree within this


@dataclass(frozen=True)
class QuestionSet:
    """A named slice of a question file over a corpus."""

    name: str
    corpus: Path
    questions: Path
    split: str | None = None  # None: every question of the file


SETS = (
    QuestionSet("dev", REPO / "corpus", REPO / "evals" / "questions.jsonl", "dev"),
    QuestionSet("test", REPO / "corpus", REPO / "evals" / "questions.jsonl", "test"),
    QuestionSet("independent", REPO / "evals" / "independent" / "corpus",
                REPO / "evals" / "independent" / "questions.jsonl"),
)
METRICS = (
    ("retrieval", "hit@k"), ("retrieval", "recall@k"), ("retrieval", "mrr"),
    ("answer", "answered_rate"), ("answer", "unanswerable_abstention"), ("answer", "key_fact_recall"),
    ("answer", "citation_precision"), ("answer", "citation_recall"), ("answer", "faithfulness"),
    ("answer", "paraphrase_agreement"), ("answer", "opening_figure_accuracy"),
    ("answer", "yes_no_accuracy"), ("answer", "yes_no_precision"),
)


def open_set(qs: QuestionSet, data_root: Path) -> tuple[Assistant, list[Question]]:
    """Index ``qs.corpus`` under ``data_root`` (incrementally); the assistant and the set's questions.

    The caller closes the assistant.
    """
    from indexing import build_index, open_index

    # One index per corpus: sets over the same corpus share it.
    key = hashlib.sha256(str(qs.corpus.resolve()).encode()).hexdigest()[:12]
    settings = Settings(data_dir=data_root / f"{qs.corpus.parent.name}-{key}", corpus_dir=qs.corpus)
    index = open_index(settings, must_exist=False)
    try:
        build_index(index, qs.corpus)
    finally:
        index.close()
    questions = [q for q in load_questions(qs.questions) if qs.split is None or q.split == qs.split]
    return build_assistant(settings), questions


def run_set(qs: QuestionSet, data_root: Path, *, k: int = 5) -> EvalReport:
    """Index ``qs.corpus`` under ``data_root`` (incrementally) and evaluate the set."""
    assistant, questions = open_set(qs, data_root)
    try:
        return run_eval(assistant, questions, k=k)
    finally:
        assistant.close()


def _value(report: EvalReport, group: str, name: str) -> float | None:
    return (report.retrieval if group == "retrieval" else report.answer).get(name)


def render(reports: dict[str, EvalReport]) -> str:
    """A Markdown table: one row per metric, one column per set, gaps flagged."""
    names = list(reports)
    lines = ["| metric | " + " | ".join(f"{n} (n={reports[n].n})" for n in names) + " | dev vs independent |",
             "| --- |" + " --- |" * (len(names) + 1)]
    for group, metric in METRICS:
        values = {n: _value(reports[n], group, metric) for n in names}
        cells = ["n/a" if v is None else f"{v:.3f}" for v in values.values()]
        dev, ind = values.get("dev"), values.get("independent")
        flag = ""
        if dev is not None and ind is not None:
            gap = ind - dev
            flag = f"{gap:+.3f}" + (" **gap > 0.05**" if abs(gap) > GAP else "")
        lines.append(f"| {metric} | " + " | ".join(cells) + f" | {flag} |")
    p50 = " | ".join(f"{reports[n].latency_ms['p50']:.0f}" for n in names)
    lines.append(f"| latency p50 (ms) | {p50} | |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(".eip-eval"), help="where the indexes go")
    parser.add_argument("--report", type=Path, help="write the Markdown table here")
    parser.add_argument("--json", type=Path, help="write every set's metrics as JSON here")
    parser.add_argument("--only", nargs="*", help="set names to run (default: all)")
    args = parser.parse_args(argv)
    chosen = [s for s in SETS if not args.only or s.name in args.only]
    reports = {qs.name: run_set(qs, args.data) for qs in chosen}
    table = render(reports)
    print(table)  # noqa: T201 - an entry point prints
    if args.report:
        args.report.write_text(table + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({n: r.as_json() for n, r in reports.items()}, indent=1,
                                        ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
