"""Scorecard: zones x criteria statuses, per-category counts, coverage, readiness and ranking.

Inputs are the stored cells of each zone (:class:`~assistant.reviews.StoredCell`, whose
reviewed status wins over the drafted one), bare :class:`~assistant.types.CriterionDraft`
objects, or plain status strings. The columns are the catalogue's criteria that at least one
zone has a cell for (or the ``criteria`` passed in), in catalogue order. A zone without a cell
for a column is shown as "not drafted" and scored like ``insufficient_evidence``.

How the readiness score is computed
- Status points: meets = 1, partially_meets = 0.5, does_not_meet = 0,
  insufficient_evidence = 0 (and not drafted = 0): missing evidence earns nothing.
- Category score = mean of the points of that category's criteria in the scorecard.
- Readiness = sum(w_c * score_c) / sum(w_c), over the performance categories that have at
  least one criterion in the scorecard, with w_c from ``settings.category_weights``
  (defaults: park_management 0.2, environmental 0.4, social 0.25, economic 0.15). A category
  with no weight counts 0. Reported as a percentage (0-100).
- Prerequisites are gates, not weighted: a zone is *blocked* when any prerequisite in the
  scorecard is not ``meets`` (does_not_meet or partially_meets: "not met"; insufficient
  evidence or not drafted: "not evidenced"). Blocked zones keep their score but rank after
  every unblocked zone.
- Evidence coverage = share of the scorecard's criteria whose status is not
  ``insufficient_evidence`` (not-drafted cells count as uncovered).
- Ranking: unblocked before blocked, then readiness (high first), then number of criteria
  met, then coverage, then zone id. Every zone gets reasons (criteria met, strongest and
  weakest category, coverage, blocking prerequisites).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.catalogue import Catalogue, Criterion, ZoneRegistry
from assistant.reviews import StoredCell, criterion_sort_key
from assistant.types import CriterionDraft
from assistant.vocabulary import (
    CATEGORIES,
    CATEGORY_LABELS,
    CATEGORY_SHORT_LABELS,
    INSUFFICIENT,
    MEETS,
    NOT_DRAFTED,
    NOT_MET,
    PARTIAL,
    PREREQUISITE,
    STATUS_LABELS,
    STATUSES,
)

logger = logging.getLogger(__name__)

POINTS: dict[str, float] = {MEETS: 1.0, PARTIAL: 0.5, NOT_MET: 0.0, INSUFFICIENT: 0.0}
# Green / amber / red / grey, plus white for cells nobody drafted.
STATUS_COLOURS: dict[str, str] = {
    MEETS: "#2e7d32", PARTIAL: "#f9a825", NOT_MET: "#c62828", INSUFFICIENT: "#9e9e9e",
    NOT_DRAFTED: "#ffffff",
}

CellInput = StoredCell | CriterionDraft | str


@dataclass(frozen=True)
class ScoreColumn:
    id: str
    category: str
    title: str


@dataclass(frozen=True)
class CellState:
    """What the scorecard shows in one zone x criterion cell."""

    status: str  # one of STATUSES, or NOT_DRAFTED
    drafted_status: str | None = None
    reviewed: bool = False
    rejected: bool = False
    stale: bool = False


@dataclass(frozen=True)
class EvidenceRow:
    zone: str
    criterion: str
    status: str
    file: str
    page: int | None
    quote: str
    value: str | None


@dataclass(frozen=True)
class ZoneScore:
    zone: str
    name: str
    rank: int
    readiness: float  # 0..100
    category_scores: dict[str, float]  # performance categories present in the scorecard
    counts: dict[str, dict[str, int]]  # category -> status -> number of criteria
    met: int
    total: int
    coverage: float  # 0..1
    blocked: bool
    blocking: tuple[str, ...]  # e.g. "PRE-1 not met (does_not_meet)"
    reasons: tuple[str, ...]
    illustrative: bool = False


@dataclass(frozen=True)
class Scorecard:
    framework: str
    generated_at: str
    columns: tuple[ScoreColumn, ...]
    zones: tuple[ZoneScore, ...]  # in rank order
    matrix: dict[str, dict[str, CellState]]  # zone -> criterion -> cell
    weights: dict[str, float]
    evidence: tuple[EvidenceRow, ...] = field(default=(), repr=False)

    def zone(self, zone_id: str) -> ZoneScore | None:
        return next((z for z in self.zones if z.zone == zone_id), None)

    def ranking(self) -> list[str]:
        return [z.zone for z in self.zones]

    def columns_by_category(self) -> dict[str, list[ScoreColumn]]:
        groups: dict[str, list[ScoreColumn]] = {}
        for col in self.columns:
            groups.setdefault(col.category, []).append(col)
        return groups

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "generated_at": self.generated_at,
            "weights": self.weights,
            "formula": FORMULA,
            "criteria": [{"id": c.id, "category": c.category, "title": c.title}
                         for c in self.columns],
            "zones": [
                {
                    "zone": z.zone, "name": z.name, "rank": z.rank,
                    "readiness": z.readiness, "blocked": z.blocked, "blocking": list(z.blocking),
                    "coverage": round(z.coverage, 4), "met": z.met, "total": z.total,
                    "category_scores": z.category_scores, "counts": z.counts,
                    "reasons": list(z.reasons), "illustrative": z.illustrative,
                    "statuses": {cid: self.matrix[z.zone][cid].status for cid in
                                 (c.id for c in self.columns)},
                    "reviewed": sorted((cid for cid, s in self.matrix[z.zone].items()
                                        if s.reviewed), key=criterion_sort_key),
                    "stale": sorted((cid for cid, s in self.matrix[z.zone].items() if s.stale),
                                    key=criterion_sort_key),
                }
                for z in self.zones
            ],
        }


FORMULA = ("readiness = sum(w_c * mean points of category c) / sum(w_c) over performance "
           "categories; points meets 1, partially_meets 0.5, does_not_meet 0, "
           "insufficient_evidence 0; a prerequisite not 'meets' blocks the zone "
           "(blocked zones rank last); coverage = share of criteria not insufficient_evidence")


def _cell_state(cell: CellInput) -> CellState:
    if isinstance(cell, StoredCell):
        return CellState(status=cell.effective_status, drafted_status=cell.draft.status,
                         reviewed=cell.reviewed, rejected=cell.rejected, stale=cell.stale)
    if isinstance(cell, CriterionDraft):
        return CellState(status=cell.status, drafted_status=cell.status)
    if cell not in STATUSES:
        raise ValueError(f"unknown status {cell!r}; expected one of {', '.join(STATUSES)}")
    return CellState(status=cell, drafted_status=cell)


def _criterion_id(cell: CellInput, key: str) -> str:
    if isinstance(cell, StoredCell):
        return cell.criterion_id
    if isinstance(cell, CriterionDraft):
        return cell.criterion_id
    return key


def _normalise_cells(cells: Mapping[str, CellInput] | Sequence[CellInput]) -> dict[str, CellInput]:
    if isinstance(cells, Mapping):
        return {_criterion_id(v, k): v for k, v in cells.items()}
    out: dict[str, CellInput] = {}
    for cell in cells:
        if isinstance(cell, str):
            raise ValueError("plain status strings must be given as {criterion_id: status}")
        out[_criterion_id(cell, "")] = cell
    return out


def _evidence_rows(zone: str, cell: CellInput, status: str) -> list[EvidenceRow]:
    draft = cell.effective_draft() if isinstance(cell, StoredCell) else cell
    if not isinstance(draft, CriterionDraft):
        return []
    return [EvidenceRow(zone, draft.criterion_id, status, e.file, e.page, e.quote, e.value)
            for e in draft.evidence]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def build_scorecard(cells_by_zone: Mapping[str, Mapping[str, CellInput] | Sequence[CellInput]],
                    catalogue: Catalogue | None, registry: ZoneRegistry | None,
                    weights: Mapping[str, float], *,
                    criteria: Sequence[Criterion] | None = None,
                    framework: str | None = None) -> Scorecard:
    """Build the scorecard (see the module docstring for every rule)."""
    cells = {zone: _normalise_cells(zc) for zone, zc in cells_by_zone.items()}
    columns = _columns(cells, catalogue, criteria)
    weights = {k: float(v) for k, v in weights.items() if k != PREREQUISITE}
    matrix: dict[str, dict[str, CellState]] = {}
    evidence: list[EvidenceRow] = []
    unranked: list[dict[str, Any]] = []
    for zone, zone_cells in cells.items():
        row = {c.id: (_cell_state(zone_cells[c.id]) if c.id in zone_cells
                      else CellState(status=NOT_DRAFTED)) for c in columns}
        matrix[zone] = row
        for col in columns:
            if col.id in zone_cells:
                evidence.extend(_evidence_rows(zone, zone_cells[col.id], row[col.id].status))
        unranked.append(_score_zone(zone, row, columns, weights, registry))

    unranked.sort(key=lambda z: (z["blocked"], -z["readiness"], -z["met"], -z["coverage"],
                                 z["zone"]))
    zones = tuple(ZoneScore(rank=i, reasons=_reasons(z, unranked, i), **z)
                  for i, z in enumerate(unranked, start=1))
    fw = framework or (catalogue.framework.title if catalogue is not None else "")
    return Scorecard(framework=fw, generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
                     columns=columns, zones=zones, matrix=matrix, weights=dict(weights),
                     evidence=tuple(evidence))


def _columns(cells: Mapping[str, Mapping[str, CellInput]], catalogue: Catalogue | None,
             criteria: Sequence[Criterion] | None) -> tuple[ScoreColumn, ...]:
    if criteria is not None:
        return tuple(ScoreColumn(c.id, c.category, c.title) for c in criteria)
    present = {cid for zc in cells.values() for cid in zc}
    cols: list[ScoreColumn] = []
    if catalogue is not None:
        cols = [ScoreColumn(c.id, c.category, c.title) for c in catalogue if c.id in present]
    known = {c.id for c in cols}
    for cid in sorted(present - known, key=criterion_sort_key):
        # Not in the catalogue (e.g. an older catalogue): take what the draft says.
        sample = next(zc[cid] for zc in cells.values() if cid in zc)
        draft = sample.draft if isinstance(sample, StoredCell) else sample
        category = draft.category if isinstance(draft, CriterionDraft) else "other"
        title = draft.title if isinstance(draft, CriterionDraft) else cid
        cols.append(ScoreColumn(cid, category, title))
    order = {cat: i for i, cat in enumerate(CATEGORIES)}
    return tuple(sorted(cols, key=lambda c: order.get(c.category, len(order))))


def _score_zone(zone: str, row: Mapping[str, CellState], columns: Sequence[ScoreColumn],
                weights: Mapping[str, float], registry: ZoneRegistry | None) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    points: dict[str, list[float]] = {}
    blocking: list[str] = []
    for col in columns:
        status = row[col.id].status
        counts.setdefault(col.category, {s: 0 for s in (*STATUSES, NOT_DRAFTED)})[status] += 1
        if col.category == PREREQUISITE:
            if status != MEETS:
                not_met = status in (NOT_MET, PARTIAL)
                how = "not met" if not_met else "not evidenced"
                blocking.append(f"{col.id} {how} ({status})")
            continue
        points.setdefault(col.category, []).append(POINTS.get(status, 0.0))
    category_scores = {cat: round(sum(p) / len(p), 4) for cat, p in points.items()}
    total_weight = sum(weights.get(cat, 0.0) for cat in category_scores)
    readiness = (sum(weights.get(cat, 0.0) * s for cat, s in category_scores.items())
                 / total_weight) if total_weight > 0 else 0.0
    covered = sum(row[c.id].status not in (INSUFFICIENT, NOT_DRAFTED) for c in columns)
    found = registry.get(zone) if registry is not None else None
    return {
        "zone": zone,
        "name": found.name if found else zone,
        "illustrative": bool(found.extra.get("illustrative")) if found else False,
        "readiness": round(100 * readiness, 1),
        "category_scores": category_scores,
        "counts": counts,
        "met": sum(row[c.id].status == MEETS for c in columns),
        "total": len(columns),
        "coverage": covered / len(columns) if columns else 0.0,
        "blocked": bool(blocking),
        "blocking": tuple(blocking),
    }


def _reasons(z: Mapping[str, Any], ranked: Sequence[Mapping[str, Any]],
             rank: int) -> tuple[str, ...]:
    reasons = [f"readiness {z['readiness']:.1f}", f"meets {z['met']}/{z['total']}"]
    scores: dict[str, float] = z["category_scores"]
    if scores:
        best = max(scores, key=lambda c: (scores[c], c))
        worst = min(scores, key=lambda c: (scores[c], c))
        reasons.append(f"strongest {best} {scores[best]:.2f}")
        if worst != best:
            reasons.append(f"weakest {worst} {scores[worst]:.2f}")
    reasons.append(f"evidence coverage {_pct(z['coverage'])}")
    if z["blocked"]:
        reasons.append("blocked by " + "; ".join(z["blocking"]))
    else:
        reasons.append("no blocking prerequisite")
    if rank > 1:
        above = ranked[rank - 2]
        if above["blocked"] == z["blocked"]:
            gap = above["readiness"] - z["readiness"]
            reasons.append(f"{gap:.1f} points behind {above['zone']}")
        else:
            reasons.append(f"ranked after {above['zone']} because blocked zones rank last")
    return tuple(reasons)


def heatmap_png(scorecard: Scorecard, path: str | Path, *, dpi: int = 150) -> Path:
    """Draw the zones x criteria matrix (rows in rank order, columns grouped by category)."""
    # The object API (no pyplot) draws on an Agg canvas without touching the global backend
    # or pyplot's figure registry, so it is safe inside the threaded web app.
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = [*STATUSES, NOT_DRAFTED]
    code = {k: i for i, k in enumerate(keys)}
    zones = list(scorecard.zones)
    cols = list(scorecard.columns)
    data = [[code[scorecard.matrix[z.zone][c.id].status] for c in cols] for z in zones]

    width = max(6.0, 0.38 * len(cols) + 4.0)
    height = max(3.0, 0.42 * len(zones) + 2.4)
    fig = Figure(figsize=(width, height))
    ax = fig.subplots()
    cmap = ListedColormap([STATUS_COLOURS[k] for k in keys])
    if zones and cols:
        ax.imshow(data, cmap=cmap, vmin=-0.5, vmax=len(keys) - 0.5, aspect="auto")
    ax.set_xticks(range(len(cols)), [c.id for c in cols], rotation=90, fontsize=7)
    ax.set_yticks(range(len(zones)), [
        f"{z.rank}. {z.name}{' (blocked)' if z.blocked else ''}  {z.readiness:.0f}"
        for z in zones], fontsize=8)
    ax.set_xticks([x - 0.5 for x in range(len(cols) + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(len(zones) + 1)], minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    for zi, z in enumerate(zones):  # mark human-reviewed and stale cells
        for ci, c in enumerate(cols):
            state = scorecard.matrix[z.zone][c.id]
            mark = "!" if state.stale else ("R" if state.reviewed else "")
            if mark:
                ax.text(ci, zi, mark, ha="center", va="center", fontsize=6, color="black")
    start = 0
    for category, group in scorecard.columns_by_category().items():
        end = start + len(group)
        if start > 0:
            ax.axvline(start - 0.5, color="black", linewidth=1.5)
        label = CATEGORY_LABELS.get(category, category)
        if len(group) * 7 < len(label):  # too narrow for the full name
            label = CATEGORY_SHORT_LABELS.get(category, category[:6])
        ax.text((start + end - 1) / 2, -0.75, label,
                ha="center", va="bottom", fontsize=8, fontweight="bold")
        start = end
    legend = [Patch(facecolor=STATUS_COLOURS[k], edgecolor="black", label=STATUS_LABELS[k])
              for k in keys]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=5,
              fontsize=7, frameon=False)
    ax.set_title(f"EIP readiness by zone and criterion ({scorecard.framework})\n"
                 "R = reviewed, ! = stale (documents changed since review)",
                 fontsize=9, pad=22)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi, format="png")
    return path
