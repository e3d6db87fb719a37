"""Portfolio scoring: list metrics, and the gold sets answered exactly from the gold statuses.

From the gold statuses every portfolio answer must list exactly the gold zones or criteria:
that checks the recognition, the criterion matching (with the bundled model), the answering
and the gold files against each other. The drafted statuses are gated in test_quality_gate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.reviews import ReviewStore
from assistant.service import load_registry_and_catalogue
from assistant.settings import Settings
from evals.metrics import list_precision, list_recall
from evals.portfolio import gold_scope, load_portfolio_items, score_items, store_gold

REPO = Path(__file__).resolve().parents[2]
SETS = {"sample": (REPO / "evals", REPO / "corpus"),
        "independent": (REPO / "evals" / "independent", REPO / "evals" / "independent" / "corpus")}


def test_list_precision_and_recall() -> None:
    assert list_precision(["a", "b"], ["a"]) == 0.5 and list_recall(["a", "b"], ["a"]) == 1.0
    assert list_precision([], ["a"]) == 0.0 and list_recall([], ["a"]) == 0.0
    assert list_precision([], []) == 1.0 and list_recall(["a"], []) == 1.0
    assert list_recall(["a", "a", "c"], ["a", "b"]) == 0.5


def test_the_sample_set_has_enough_items_in_both_splits() -> None:
    items = load_portfolio_items(REPO / "evals" / "portfolio.jsonl")
    assert len(items) >= 15
    assert {i.split for i in items} == {"dev", "test"}
    assert {i.kind for i in items} == {"ranking", "criterion_across_zones", "zone_gaps", "compare"}


@pytest.mark.parametrize("name", list(SETS))
def test_gold_statuses_answer_every_portfolio_item_exactly(name: str, real_embedder,
                                                           tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, corpus = SETS[name]
    registry, catalogue = load_registry_and_catalogue(corpus)
    items = load_portfolio_items(folder / "portfolio.jsonl")
    with ReviewStore(tmp_path / "gold.db") as store:
        store_gold(store, folder / "assessments.yaml", catalogue)
        result = score_items(items, store, registry, catalogue, Settings(), real_embedder,
                             scope=gold_scope(folder / "assessments.yaml"))
    wrong = [(r["id"], r["recognised"], r["expected"], r["got"]) for r in result["per_item"]
             if r["precision"] < 1 or r["recall"] < 1 or not r["kind_correct"]]
    assert wrong == []
    assert result["cited_rate"] == 1.0
