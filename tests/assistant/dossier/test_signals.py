"""Generic signal cues (failure class 3), on sentences written for this test."""

from __future__ import annotations

import pytest

from assistant.dossier import ABSENT, NEUTRAL, OPERATING, PARTIAL_S, PLANNED, UNKNOWN
from assistant.dossier.signals import read_presence


@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        # absence
        ("No emergency response procedure is in place at the estate.", ABSENT),
        ("The estate has no recycling contract.", ABSENT),
        ("None of the factories separates its scrap.", ABSENT),
        # not available: a gap
        ("Figures on groundwater use were not available.", UNKNOWN),
        ("The operator did not provide any records on noise.", UNKNOWN),
        # plans
        ("A rainwater tank will be added next year.", PLANNED),
        ("A biogas digester is planned.", PLANNED),
        ("The sorting hall is under construction.", PLANNED),
        ("A cycling lane is expected to open by 2027.", PLANNED),
        # partial coverage
        ("The shuttle bus serves phase 1 only.", PARTIAL_S),
        ("Some tenants have sprinklers.", PARTIAL_S),
        ("Only the two largest plants meter their steam.", PARTIAL_S),
        ("The noise policy is still a draft.", PARTIAL_S),
        # operation
        ("A canteen has operated at the gate since 2020.", OPERATING),
        ("The estate's waste permit is valid and in force.", OPERATING),
        ("No fines were issued to the estate last year.", OPERATING),
        # neither
        ("Install meters on every borehole.", NEUTRAL),
        ("Tenants must keep a chemical register.", NEUTRAL),
    ],
)
def test_generic_cues(sentence: str, stance: str) -> None:
    assert read_presence(sentence).stance == stance


def test_a_plan_next_to_operation_is_partial() -> None:
    text = "The clinic operates for workers, and a second clinic will open for villagers."
    assert read_presence(text).stance == PARTIAL_S


def test_a_dated_target_of_an_adopted_plan_is_operation() -> None:
    text = "An energy plan adopted in 2022 sets a target of 15% savings by 2028."
    assert read_presence(text).stance == OPERATING


@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("Three open violation notices from the province are on file.", ABSENT),
        ("An unresolved warning about the boiler stack is on file.", ABSENT),
        ("Drainage audit: Status: 4 outstanding findings; Date: May 2024.", ABSENT),
        ("There were no fines or unresolved notices against the estate in 2023.", OPERATING),
    ],
)
def test_a_bad_thing_still_open_is_absence_of_compliance(sentence: str, stance: str) -> None:
    assert read_presence(sentence).stance == stance


def test_a_commitment_is_a_plan() -> None:
    text = "The 2023 site plan commits the operator to sampling the canal water."
    assert read_presence(text).stance == PLANNED


@pytest.mark.parametrize(
    "sentence",
    [
        "The estate has no water plan and no water-saving target.",
        "Its energy work is done by one technician without written procedures or targets.",
    ],
)
def test_a_missing_target_is_absence_not_a_plan(sentence: str) -> None:
    assert read_presence(sentence).stance == ABSENT


def test_a_target_ahead_is_still_a_plan() -> None:
    assert read_presence("The estate sets a target of 20% recycled water by 2028.").stance == PLANNED


def test_information_not_made_available_is_a_gap_in_a_long_sentence() -> None:
    text = ("No information on the discharge permits of the tenant factories or on any inspection by "
            "the provincial authorities was made available to the assessors.")
    assert read_presence(text).stance == UNKNOWN


def test_equipment_under_installation_is_work_under_way() -> None:
    assert read_presence("A 1 MWp solar carport is under installation at the depot.").stance == PLANNED
