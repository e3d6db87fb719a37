"""The question planner: zones, criterion ids, cross-zone intent and follow-ups."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.catalogue import Catalogue, Criterion, Framework, Threshold, Zone, ZoneRegistry
from assistant.query import (
    QueryPlan,
    QuestionTooLongError,
    Turn,
    check_question,
    is_cross_zone,
    plan_query,
)

REGISTRY = ZoneRegistry((
    Zone("bavet-gateway", "Bavet Gateway Special Economic Zone", "Svay Rieng", ("Bavet Gateway", "Bavet SEZ")),
    Zone("kampot-tidal", "Kampot Tidal SEZ", "Kampot", ("Kampot Tidal",)),
))


def _criterion(cid: str, title: str) -> Criterion:
    return Criterion(cid, "environmental", "x", title, "r", "park", "i", Threshold("present"))


CATALOGUE = Catalogue(Framework("f", "Framework", "1", "s"), (
    _criterion("ENV-12", "Treatment of industrial wastewater"),
    _criterion("SOC-4", "Worker grievance mechanism"),
))
HISTORY = (Turn("How big is Bavet Gateway SEZ?", "bavet-gateway"),)


def _plan(question: str, **kwargs: Any) -> QueryPlan:
    return plan_query(question, REGISTRY, CATALOGUE, **kwargs)


@pytest.mark.parametrize(
    ("question", "zones"),
    [
        ("What is the CETP capacity at Bavet Gateway?", ["bavet-gateway"]),
        ("Does kampot-tidal treat its wastewater?", ["kampot-tidal"]),
        ("How do Kampot Tidal and Bavet SEZ compare?", ["kampot-tidal", "bavet-gateway"]),
        ("What does the framework say about solar?", []),
    ],
)
def test_zones_are_found_by_id_name_or_alias_in_order_of_mention(question: str, zones: list[str]) -> None:
    assert [z.id for z in _plan(question).zones] == zones


def test_criteria_are_found_by_loose_id_or_title() -> None:
    assert [c.id for c in _plan("Does Bavet SEZ meet env 12?").criteria] == ["ENV-12"]
    assert [c.id for c in _plan("Is there a worker grievance mechanism?").criteria] == ["SOC-4"]
    assert _plan("What does ENV-120 require?").criteria == ()  # digits must not run on
    assert plan_query("What does ENV-12 require?", REGISTRY, None).criteria == ()


@pytest.mark.parametrize(
    ("question", "cross"),
    [
        ("Which zones have a worker grievance mechanism?", True),
        ("Do the SEZs treat their wastewater?", True),
        ("Compare Bavet Gateway and Kampot Tidal zones on SOC-4", True),  # two zones named
        ("Which zones treat wastewater like Bavet Gateway?", False),  # one zone named
        ("Which zone is the best?", False),
        ("The zones treat it.", True),
        ("The zones? They treat it.", False),  # a rule does not run past "?"
        # A comparison between the zones, whatever the question calls them (round 11).
        ("Of the three parks, which gets the largest share of green power?", True),
        ("Which park reuses the biggest fraction of its water?", True),
        ("Rank the parks by the size of their workforce.", True),
        ("Which zone has the smallest headcount?", True),
        ("Which zone operators hold ISO 14001?", False),  # no comparison, no "have"
        ("Which SEZ was finally chosen to host the pilot?", False),  # one decision, not a comparison
        ("What minimum park area does the pre-selection look for?", False),  # "park" as a modifier
        ("How many parks did UNIDO assess with version 1.0?", False),  # parks in general
    ],
)
def test_cross_zone_intent(question: str, cross: bool) -> None:
    assert _plan(question).cross_zone is cross


def test_a_chosen_zone_wins_over_the_question_and_ends_cross_zone() -> None:
    plan = _plan("Which zones have solar, like Bavet Gateway?", zone="kampot-tidal")
    assert [z.id for z in plan.zones] == ["kampot-tidal"] and not plan.cross_zone
    assert is_cross_zone("Which zones have solar, like Bavet Gateway?")


def test_a_follow_up_inherits_the_zone_and_borrows_the_previous_question() -> None:
    plan = _plan("And what about its hazardous waste?", history=HISTORY)
    assert [z.id for z in plan.zones] == ["bavet-gateway"] and plan.inherited_zone
    assert plan.text == "And what about its hazardous waste? (How big is Bavet Gateway SEZ?)"
    assert _plan("Wastewater?", history=HISTORY).text == "Wastewater? (How big is Bavet Gateway SEZ?)"


def test_a_long_standalone_question_keeps_its_text_but_inherits_the_zone() -> None:
    question = "How is hazardous waste handled by the licensed contractors of the estate?"
    plan = _plan(question, history=HISTORY)
    assert plan.text == question and [z.id for z in plan.zones] == ["bavet-gateway"]


def test_history_does_not_override_a_named_zone_or_a_cross_zone_question() -> None:
    named = _plan("Does Kampot Tidal have a solar farm?", history=HISTORY)
    assert [z.id for z in named.zones] == ["kampot-tidal"] and not named.inherited_zone
    cross = _plan("Which zones have solar?", history=HISTORY)
    assert cross.zones == () and cross.cross_zone and cross.text == "Which zones have solar?"


def test_zone_names_are_short_names_and_no_registry_plans_plainly() -> None:
    assert _plan("x").zone_names == (("bavet-gateway", "Bavet Gateway"), ("kampot-tidal", "Kampot Tidal"))
    plain = plan_query("Which zones treat wastewater?", None, None)
    assert plain.zones == () and plain.criteria == () and plain.zone_names == () and plain.cross_zone


def test_check_question_names_the_length_and_the_limit() -> None:
    assert check_question("x" * 10, limit=10) == "x" * 10
    with pytest.raises(QuestionTooLongError, match="11 characters long; the limit is 10"):
        check_question("x" * 11, limit=10)


@pytest.mark.parametrize("registry", [REGISTRY, None], ids=["unknown-zone", "no-registry"])
def test_a_chosen_zone_the_registry_does_not_know_still_scopes_the_plan(registry: ZoneRegistry | None) -> None:
    """A corpus without zones.yaml (or a zone id it lacks) must not widen the search to all zones."""
    plan = plan_query("Which zones treat wastewater?", registry, None, zone=" Gamma ", history=HISTORY)
    assert [z.id for z in plan.zones] == ["gamma"]
    assert not plan.cross_zone and not plan.inherited_zone
