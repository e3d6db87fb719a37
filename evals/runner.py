"""Run the assistant over a gold question set and score retrieval and answers.

``run_eval`` returns an :class:`EvalReport` with per-question rows and aggregates; the
JSON form uses exactly the keys the evaluation issue fixes. Everything is deterministic
and offline with the extractive answerer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.citations import CitationChecker
from assistant.service import Assistant
from assistant.types import ScoredChunk
from evals import metrics as m

MODES = ("dense", "keyword", "hybrid")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    zone: str | None
    answerable: bool
    answer: str
    key_facts: tuple[str, ...]
    sources: tuple[m.GoldSource, ...]
    split: str | None = None  # "dev" (tune on it) or "test"; None for sets without a split
    paraphrase: str | None = None  # a second phrasing with the same gold
    tags: tuple[str, ...] = ()


def load_questions(path: Path) -> list[Question]:
    """Read the JSONL question set; a malformed line is an error naming its line number."""
    out: list[Question] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append(
                Question(
                    id=str(raw["id"]),
                    question=raw["question"],
                    zone=raw.get("zone"),
                    answerable=bool(raw["answerable"]),
                    answer=raw.get("answer", ""),
                    key_facts=tuple(raw.get("key_facts") or ()),
                    sources=tuple(m.GoldSource(s["file"], s.get("page")) for s in raw.get("sources") or ()),
                    split=raw.get("split"),
                    paraphrase=raw.get("paraphrase"),
                    tags=tuple(raw.get("tags") or ()),
                )
            )
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid question record ({exc})") from exc
    return out


def _retrieved(passages: Sequence[ScoredChunk]) -> list[m.Retrieved]:
    return [m.Retrieved(p.chunk.source, p.chunk.page) for p in passages]


def retrieval_scores(
    passages: Sequence[ScoredChunk], gold: Sequence[m.GoldSource], k: int
) -> dict[str, float]:
    got = _retrieved(passages)
    return {
        "hit@k": m.hit_at_k(got, gold, k),
        "recall@k": m.recall_at_k(got, gold, k),
        "mrr": m.reciprocal_rank(got, gold, k),
        "ndcg@k": m.ndcg_at_k(got, gold, k),
    }


@dataclass
class EvalReport:
    n: int
    config: dict[str, Any]
    retrieval: dict[str, float | None]
    answer: dict[str, float | None]
    latency_ms: dict[str, float]
    per_question: list[dict[str, Any]] = field(default_factory=list)
    compare: dict[str, dict[str, float | None]] | None = None
    extra: dict[str, float | None] = field(default_factory=dict)  # shown, not in the JSON

    def as_json(self) -> dict[str, Any]:
        """The report with exactly the keys the evaluation issue fixes."""
        return {
            "n": self.n,
            "config": self.config,
            "retrieval": self.retrieval,
            "answer": self.answer,
            "latency_ms": self.latency_ms,
            "per_question": self.per_question,
        }


def _aggregate_retrieval(rows: list[dict[str, Any]], key: str = "retrieval") -> dict[str, float | None]:
    scored = [r[key] for r in rows if r.get(key)]
    return {name: m.mean(r[name] for r in scored) for name in ("hit@k", "recall@k", "mrr", "ndcg@k")}


def run_eval(
    assistant: Assistant,
    questions: Sequence[Question],
    *,
    k: int = 5,
    compare: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask every question, score it, and aggregate."""
    checker = CitationChecker(assistant.index.embedder, threshold=assistant.settings.support_threshold)
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    paraphrase_agree: list[float] = []
    for number, q in enumerate(questions, start=1):
        row = _ask(assistant, checker, q, q.question, k)
        latencies.append(row["latency_ms"])
        if q.paraphrase:
            other = _ask(assistant, checker, q, q.paraphrase, k)
            row["paraphrase"] = {
                key: other[key] for key in ("question", "abstained", "answer", "citations", "key_fact_recall")
            }
            agree = _grounded(row, q) and _grounded(other, q)
            row["paraphrase"]["agrees"] = agree
            paraphrase_agree.append(float(agree))
        rows.append(row)
        if on_progress:
            on_progress(number, len(questions))

    unanswerable = [r for r in rows if not r["answerable"]]
    answer_metrics = {
        "key_fact_recall": m.mean(r["key_fact_recall"] for r in rows),
        "citation_precision": m.mean(r["citation_precision"] for r in rows if r["answerable"]),
        "citation_recall": m.mean(r["citation_recall"] for r in rows),
        "abstention_accuracy": m.mean(float(r["abstention_correct"]) for r in rows),
        "faithfulness": m.mean(r["faithfulness"] for r in rows),
        # A refusal cites nothing, so it cannot lower citation precision: report how often
        # answerable questions get an answer at all, beside it.
        "answered_rate": m.mean(float(not r["abstained"]) for r in rows if r["answerable"]),
        "unanswerable_abstention": m.mean(float(r["abstention_correct"]) for r in unanswerable),
        "paraphrase_agreement": m.mean(paraphrase_agree),
        # Of the answers that open with a figure, how many open with a figure of a key fact.
        "opening_figure_accuracy": m.mean(
            float(r["figure_correct"]) for r in rows if r["figure_correct"] is not None
        ),
        # Of the yes/no questions whose gold answer opens with yes or no: how many answers open
        # with the same word (accuracy; a refusal or an answer without a verdict is not right),
        # and how many of the verdicts given are right (precision: a wrong "yes" misleads).
        "yes_no_accuracy": m.mean(
            float(r["yes_no"] == "right") for r in rows if r["yes_no"] is not None
        ),
        "yes_no_precision": m.mean(
            float(r["yes_no"] == "right") for r in rows if r["yes_no"] in ("right", "wrong")
        ),
    }
    report = EvalReport(
        n=len(rows),
        config={
            "k": k,
            "answerer": assistant.answerer.mode,
            "retrieval_mode": assistant.settings.retrieval_mode,
            "embedding_model": assistant.index.embedder.name,
            "chunk_size": assistant.settings.chunk_size,
            "chunk_overlap": assistant.settings.chunk_overlap,
        },
        retrieval=_aggregate_retrieval(rows),
        answer=answer_metrics,
        latency_ms={
            "p50": round(m.percentile(latencies, 50), 1) if latencies else 0.0,
            "p95": round(m.percentile(latencies, 95), 1) if latencies else 0.0,
        },
        per_question=rows,
    )
    if compare:
        report.compare = compare_modes(assistant, questions, k=k)
    return report


