"""Scorecard: ranking on the gold statuses, blocking prerequisites, the formula, the heatmap."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from assistant.reviews import ReviewEvent, StoredCell
from assistant.scorecard import NOT_DRAFTED, build_scorecard, heatmap_png
from assistant.settings import Settings
from assistant.types import CriterionDraft

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gold() -> dict[str, dict[str, str]]:
    """Gold statuses of evals/assessments.yaml: zone -> criterion -> status."""
    by_zone: dict[str, dict[str, str]] = defaultdict(dict)
    for rec in yaml.safe_load((REPO / "evals" / "assessments.yaml").read_text()):
        by_zone[rec["zone"]][rec["criterion"]] = rec["status"]
    return dict(by_zone)


WEIGHTS = Settings().category_weights


def draft(zone: str, cid: str, category: str, status: str) -> CriterionDraft:
    return CriterionDraft(zone=zone, criterion_id=cid, category=category, title=cid,
                          requirement="r", status=status, confidence=0.7, rationale="",
                          justification="")


def test_gold_ranking_top_three(gold, catalogue, registry) -> None:
    sc = build_scorecard(gold, catalogue, registry, WEIGHTS)
    assert sc.ranking()[:3] == ["mekong-riverside", "koh-kong-bay", "prey-nob-coastal"]
    assert len(sc.columns) == 25 and len(sc.zones) == 8
    top = sc.zones[0]
    assert top.rank == 1 and top.name == "Mekong Riverside Special Economic Zone"
    assert "meets 23/25" in top.reasons and "no blocking prerequisite" in top.reasons
    assert top.illustrative
    assert top.counts["environmental"]["meets"] == 11
    assert top.coverage == 1.0


def test_blocked_zones_rank_after_unblocked_ones(gold, catalogue, registry) -> None:
    sc = build_scorecard(gold, catalogue, registry, WEIGHTS)
    blocked = {z.zone for z in sc.zones if z.blocked}
    assert blocked == {"takeo-agri", "bavet-gateway", "thnal-dach", "poipet-frontier"}
    ranks = [z.blocked for z in sc.zones]
    assert ranks == sorted(ranks)  # every unblocked zone before every blocked one
    takeo, kampot = sc.zone("takeo-agri"), sc.zone("kampot-tidal")
    assert takeo.readiness > kampot.readiness and takeo.rank > kampot.rank
    assert takeo.blocking == ("PRE-1 not met (partially_meets)",)
    assert any("blocked zones rank last" in r for r in takeo.reasons)
    bavet = sc.zone("bavet-gateway")
    assert bavet.blocking == ("PRE-1 not met (does_not_meet)", "PRE-3 not met (partially_meets)")
    assert sc.zone("poipet-frontier").blocking == ("PRE-1 not evidenced (insufficient_evidence)",)
    assert sc.zone("poipet-frontier").coverage == pytest.approx(7 / 25)


def test_readiness_formula_by_hand(catalogue) -> None:
    cells = {"z": {
        "PRE-1": "meets",
        "PM-1": "meets", "PM-5": "partially_meets",                 # park_management 0.75
        "ENV-12": "does_not_meet", "ENV-17": "insufficient_evidence",  # environmental 0
        "SOC-2": "meets",                                            # social 1
        "ECO-2": "partially_meets",                                  # economic 0.5
    }}
    sc = build_scorecard(cells, catalogue, None, WEIGHTS)
    z = sc.zones[0]
    assert z.category_scores == {"park_management": 0.75, "environmental": 0.0, "social": 1.0,
                                 "economic": 0.5}
    expected = (0.2 * 0.75 + 0.4 * 0 + 0.25 * 1 + 0.15 * 0.5) / 1.0
    assert z.readiness == pytest.approx(100 * expected, abs=0.05)
    assert not z.blocked and z.coverage == pytest.approx(6 / 7)
    # Weights are renormalised over the categories present.
    only_env = build_scorecard({"z": {"ENV-12": "partially_meets"}}, catalogue, None, WEIGHTS)
    assert only_env.zones[0].readiness == 50.0


def test_weights_change_the_ranking(catalogue) -> None:
    cells = {"green": {"ENV-12": "meets", "ECO-2": "does_not_meet"},
             "rich": {"ENV-12": "does_not_meet", "ECO-2": "meets"}}
    assert build_scorecard(cells, catalogue, None, {"environmental": 0.9, "economic": 0.1}
                           ).ranking() == ["green", "rich"]
    assert build_scorecard(cells, catalogue, None, {"environmental": 0.1, "economic": 0.9}
                           ).ranking() == ["rich", "green"]


def test_reviewed_status_wins_over_drafted(catalogue) -> None:
    d = draft("z", "ENV-12", "environmental", "meets")
    review = ReviewEvent(1, "z", "ENV-12", "edit", "does_not_meet", None, "Ana", "85% only",
                         "2024-06-01T00:00:00+00:00")
    cells = {"z": [StoredCell(draft=d, drafted_at="", review=review, stale=True),
                   StoredCell(draft=draft("z", "PRE-1", "prerequisite", "meets"), drafted_at="",
                              review=None, stale=False)]}
    sc = build_scorecard(cells, catalogue, None, WEIGHTS)
    state = sc.matrix["z"]["ENV-12"]
    assert state.status == "does_not_meet" and state.drafted_status == "meets"
    assert state.reviewed and state.stale
    assert sc.zones[0].readiness == 0.0
    assert sc.as_dict()["zones"][0]["reviewed"] == ["ENV-12"]


def test_missing_cells_are_not_drafted_and_uncovered(catalogue) -> None:
    cells = {"a": [draft("a", "PRE-1", "prerequisite", "meets"),
                   draft("a", "ENV-12", "environmental", "meets")],
             "b": [draft("b", "ENV-12", "environmental", "meets")]}
    sc = build_scorecard(cells, catalogue, None, WEIGHTS)
    assert [c.id for c in sc.columns] == ["PRE-1", "ENV-12"]
    assert sc.matrix["b"]["PRE-1"].status == NOT_DRAFTED
    b = sc.zone("b")
    assert b.blocked and b.blocking == ("PRE-1 not evidenced (not_drafted)",)
    assert b.coverage == 0.5 and sc.ranking() == ["a", "b"]


def test_unknown_status_is_refused(catalogue) -> None:
    with pytest.raises(ValueError, match="unknown status"):
        build_scorecard({"z": {"ENV-12": "great"}}, catalogue, None, WEIGHTS)


def test_heatmap_png_is_written(gold, catalogue, registry, tmp_path: Path) -> None:
    sc = build_scorecard(gold, catalogue, registry, WEIGHTS)
    out = heatmap_png(sc, tmp_path / "out" / "heatmap.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
