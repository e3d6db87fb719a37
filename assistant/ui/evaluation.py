"""Evaluation page: run the gold question set, show the metrics and the worst questions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.ui.common import empty_state, esc, notice
from assistant.ui.services import Services

logger = logging.getLogger(__name__)

METRIC_HELP: dict[str, str] = {
    "hit@k": "a gold source is among the retrieved passages",
    "recall@k": "share of gold sources retrieved",
    "mrr": "how high the first gold source ranks (1 = first)",
    "ndcg@k": "ranking quality of all gold sources",
    "key_fact_recall": "share of expected key facts present in the answer",
    "citation_precision": "share of citations pointing at a gold source",
    "citation_recall": "share of gold sources cited",
    "abstention_accuracy": "answered when answerable, refused when not",
    "faithfulness": "answer sentences supported by the passage they cite",
    "unanswerable_abstention": "refused the questions the documents cannot answer",
}
METRIC_LABELS: dict[str, str] = {
    "hit@k": "Hit@k", "recall@k": "Recall@k", "mrr": "MRR", "ndcg@k": "nDCG@k",
    "key_fact_recall": "Key-fact recall", "citation_precision": "Citation precision",
    "citation_recall": "Citation recall", "abstention_accuracy": "Abstention accuracy",
    "faithfulness": "Faithfulness", "unanswerable_abstention": "Refusal on unanswerable",
}
METRIC_COLUMNS = ["Group", "Metric", "Value", "Meaning"]
WORST_COLUMNS = ["ID", "Question", "Answerable", "Abstained", "Key facts", "MRR", "Answer"]
ProgressFn = Callable[[float, str], None]


@dataclass(frozen=True)
class EvalView:
    summary_html: str
    metrics: list[list[Any]]
    worst: list[list[Any]]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def run_evaluation(services: Services, limit: int | None = None, compare: bool = False,
                   on_progress: ProgressFn | None = None) -> EvalView:
    """Ask the question set (the first ``limit`` questions, or all), score it, summarise."""
    from evals.runner import load_questions, run_eval, worst_questions

    path = services.questions_path
    if not path.exists():
        return EvalView(notice(f"No question set at {esc(path.name)}.", "error"), [], [])
    questions = load_questions(path)
    if limit:
        questions = questions[: int(limit)]
    if not questions:
        return EvalView(notice("The question set is empty.", "warn"), [], [])

    def progress(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(done / total, f"Question {done} of {total}")

    report = run_eval(services.assistant, questions, k=services.settings.retrieval_k,
                      compare=compare, on_progress=progress)
    metrics = [["Retrieval", METRIC_LABELS.get(k, k), _fmt(v), METRIC_HELP.get(k, "")]
               for k, v in report.retrieval.items()]
    metrics += [["Answers", METRIC_LABELS.get(k, k), _fmt(v), METRIC_HELP.get(k, "")]
                for k, v in report.answer.items()]
    metrics.append(["Latency", "p50 / p95",
                    f"{report.latency_ms['p50']:.0f} / {report.latency_ms['p95']:.0f} ms",
                    "time to answer one question"])
    for mode, values in (report.compare or {}).items():
        metrics.append([f"Compare: {mode}", "Hit@k / MRR",
                        f"{_fmt(values.get('hit@k'))} / {_fmt(values.get('mrr'))}",
                        f"retrieval with {mode} search only" if mode != "hybrid"
                        else "dense and keyword search fused"])
    worst = []
    for row in worst_questions(report, n=10):
        kfr = row.get("key_fact_recall")
        mrr = (row.get("retrieval") or {}).get("mrr")
        worst.append([row["id"], row["question"], "yes" if row["answerable"] else "no",
                      "yes" if row["abstained"] else "no",
                      "" if kfr is None else f"{kfr:.2f}", "" if mrr is None else f"{mrr:.2f}",
                      _short(row["answer"], 220)])
    correct = sum(bool(r["abstention_correct"]) for r in report.per_question)
    summary = notice(
        f"Ran {report.n} question(s) from {esc(path.name)} with the "
        f"<b>{esc(report.config['answerer'])}</b> answerer, {esc(report.config['retrieval_mode'])}"
        f" retrieval, k={report.config['k']}. Answered-or-refused correctly: {correct} of "
        f"{report.n}.", "ok")
    return EvalView(summary, metrics, worst)


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_count(services: Services) -> int:
    try:
        with services.questions_path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 0


def build(services: Services) -> None:
    import pandas as pd

    total = question_count(services)
    gr.HTML(f'<div class="eip-muted">Gold question set: {esc(services.questions_path.name)} '
            f"({total} questions, answerable and unanswerable). Running all of them takes a "
            "minute or so; the page stays usable meanwhile.</div>")
    with gr.Row(equal_height=True):
        limit = gr.Slider(0, max(total, 1), value=0, step=1, scale=3,
                          label="Questions to run (0 = all)")
        compare = gr.Checkbox(label="Also compare dense, keyword and hybrid retrieval",
                              value=False, scale=2)
        run = gr.Button("Run evaluation", variant="primary", scale=1, elem_id="eip-eval-run")
    summary = gr.HTML(empty_state("No run yet", "Run the question set to see retrieval and "
                                  "answer quality, and the questions that went worst."))
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            metrics = gr.Dataframe(pd.DataFrame([], columns=METRIC_COLUMNS),
                                   headers=METRIC_COLUMNS, interactive=False, wrap=True,
                                   elem_classes=["eip-table"],
                                   label="Metrics", column_widths=["16%", "24%", "18%", "42%"])
        with gr.Column(scale=3):
            worst = gr.Dataframe(pd.DataFrame([], columns=WORST_COLUMNS),
                                 headers=WORST_COLUMNS, interactive=False, wrap=True,
                                 elem_classes=["eip-table"],
                                 label="Worst questions", max_height=520,
                                 column_widths=["8%", "28%", "9%", "9%", "8%", "7%", "31%"])

    def _run(n: float, with_compare: bool, progress: gr.Progress = gr.Progress()  # noqa: B008
             ) -> tuple[str, Any, Any]:
        view = run_evaluation(services, int(n) or None, with_compare,
                              on_progress=lambda f, d: progress(f, desc=d))
        return (view.summary_html, pd.DataFrame(view.metrics, columns=METRIC_COLUMNS),
                pd.DataFrame(view.worst, columns=WORST_COLUMNS))

    run.click(_run, [limit, compare], [summary, metrics, worst], concurrency_limit=1,
              concurrency_id="eval")