def _grounded(row: dict[str, Any], q: Question) -> bool:
    """An answerable question cited a gold page; an unanswerable one was refused."""
    if not q.answerable:
        return bool(row["abstained"])
    cited = [m.Retrieved(c["file"], c["page"]) for c in row["citations"]]
    return not row["abstained"] and any(m.hits(c, g) for c in cited for g in q.sources)


def _ask(assistant: Assistant, checker: CitationChecker, q: Question, text: str, k: int) -> dict[str, Any]:
    """Ask one phrasing of ``q`` and score it."""
    started = time.perf_counter()
    plan = assistant.plan(text)
    passages = assistant.passages(plan, k=k)
    answer = assistant.answerer.answer(text, plan, passages, assistant.framework_passages(plan))
    latency = (time.perf_counter() - started) * 1000
    cited = [m.Retrieved(c.file, c.page) for c in answer.citations]
    row: dict[str, Any] = {
        "id": q.id,
        "split": q.split,
        "question": text,
        "zone": q.zone,
        "answerable": q.answerable,
        "abstained": answer.abstained,
        "answer": answer.text,
        "retrieved": [
            {"file": p.chunk.source, "page": p.chunk.page, "score": round(p.score, 5)} for p in passages[:k]
        ],
        "citations": [{"marker": c.marker, "file": c.file, "page": c.page} for c in answer.citations],
        "retrieval": retrieval_scores(passages, q.sources, k) if q.sources else None,
        "key_fact_recall": m.key_fact_recall(answer.text, q.key_facts)
        if q.answerable and q.key_facts
        else None,
        "citation_precision": m.citation_precision(cited, q.sources) if q.sources else None,
        "citation_recall": m.citation_recall(cited, q.sources)
        if q.sources and not answer.abstained
        else None,
        "abstention_correct": m.abstention_correct(q.answerable, answer.abstained),
        "figure": answer.figure,
        "yes_no": m.yes_no_outcome(text, q.answer, answer.text, answer.abstained) if q.answerable else None,
        "figure_correct": m.figure_correct(answer.figure, q.key_facts) if q.answerable else None,
        "faithfulness": None,
        "latency_ms": round(latency, 1),
    }
    if not answer.abstained and answer.citations:
        by_marker = {
            c.marker: p for c in answer.citations for p in answer.passages if p.chunk.id == c.chunk_id
        }
        row["faithfulness"] = checker.check(answer.text, by_marker).faithfulness
    return row


