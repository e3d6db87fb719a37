"""``eip eval``: score the assistant on gold questions and the drafter on gold assessments."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli.base import Ctx, build, cli, fail, pass_ctx
from assistant.cli.index import index_cmd
from assistant.errors import EIPError


@cli.command("eval")
@click.option(
    "--questions",
    "questions_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Question set (JSONL), e.g. evals/questions.jsonl.",
)
@click.option(
    "--assessments",
    "assessments_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Gold assessments (YAML) to score the evidence drafter against.",
)
@click.option(
    "--portfolio",
    "portfolio_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Portfolio questions (JSONL), e.g. evals/portfolio.jsonl: every zone is drafted into "
    "a private store first; list precision and recall are reported.",
)
@click.option("--portfolio-from-gold", is_flag=True,
              help="Answer the portfolio questions from the gold statuses (checks the answering "
              "alone) instead of drafting every zone.")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Index this corpus first (incrementally).",
)
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--answerer", type=click.Choice(["extractive", "llm"]))
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write metrics JSON here."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a Markdown report here.",
)
@click.option("--compare", is_flag=True, help="Also compare dense-only, keyword-only and hybrid retrieval.")
@click.option(
    "--judge", is_flag=True, help="Also let the configured language model judge correctness (off by default)."
)
@pass_ctx
def eval_cmd(
    obj: Ctx,
    questions_path: Path | None,
    assessments_path: Path | None,
    portfolio_path: Path | None,
    portfolio_from_gold: bool,
    corpus_dir: Path | None,
    k: int,
    answerer: str | None,
    json_path: Path | None,
    report_path: Path | None,
    compare: bool,
    judge: bool,
) -> None:
    """Score the assistant on a gold question set (and the drafter on gold assessments)."""
    if questions_path is None and assessments_path is None and portfolio_path is None:
        raise click.UsageError("give --questions FILE, --assessments FILE and/or --portfolio FILE")
    if corpus_dir is not None:
        obj.overrides["corpus_dir"] = corpus_dir
        click.get_current_context().invoke(index_cmd, corpus_dir=corpus_dir, rebuild=False, strict=False)
    assistant = build(obj, answerer=answerer)
    try:
        if questions_path is not None:
            from evals.runner import load_questions, render_markdown, run_eval

            questions = load_questions(questions_path)
            with click.progressbar(length=len(questions), label="Evaluating", file=sys.stderr) as bar:
                report = run_eval(
                    assistant, questions, k=k, compare=compare, on_progress=lambda done, total: bar.update(1)
                )
            if judge:
                from assistant.llm import build_chat_model
                from evals.judge import judge_rows

                references = {q.id: q.answer for q in questions}
                report.extra["judged_correct"] = judge_rows(
                    build_chat_model(obj.settings()), report.per_question, references
                )
            print_eval(report)
            if json_path:
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
            if report_path:
                report_path.parent.mkdir(parents=True, exist_ok=True)
                report_path.write_text(render_markdown(report))
        if assessments_path is not None:
            from evals.assessments import render_assessment_summary, run_assessment_eval

            result = run_assessment_eval(assistant, assessments_path)
            click.echo(render_assessment_summary(result))
            if json_path and questions_path is None:
                json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        if portfolio_path is not None:
            from evals.portfolio import load_portfolio_items, render_portfolio_summary, run_portfolio_eval

            items = load_portfolio_items(portfolio_path)
            # Zone gaps are scored on the criteria the set's gold assessments cover.
            gold = assessments_path or portfolio_path.with_name("assessments.yaml")
            portfolio = run_portfolio_eval(assistant, items,
                                           assessments=gold if gold.exists() else None,
                                           from_gold=portfolio_from_gold)
            click.echo(render_portfolio_summary(portfolio))
            if json_path and questions_path is None and assessments_path is None:
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps(portfolio, indent=2, ensure_ascii=False))
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        assistant.close()


def print_eval(report: Any) -> None:
    def fmt(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    click.echo(f"Questions: {report.n}  (k={report.config['k']}, answerer={report.config['answerer']})")
    click.echo("Retrieval: " + "  ".join(f"{k}={fmt(v)}" for k, v in report.retrieval.items()))
    click.echo(
        "Answers:   " + "  ".join(f"{k}={fmt(v)}" for k, v in {**report.answer, **report.extra}.items())
    )
    click.echo(f"Latency:   p50={report.latency_ms['p50']} ms  p95={report.latency_ms['p95']} ms")
    if report.compare:
        click.echo(f"{'mode':<8} {'hit@k':>7} {'recall@k':>9} {'mrr':>7} {'ndcg@k':>7}")
        for mode, vals in report.compare.items():
            click.echo(
                f"{mode:<8} "
                + " ".join(
                    f"{fmt(vals[x]):>{w}}"
                    for x, w in (("hit@k", 7), ("recall@k", 9), ("mrr", 7), ("ndcg@k", 7))
                )
            )
