"""Recognising portfolio questions, and leaving every factual question of the gold sets alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.query import plan_query
from assistant.service import load_registry_and_catalogue
from assistant.vocabulary import ACROSS_ZONES, COMPARE, MEETS, NOT_MET, PARTIAL, RANKING, ZONE_GAPS

REPO = Path(__file__).resolve().parents[3]
SETS = {REPO / "evals" / "questions.jsonl": REPO / "corpus",
        REPO / "evals" / "independent" / "questions.jsonl": REPO / "evals" / "independent" / "corpus"}


def plan(question: str, registry, catalogue, **kw):  # type: ignore[no-untyped-def]
    return plan_query(question, registry, catalogue, **kw).portfolio


@pytest.mark.parametrize(("question", "kind"), [
    ("Which zone is most ready to become a green industrial park pilot?", RANKING),
    ("Which zone is best placed for the pilot?", RANKING),
    ("Rank the zones by EIP readiness", RANKING),
    ("Which SEZ would you recommend for the pilot?", RANKING),
    ("Which zones meet ENV-12?", ACROSS_ZONES),
    ("Which zones fail the wastewater treatment requirement?", ACROSS_ZONES),
    ("who has a worker grievance mechanism", ACROSS_ZONES),
    ("For which zones is there not enough evidence on PRE-4?", ACROSS_ZONES),
    ("What is missing for Koh Kong Bay?", ZONE_GAPS),
    ("main gaps of Thnal Dach", ZONE_GAPS),
    ("What would Thnal Dach need to fix first?", ZONE_GAPS),
    ("Where does Bavet Gateway fall short?", ZONE_GAPS),
    ("compare Mekong Riverside and Prey Nob Coastal on water", COMPARE),
    ("Is Kampot Tidal further along than Takeo Agri on energy?", COMPARE),
])
def test_portfolio_questions_are_recognised(question: str, kind: str, registry, catalogue) -> None:
    got = plan(question, registry, catalogue)
    assert got is not None and got.kind == kind, got


def test_what_the_question_names_is_kept(registry, catalogue) -> None:
    across = plan("Which zones meet ENV-12?", registry, catalogue)
    assert across.criteria == ("ENV-12",) and across.statuses == (MEETS,)
    fail = plan("Which zones fail the wastewater treatment requirement?", registry, catalogue)
    assert fail.criteria == () and set(fail.statuses) == {NOT_MET, PARTIAL}
    assert "wastewater treatment" in fail.topic
    outright = plan("Which zones fail ENV-12 outright?", registry, catalogue)
    assert outright.statuses == (NOT_MET,)
    partly = plan("Which zones only partly meet ENV-12?", registry, catalogue)
    assert partly.statuses == (PARTIAL,)
    compare = plan("Compare Mekong Riverside and Prey Nob Coastal on water: which is ahead?",
                   registry, catalogue)
    assert compare.zones == ("mekong-riverside", "prey-nob-coastal") and compare.topic == "water"
    gaps = plan("What are Thnal Dach's main gaps?", registry, catalogue)
    assert gaps.zones == ("thnal-dach",)


def test_a_zone_chosen_in_the_filter_counts_as_named(registry, catalogue) -> None:
    assert plan("What are the main gaps?", registry, catalogue, zone="koh-kong-bay").kind == ZONE_GAPS


@pytest.mark.parametrize("question", [
    "Which zones treat all of their industrial wastewater?",
    "Which zones have rooftop solar?",
    "What does ENV-12 require?",
    "How much of its wastewater does Prey Nob Coastal treat?",
    "Which SEZ was finally chosen to host the UNIDO green industrial park pilot in Cambodia?",
    "Rank the three parks by how many of their people are local hires.",
    "Does Takeo Agri clean all the sewage from its factories, and if not, when will the gap be closed?",
    "How much burnt residue went to local building-block producers?",
    "Who has to deliver the rules about running the estate: the operator or the companies?",
])
def test_factual_questions_are_not_portfolio(question: str, registry, catalogue) -> None:
    assert plan(question, registry, catalogue) is None


@pytest.mark.parametrize("questions", list(SETS), ids=lambda p: p.parent.name)
def test_no_gold_factual_question_is_taken_for_a_portfolio_one(questions: Path) -> None:
    registry, catalogue = load_registry_and_catalogue(SETS[questions])
    taken = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        for text in filter(None, (rec["question"], rec.get("paraphrase"))):
            if plan(text, registry, catalogue, zone=rec.get("zone")) is not None:
                taken.append((rec["id"], text))
    assert taken == []


def test_recognition_is_linear_on_hostile_text(registry, catalogue) -> None:
    import time

    text = "most " * 400 + "which zones " * 100 + "all " * 300
    started = time.perf_counter()
    plan(text[:2000], registry, catalogue)
    assert time.perf_counter() - started < 0.5