def compare_modes(
    assistant: Assistant, questions: Sequence[Question], *, k: int = 5
) -> dict[str, dict[str, float | None]]:
    """Retrieval metrics for dense-only, keyword-only and hybrid retrieval in one run."""
    out: dict[str, dict[str, float | None]] = {}
    for mode in MODES:
        rows = []
        for q in questions:
            if not q.sources:
                continue
            plan = assistant.plan(q.question)
            passages = assistant.passages(plan, k=k, mode=mode)
            rows.append({"retrieval": retrieval_scores(passages, q.sources, k)})
        out[mode] = _aggregate_retrieval(rows)
    return out


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def worst_questions(report: EvalReport, n: int = 10) -> list[dict[str, Any]]:
    """Rows ranked by how badly they went (wrong abstention, missed facts, missed sources)."""

    def badness(r: dict[str, Any]) -> float:
        bad = 0.0 if r["abstention_correct"] else 2.0
        if r["key_fact_recall"] is not None:
            bad += 1.0 - r["key_fact_recall"]
        if r["retrieval"]:
            bad += 1.0 - r["retrieval"]["mrr"]
        return bad

    return sorted(report.per_question, key=lambda r: (-badness(r), r["id"]))[:n]


def render_markdown(report: EvalReport, *, title: str = "Evaluation report") -> str:
    """A human-readable report: metrics, mode comparison, the 10 worst questions."""
    lines = [
        f"# {title}",
        "",
        f"Questions: {report.n}. Config: `{json.dumps(report.config)}`",
        "",
        "## Retrieval",
        "",
        "| metric | value |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in report.retrieval.items()]
    lines += ["", "## Answers", "", "| metric | value |", "| --- | --- |"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in {**report.answer, **report.extra}.items()]
    lines += ["", f"Latency: p50 {report.latency_ms['p50']} ms, p95 {report.latency_ms['p95']} ms", ""]
    if report.compare:
        lines += [
            "## Retrieval modes",
            "",
            "| mode | hit@k | recall@k | mrr | ndcg@k |",
            "| --- | --- | --- | --- | --- |",
        ]
        for mode, vals in report.compare.items():
            lines.append(
                f"| {mode} | "
                + " | ".join(_fmt(vals[x]) for x in ("hit@k", "recall@k", "mrr", "ndcg@k"))
                + " |"
            )
        lines.append("")
    lines += ["## 10 worst questions", ""]
    for r in worst_questions(report):
        lines.append(f"### {r['id']}: {r['question']}")
        lines.append("")
        lines.append(
            f"- answerable: {r['answerable']}, abstained: {r['abstained']}, "
            f"key facts: {_fmt(r['key_fact_recall'])}, "
            f"mrr: {_fmt(r['retrieval']['mrr'] if r['retrieval'] else None)}"
        )
        lines.append(f"- answer: {' '.join(r['answer'].split())[:400]}")
        lines.append("- retrieved: " + "; ".join(f"{x['file']} p.{x['page']}" for x in r["retrieved"]))
        lines.append("")
    return "\n".join(lines)
