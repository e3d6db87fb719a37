"""Reading a sentence and deciding a status (assistant/dossier/rules.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.catalogue import Threshold
from assistant.dossier import (
    ABSENT,
    INSUFFICIENT,
    MEETS,
    NEUTRAL,
    NOT_MET,
    OPERATING,
    PARTIAL,
    PARTIAL_S,
    PLANNED,
    UNKNOWN,
)
from assistant.dossier.rules import Finding, Rules, decide, read_sentence

sys.path.insert(0, str(Path(__file__).parent))
from dossier_chunks import chunk as _chunk  # noqa: E402

PRESENT = Threshold("present")
ALL_PERCENT = Threshold(">=", 100.0, "%")


# --- reading a sentence ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("The central effluent treatment plant has been in operation since 2019.", OPERATING),
        ("MRZM has held ISO 14001 certification since 2019.", OPERATING),
        ("No greenhouse-gas inventory has been prepared for the zone.", ABSENT),
        (
            "None of the treated effluent is reused; the full volume is discharged to the river.",
            ABSENT,
        ),
        ("Waste is collected without separation, and open burning was observed.", ABSENT),
        ("A clinic building is under construction and is due to open in 2025.", PLANNED),
        ("The PMC has not yet prepared an adaptation plan.", PARTIAL_S),
        ("A first exchange started as a pilot in February 2024.", PARTIAL_S),
        ("Only 6 of the 19 firms have an occupational safety committee.", PARTIAL_S),
        (
            "The EIA was approved in 2021, but the monitoring has not been carried out since 2022.",
            PARTIAL_S,
        ),
        ("No warnings, fines or orders were open against the zone or any tenant.", OPERATING),
        ("Data on social and economic performance could not be obtained.", UNKNOWN),
        ("No information on whether any treated wastewater is reused was made available.", UNKNOWN),
        ("Prepare an energy management plan with targets.", NEUTRAL),
        ("Hazardous waste must be handed to licensed contractors.", NEUTRAL),
    ],
)
def test_sentence_signals(sentence: str, stance: str) -> None:
    assert read_sentence(sentence).stance == stance


def test_numeric_threshold_reads_the_quantity_next_to_the_indicator() -> None:
    terms = ("industri", "waste", "treat")
    below = read_sentence(
        "The remaining 65% leaves untreated; only 35% of industrial wastewater is treated.",
        ALL_PERCENT,
        terms,
    )
    assert below.stance == PARTIAL_S and below.passes is False and below.quantity.value == 35
    full = read_sentence(
        "After the expansion, the CETP treats 100% of the industrial wastewater.",
        ALL_PERCENT,
        terms,
    )
    assert full.stance == OPERATING and full.passes is True
    zero = read_sentence(
        "Hazardous waste handled by licensed operators was 0% in 2023.", ALL_PERCENT
    )
    assert zero.stance == ABSENT


def test_present_criteria_read_zero_percent_as_absence_and_a_figure_as_operation() -> None:
    assert read_sentence("Treated wastewater reused in 2023 was 0% of the volume.").stance == ABSENT
    assert (
        read_sentence("In 2023, 32% of the treated effluent was reused in this way.").stance
        == OPERATING
    )


# --- status rules ------------------------------------------------------------------------


def _finding(
    text: str,
    relevance: float = 0.8,
    *,
    date: str = "2024-06-01",
    source: str = "report.pdf",
    threshold: Threshold | None = None,
    terms: tuple[str, ...] = (),
) -> Finding:
    chunk = _chunk(f"{source}:{text[:10]}", "z1", text, source=source, date=date)
    return Finding(text, chunk, relevance, read_sentence(text, threshold, terms))


def test_present_comparator_meets_on_evidence_that_it_exists_and_operates() -> None:
    d = decide([_finding("The zone safety committee has convened monthly since 2019.")], PRESENT)
    assert d.status == MEETS and d.deciding and 0 < d.confidence <= 1


def test_present_comparator_absence_and_partiality() -> None:
    assert (
        decide([_finding("No climate risk assessment has been carried out.")], PRESENT).status
        == NOT_MET
    )
    assert (
        decide([_finding("A climate adaptation plan is still in draft.")], PRESENT).status
        == PARTIAL
    )
    mixed = [
        _finding("Electricity use is metered every month at the substation.", 0.8),
        _finding("There is no energy management plan and no energy-saving target.", 0.75),
    ]
    assert decide(mixed, PRESENT).status == PARTIAL


def test_numeric_comparator_decides_with_the_measured_share() -> None:
    terms = ("hazar", "licen")
    met = _finding(
        "In 2023, 100% of hazardous waste was handled by licensed contractors.",
        threshold=ALL_PERCENT,
        terms=terms,
    )
    below = _finding(
        "Licensed operators handled 55% of hazardous waste.", threshold=ALL_PERCENT, terms=terms
    )
    none = _finding(
        "None of the hazardous waste is handed to a licensed operator.", threshold=ALL_PERCENT
    )
    assert decide([met], ALL_PERCENT).status == MEETS
    assert decide([below], ALL_PERCENT).status == PARTIAL
    assert decide([none], ALL_PERCENT).status == NOT_MET


def test_other_units_and_comparators_in_decisions() -> None:
    cap = Threshold(">=", 2000, "m3/day")
    assert (
        decide([_finding("The plant treats 2.4 ML/day on average.", threshold=cap)], cap).status
        == MEETS
    )
    assert (
        decide([_finding("The plant treats 1,500 m3/day.", threshold=cap)], cap).status == PARTIAL
    )
    limit = Threshold("<=", 1000, "t")
    assert (
        decide([_finding("The zone landfilled 800 tonnes in 2023.", threshold=limit)], limit).status
        == MEETS
    )
    assert (
        decide([_finding("The zone landfilled 1,400 t in 2023.", threshold=limit)], limit).status
        == PARTIAL
    )
    energy = Threshold(">=", 1000, "MWh")
    assert (
        decide(
            [_finding("Rooftop solar produced 1,250,000 kWh in 2023.", threshold=energy)], energy
        ).status
        == MEETS
    )


def test_conflicting_dated_evidence_newest_wins_and_the_conflict_is_shown() -> None:
    terms = ("industri", "waste", "treat")
    old = _finding(
        "About 85% of industrial wastewater is treated at the CETP.",
        source="profile-2022.pdf",
        date="2022-06-30",
        threshold=ALL_PERCENT,
        terms=terms,
    )
    new = _finding(
        "After the expansion, the CETP treats 100% of the industrial wastewater.",
        0.7,
        source="report-2024.pdf",
        date="2024-08-20",
        threshold=ALL_PERCENT,
        terms=terms,
    )
    d = decide([old, new], ALL_PERCENT)
    assert d.status == MEETS
    assert d.deciding[0].source == "report-2024.pdf"
    assert d.conflict and "profile-2022.pdf" in d.conflict and "newer" in d.conflict
    assert "2022-06-30" in d.conflict and "2024-08-20" in d.conflict
    # the same pair with the dates swapped: the 85% figure is now the newest and decides
    old2 = _finding(
        new.text, source="report.pdf", date="2021-01-01", threshold=ALL_PERCENT, terms=terms
    )
    new2 = _finding(
        old.text, source="profile.pdf", date="2023-01-01", threshold=ALL_PERCENT, terms=terms
    )
    assert decide([old2, new2], ALL_PERCENT).status == PARTIAL


def test_newer_qualitative_evidence_overrides_an_older_absence() -> None:
    old = _finding(
        "No worker grievance mechanism exists in the zone.",
        0.9,
        source="eia-2021.pdf",
        date="2021-09-20",
    )
    new = _finding(
        "A worker grievance hotline was set up in 2023 and is in operation.",
        0.7,
        source="report-2024.pdf",
        date="2024-06-12",
    )
    d = decide([old, new], PRESENT)
    assert d.status == MEETS and d.conflict and "eia-2021.pdf" in d.conflict


def test_insufficient_evidence_when_nothing_relevant() -> None:
    assert decide([], PRESENT).status == INSUFFICIENT
    weak = [_finding("The zone has a clinic open on all shifts.", 0.2)]
    assert decide(weak, PRESENT, Rules(min_relevance=0.5)).status == INSUFFICIENT
    only_gap = [_finding("Data on social and economic performance could not be obtained.", 0.9)]
    d = decide(only_gap, PRESENT)
    assert d.status == INSUFFICIENT and d.unknown


def test_a_numeric_criterion_is_not_met_by_a_description_or_another_indicator_s_row() -> None:
    """Without a figure that answers the indicator there is nothing to compare: no meets."""
    savings = Threshold(">=", 500, "MWh/yr")
    terms = ("sav", "electr")
    row = _finding("Electricity bought from the grid: Year: 2023; 41,000 MWh; Source: bills.", 0.9,
                   threshold=savings, terms=terms)
    assert row.stance == NEUTRAL
    prose = _finding("The estate office keeps a register of the electricity saving projects of its tenants.",
                     0.95, threshold=savings, terms=terms)
    assert decide([row, prose], savings).status == INSUFFICIENT
    # the same description for a criterion without a figure shows that the thing exists
    assert decide([prose], PRESENT).status == MEETS


@pytest.mark.parametrize(
    "text",
    [
        "Staff: Annual sustainability report; None yet (first issue planned for 2026).",
        "No sustainability report has been issued yet; the first is planned for 2026.",
    ],
)
def test_none_yet_but_planned_is_a_plan_not_an_absence(text: str) -> None:
    assert read_sentence(text).stance in (PLANNED, PARTIAL_S)
    assert decide([_finding(text)], PRESENT, Rules(plan_status=PARTIAL)).status == PARTIAL


def test_a_document_that_also_says_otherwise_lowers_the_confidence() -> None:
    sure = _finding("The estate's sorting hall has operated every day since 2019.", 0.95)
    other = _finding("Glass is not separated at the sorting hall.", 0.7)
    alone = decide([sure], PRESENT)
    mixed = decide([sure, other], PRESENT)
    assert alone.status == mixed.status == MEETS
    assert alone.confidence >= 0.8 > mixed.confidence


def test_how_the_assessors_worked_is_about_the_document_not_the_zone() -> None:
    text = "The team interviewed managers of 6 of the 20 factories and two commune chiefs."
    assert read_sentence(text).stance == NEUTRAL  # not "partial" from "6 of the 20"


def test_a_newer_document_without_the_information_outweighs_an_older_plan() -> None:
    old_plan = _finding("The permits will be renewed when the second phase is approved.", 0.6,
                        date="2021-03-01", source="plan-2021.pdf")
    newer_gap = _finding("No information on the permits of the tenants was made available to the team.", 0.65,
                         date="2024-05-01", source="review-2024.pdf")
    assert newer_gap.stance == UNKNOWN
    assert decide([old_plan, newer_gap], PRESENT).status == INSUFFICIENT
    # a decisive finding more relevant than the gap still decides
    strong = _finding("The permits will be renewed when the second phase is approved.", 0.9,
                      date="2021-03-01", source="plan-2021.pdf")
    assert decide([strong, newer_gap], PRESENT).status != INSUFFICIENT


def test_a_numeric_criterion_decided_without_a_figure_is_never_sure() -> None:
    share = Threshold(">=", 80, "% of tenant firms")
    text = "Every tenant firm sends its meter readings to the estate office at the end of each month."
    sure = _finding(text, 0.95, threshold=share, terms=("tenant", "meter"))
    assert sure.reading.verdict is None
    assert decide([sure], PRESENT).confidence >= 0.8
    assert decide([sure], share).confidence < 0.8
