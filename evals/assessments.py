"""Score the evidence drafter against gold criterion assessments (``evals/assessments.yaml``).

``run_assessment_eval`` drafts every (zone, criterion) pair of the gold file with
:class:`assistant.dossier.Drafter` in the assistant's mode and reports status agreement,
Cohen's kappa, the confusion matrix, evidence items from another zone ("leaks"), quotes
that are not found verbatim on the cited page of the extracted text, threshold
contradictions (a status against its own deciding figure) and a reliability table
(confidence bins against agreement).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.vocabulary import INSUFFICIENT, MEETS, NOT_MET, PARTIAL, STATUSES
from evals.metrics import agreement, cohen_kappa, confusion_matrix, quote_on_page


@dataclass(frozen=True)
class GoldAssessment:
    zone: str
    criterion: str
    status: str
    file: str | None = None
    page: int | None = None
    quote: str | None = None


def load_assessments(path: Path) -> list[GoldAssessment]:
    """Read the gold YAML list; a bad record raises ``ValueError`` naming its position."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a list of assessments")
    out: list[GoldAssessment] = []
    for i, rec in enumerate(raw):
        try:
            status = str(rec["status"])
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}")
            out.append(
                GoldAssessment(
                    str(rec["zone"]),
                    str(rec["criterion"]),
                    status,
                    rec.get("file"),
                    rec.get("page"),
                    rec.get("quote"),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: record {i} is not a valid assessment ({exc})") from exc
    return out


class _PageTexts:
    """Extracted page text of indexed files, parsed once each (for the verbatim check)."""

    def __init__(
        self, corpus_dir: Path | None, chunk_pages: Callable[[str], dict[int | None, str]]
    ) -> None:
        self.corpus_dir = corpus_dir
        self.chunk_pages = chunk_pages
        self._cache: dict[str, dict[int | None, str]] = {}

    def page(self, file: str, page: int | None) -> str:
        if file not in self._cache:
            self._cache[file] = self._load(file)
        pages = self._cache[file]
        if page in pages:
            return pages[page]
        return "\n".join(pages.values()) if page is None else ""

    def _load(self, file: str) -> dict[int | None, str]:
        path = self.corpus_dir / file if self.corpus_dir is not None else None
        if path is not None and path.exists():
            from indexing.parse import parse_file

            parsed = parse_file(path)
            pages: dict[int | None, str] = {}
            for section in parsed.sections:
                pages[section.page] = pages.get(section.page, "") + "\n" + section.text
            return pages
        return self.chunk_pages(file)  # the file is gone: fall back to the indexed chunks


def _chunk_pages(assistant: Any) -> Callable[[str], dict[int | None, str]]:
    def pages(file: str) -> dict[int | None, str]:
        out: dict[int | None, str] = {}
        for chunk in assistant.index.docs.chunks_of(file):
            out[chunk.page] = out.get(chunk.page, "") + "\n" + chunk.text
        return out

    return pages


def run_assessment_eval(
    assistant: Any,
    assessments_path: Path,
    *,
    drafter: Any = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Draft every gold (zone, criterion) and score the statuses and the evidence.

    Returns ``{"n", "agreement", "kappa", "confusion", "leaks", "quotes_not_on_page",
    "per_item", "seconds"}`` (plus ``"missing_criteria"`` for gold ids not in the catalogue).
    """
    from assistant.dossier import Drafter

    gold = load_assessments(assessments_path)
    drafter = drafter or Drafter(assistant)
    catalogue = assistant.catalogue
    pages = _PageTexts(assistant.index.corpus_dir, _chunk_pages(assistant))
    criteria = {
        g.criterion: catalogue.get(g.criterion) if catalogue is not None else None for g in gold
    }
    missing = sorted(cid for cid, c in criteria.items() if c is None)
    todo = [g for g in gold if criteria[g.criterion] is not None]
    started = time.perf_counter()
    if hasattr(drafter, "warm"):  # one embedding batch per zone instead of one per cell
        by_zone: dict[str, list[Any]] = {}
        for g in todo:
            by_zone.setdefault(g.zone, []).append(criteria[g.criterion])
        for zone, crits in by_zone.items():
            drafter.warm(zone, crits)
    per_item: list[dict[str, Any]] = []
    leaks = off_page = contradictions = 0
    for i, g in enumerate(todo, start=1):
        draft = drafter.draft(g.zone, criteria[g.criterion])
        item_leaks = sum(1 for e in draft.evidence if not _same_zone(assistant, e, g.zone))
        item_off = sum(
            1 for e in draft.evidence if not quote_on_page(e.quote, pages.page(e.file, e.page))
        )
        leaks += item_leaks
        off_page += item_off
        contradiction = _contradicts(criteria[g.criterion], draft)
        contradictions += contradiction
        per_item.append(
            {
                "zone": g.zone,
                "criterion": g.criterion,
                "gold": g.status,
                "predicted": draft.status,
                "agree": g.status == draft.status,
                "confidence": draft.confidence,
                "rationale": draft.rationale,
                "conflict": draft.conflict,
                "evidence": [e.as_dict() for e in draft.evidence[:3]],
                "leaks": item_leaks,
                "quotes_not_on_page": item_off,
                "threshold_contradiction": bool(contradiction),
            }
        )
        if on_progress is not None:
            on_progress(i, len(todo))
    seconds = time.perf_counter() - started

    golds = [r["gold"] for r in per_item]
    preds = [r["predicted"] for r in per_item]
    result: dict[str, Any] = {
        "n": len(per_item),
        "agreement": round(agreement(golds, preds), 4) if per_item else None,
        "kappa": round(cohen_kappa(golds, preds, STATUSES), 4) if per_item else None,
        "confusion": confusion_matrix(golds, preds, STATUSES),
        "leaks": leaks,
        "quotes_not_on_page": off_page,
        "threshold_contradictions": contradictions,
        "reliability": reliability(per_item),
        "high_confidence_agreement": _high_confidence(per_item),
        "per_item": per_item,
        "seconds": round(seconds, 2),
    }
    if missing:
        result["missing_criteria"] = missing
    return result


HIGH_CONFIDENCE = 0.8
_BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.01)


def reliability(per_item: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Confidence bins against agreement: ``[{"bin", "n", "agreement", "mean_confidence"}]``."""
    rows: list[dict[str, Any]] = []
    for low, high in zip(_BINS, _BINS[1:], strict=False):
        items = [r for r in per_item if low <= r["confidence"] < high]
        rows.append({
            "bin": f"{low:.1f}-{min(high, 1.0):.1f}",
            "n": len(items),
            "agreement": round(sum(r["agree"] for r in items) / len(items), 4) if items else None,
            "mean_confidence": round(sum(r["confidence"] for r in items) / len(items), 3)
            if items else None,
        })
    return rows


def _high_confidence(per_item: Sequence[dict[str, Any]]) -> dict[str, Any]:
    items = [r for r in per_item if r["confidence"] >= HIGH_CONFIDENCE]
    share = sum(r["agree"] for r in items) / len(items) if items else None
    return {"n": len(items), "agreement": round(share, 4) if share is not None else None}


def _contradicts(criterion: Any, draft: Any) -> int:
    """1 when a draft is ``meets`` while its deciding figure fails the threshold (or
    ``does_not_meet`` while it passes), re-read from the evidence independently of the drafter's
    decision path."""
    from assistant.dossier.thresholds import comparable, measures, parse_target, passes

    target = parse_target(criterion.threshold)
    if target is None or not draft.evidence or not draft.evidence[0].value:
        return 0
    figures = [m for m in measures(draft.evidence[0].value) if comparable(m, target)]
    if not figures:
        return 0
    ok = passes(figures[0].value, target)
    return int(ok and draft.status == NOT_MET or not ok and draft.status == MEETS)


def _same_zone(assistant: Any, item: Any, zone: str) -> bool:
    """Whether an evidence item's chunk belongs to ``zone`` (looked up in the index)."""
    if item.chunk_id:
        chunk = assistant.index.docs.get_chunks([item.chunk_id]).get(item.chunk_id)
        if chunk is not None:
            return chunk.zone == zone
    record = assistant.index.docs.files().get(item.file)
    return record is not None and record.zone == zone


_ABBREV = {MEETS: "meets", PARTIAL: "partial", NOT_MET: "not met", INSUFFICIENT: "insuff."}


def render_assessment_summary(result: dict[str, Any]) -> str:
    """Compact text summary: headline numbers, the confusion matrix and the disagreements."""

    def fmt(x: Any) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines = [
        f"Drafter vs gold assessments: n={result['n']}  agreement={fmt(result['agreement'])}  "
        f"kappa={fmt(result['kappa'])}  leaks={result['leaks']}  "
        f"quotes not on page={result['quotes_not_on_page']}  "
        f"threshold contradictions={result['threshold_contradictions']}  "
        f"time={result['seconds']:.1f}s",
        f"confidence >= {HIGH_CONFIDENCE}: n={result['high_confidence_agreement']['n']}  "
        f"agreement={fmt(result['high_confidence_agreement']['agreement'])}",
        "reliability (confidence bin: n, agreement): " + "; ".join(
            f"{r['bin']}: {r['n']}, {fmt(r['agreement'])}" for r in result["reliability"]),
        "",
        "gold \\ predicted".ljust(18) + "".join(_ABBREV[s].rjust(10) for s in STATUSES),
    ]
    for g in STATUSES:
        row = result["confusion"].get(g, {})
        lines.append(_ABBREV[g].ljust(18) + "".join(str(row.get(p, 0)).rjust(10) for p in STATUSES))
    wrong = [r for r in result["per_item"] if not r["agree"]]
    if wrong:
        lines += ["", f"Disagreements ({len(wrong)}):"]
        for r in wrong:
            lines.append(
                f"  {r['zone']:<18} {r['criterion']:<7} gold={_ABBREV[r['gold']]:<8} "
                f"drafted={_ABBREV[r['predicted']]:<8} {r['rationale'][:90]}"
            )
    if result.get("missing_criteria"):
        lines.append(
            f"Criteria not in the catalogue (skipped): {', '.join(result['missing_criteria'])}"
        )
    return "\n".join(lines)


__all__: Sequence[str] = (
    "GoldAssessment",
    "load_assessments",
    "render_assessment_summary",
    "run_assessment_eval",
)
