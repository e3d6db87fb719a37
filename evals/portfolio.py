"""Score portfolio answers (rankings, criteria across zones, zone gaps, comparisons).

Each gold item (``evals/portfolio.jsonl``, ``evals/independent/portfolio.jsonl``) names the
zones (or, for zone gaps, the criteria) a right answer lists. :func:`run_portfolio_eval`
drafts every zone into a fresh review store (so the score does not depend on anyone's
reviews), asks each question through the planner and the portfolio answerer, and reports
whether the kind was recognised and the list precision and recall of what the answer lists.
Zone-gap lists are scored on the criteria the gold assesses (a sample zone's gold covers 25 of
the 64 catalogue criteria; the others have no gold status to be right or wrong about).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import metrics as m


@dataclass(frozen=True)
class PortfolioItem:
    id: str
    question: str
    kind: str
    expected_zones: tuple[str, ...] = ()
    expected_criteria: tuple[str, ...] = ()
    zone: str | None = None
    split: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def expected(self) -> tuple[str, ...]:
        return self.expected_criteria if self.kind == "zone_gaps" else self.expected_zones


def load_portfolio_items(path: Path) -> list[PortfolioItem]:
    """Read a portfolio JSONL set; a bad line is an error naming its line number."""
    out: list[PortfolioItem] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append(PortfolioItem(
                id=str(raw["id"]), question=raw["question"], kind=raw["kind"],
                expected_zones=tuple(raw.get("expected_zones") or ()),
                expected_criteria=tuple(raw.get("expected_criteria") or ()),
                zone=raw.get("zone"), split=raw.get("split"), raw=raw))
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid portfolio item ({exc})") from exc
    return out


def gold_scope(assessments: Path | None) -> dict[str, set[str]]:
    """zone -> criteria with a gold status (empty without a gold file)."""
    if assessments is None:
        return {}
    from evals.assessments import load_assessments

    scope: dict[str, set[str]] = {}
    for g in load_assessments(assessments):
        scope.setdefault(g.zone, set()).add(g.criterion)
    return scope


def run_portfolio_eval(assistant: Any, items: Sequence[PortfolioItem], *,
                       assessments: Path | None = None, from_gold: bool = False,
                       on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Draft every zone into a private store (or, ``from_gold``, store the gold statuses of
    ``assessments`` as the cells: a check of the answering alone), then ask and score every item."""
    from assistant import ops
    from assistant.reviews import ReviewStore

    if from_gold and assessments is None:
        raise ValueError("from_gold needs the gold assessments file")
    with tempfile.TemporaryDirectory(prefix="eip-portfolio-eval-") as tmp:
        store = ReviewStore(Path(tmp) / "reviews.db")
        try:
            started = time.perf_counter()
            if from_gold:
                store_gold(store, assessments, assistant.catalogue)  # type: ignore[arg-type]
            else:
                ops.draft_all(assistant, store)
            draft_seconds = time.perf_counter() - started
            result = score_items(items, store, assistant.registry, assistant.catalogue,
                                 assistant.settings, assistant.index.embedder,
                                 scope=gold_scope(assessments), on_progress=on_progress)
        finally:
            store.close()
    return {**result, "draft_seconds": round(draft_seconds, 1), "source": "gold" if from_gold
            else "drafted"}


def store_gold(store: Any, assessments: Path, catalogue: Any) -> None:
    """Save every gold assessment as a drafted cell, citing the gold quote."""
    from assistant.types import CriterionDraft, EvidenceItem
    from evals.assessments import load_assessments

    for g in load_assessments(assessments):
        crit = catalogue.get(g.criterion)
        if crit is None:
            continue
        evidence = (EvidenceItem(g.file, g.page, g.quote, 1.0),) if g.file and g.quote else ()
        store.save_draft(CriterionDraft(
            zone=g.zone, criterion_id=crit.id, category=crit.category, title=crit.title,
            requirement=crit.requirement, status=g.status, confidence=1.0,
            rationale=f"gold assessment ({g.file or 'no document'})", justification="",
            evidence=evidence), {g.file: "gold"} if g.file else {})


def score_items(items: Sequence[PortfolioItem], store: Any, registry: Any, catalogue: Any,
                settings: Any, embedder: Any, *, scope: dict[str, set[str]] | None = None,
                on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Ask every item through the planner and the portfolio answerer over ``store``; score it."""
    from assistant.portfolio.answers import PortfolioAnswerer
    from assistant.portfolio.matching import CriterionMatcher

    desk = PortfolioAnswerer(lambda: store, catalogue, registry, settings,
                             CriterionMatcher(embedder, catalogue), owns_source=False)
    rows = []
    for number, item in enumerate(items, start=1):
        rows.append(_score(registry, catalogue, desk, item, scope or {}))
        if on_progress is not None:
            on_progress(number, len(items))
    splits = sorted({r["split"] for r in rows if r["split"]})
    return {"n": len(rows), **aggregate(rows),
            "by_split": {s: {"n": sum(r["split"] == s for r in rows),
                             **aggregate([r for r in rows if r["split"] == s])} for s in splits},
            "per_item": rows}


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    return {
        "kind_accuracy": m.mean(float(r["kind_correct"]) for r in rows),
        "list_precision": m.mean(r["precision"] for r in rows),
        "list_recall": m.mean(r["recall"] for r in rows),
        "cited_rate": m.mean(float(r["citations"] > 0) for r in rows),
    }


def _score(registry: Any, catalogue: Any, desk: Any, item: PortfolioItem,
           scope: dict[str, set[str]]) -> dict[str, Any]:
    from assistant.query import plan_query

    intent = plan_query(item.question, registry, catalogue).portfolio
    reply = desk.reply(item.question, intent) if intent is not None else None
    if reply is None:
        got: tuple[str, ...] = ()
    else:
        got = reply.criteria if item.kind == "zone_gaps" else reply.zones
    if item.kind == "zone_gaps" and item.zone in scope:
        got = tuple(c for c in got if c in scope[item.zone])
    return {
        "id": item.id, "split": item.split, "question": item.question, "kind": item.kind,
        "recognised": intent.kind if intent is not None else None,
        "kind_correct": intent is not None and intent.kind == item.kind,
        "expected": list(item.expected), "got": list(got),
        "precision": m.list_precision(got, item.expected),
        "recall": m.list_recall(got, item.expected),
        "citations": len(reply.answer.citations) if reply is not None else 0,
        "answer": reply.answer.text if reply is not None else None,
    }


def render_portfolio_summary(result: dict[str, Any]) -> str:
    def fmt(x: Any) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines = [f"Portfolio questions: n={result['n']}  kind accuracy={fmt(result['kind_accuracy'])}  "
             f"list precision={fmt(result['list_precision'])}  "
             f"list recall={fmt(result['list_recall'])}  cited={fmt(result['cited_rate'])}  "
             f"(statuses: {result.get('source', 'drafted')}, {result['draft_seconds']:.1f} s)"]
    for split, agg in result.get("by_split", {}).items():
        lines.append(f"  {split}: n={agg['n']}  kind accuracy={fmt(agg['kind_accuracy'])}  "
                     f"list precision={fmt(agg['list_precision'])}  "
                     f"list recall={fmt(agg['list_recall'])}")
    for r in result["per_item"]:
        if r["precision"] < 1 or r["recall"] < 1 or not r["kind_correct"]:
            lines.append(f"  {r['id']:<8} {r['kind']:<22} recognised={r['recognised']}  "
                         f"P={r['precision']:.2f} R={r['recall']:.2f}  expected={r['expected']} "
                         f"got={r['got']}")
    return "\n".join(lines)
