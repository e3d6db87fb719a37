"""Table rows written as sentences (indexing/tables.py), on rows written for this test.

The loaders turn a table row into "Label: Header: value; value; Note: text." Read as prose,
the label was cut off from its figure at the first ":" and the label's words ("operating",
"recycled") passed for the row's stance.
"""

from __future__ import annotations

import pytest

from assistant.catalogue import Threshold
from assistant.dossier import ABSENT, NEUTRAL, OPERATING, PARTIAL_S, PLANNED, UNKNOWN, is_statement
from assistant.dossier.rules import read_sentence
from assistant.dossier.signals import read_presence
from assistant.dossier.thresholds import Scoring, match_measure, parse_target
from assistant.vocabulary import NOT_MET, PARTIAL

REUSE = parse_target(Threshold(">=", 25, "% of effluent treated"))
REUSE_TERMS = ["effluent", "reus"]


def test_a_row_figure_is_matched_with_its_label() -> None:
    row = "Treated effluent reused on site: Year: 2023; 12%; Basis: pump meter."
    m = match_measure(row, REUSE, REUSE_TERMS)
    assert m is not None and m.value == 12
    reading = read_sentence(row, REUSE, REUSE_TERMS, REUSE_TERMS, Scoring())
    assert reading.verdict == PARTIAL and reading.passes is False
    assert read_sentence(row, REUSE, REUSE_TERMS, REUSE_TERMS, Scoring(0.5)).verdict == NOT_MET


def test_the_newest_year_column_answers() -> None:
    target = parse_target(Threshold(">=", 400, "m3/day"))
    row = "Effluent reused for cooling: 2021: 150 m3/day; 2022: 320 m3/day; 2023: 460 m3/day."
    m = match_measure(row, target, REUSE_TERMS)
    assert m is not None and m.value == 460


def test_a_figure_in_the_row_label_is_no_result() -> None:
    target = parse_target(Threshold(">=", 8, "ha"))
    row = "Wetland buffer, block C (12 ha): Status: cleared for plots; Date: 2023."
    assert match_measure(row, target, ["wetland", "buffer"]) is None


@pytest.mark.parametrize(
    ("row", "stance"),
    [
        ("Rainwater harvested: not available.", UNKNOWN),
        ("Share of scrap resold: Year: 2023; n/a; Note: no weighbridge.", UNKNOWN),
        ("Operating biogas digesters: 0; Note: one under study.", ABSENT),
        ("Chemical spill kit at the depot: None.", ABSENT),
        ("Noise permit, block B: Status: pending, not yet issued; Date: applied 2024.", PARTIAL_S),
        ("Boiler permit, block A: Status: approved by the province; Date: 2019.", OPERATING),
        ("Energy audit of the estate: None yet (first planned for 2026).", PLANNED),
        ("Recycled paper collected: Year: 2023; 41 t.", OPERATING),
        ("Quarter: Firms audited; Firms with corrective plans.", NEUTRAL),
        ("Dust: Measure required: Water the haul roads twice a day; Responsible: Tenants.", NEUTRAL),
    ],
)
def test_a_row_is_read_from_its_values_not_its_label(row: str, stance: str) -> None:
    assert read_presence(row).stance == stance


def test_a_row_is_no_statement_but_prose_with_a_colon_is() -> None:
    assert not is_statement("Share of treated effluent reused on site by tenant firms: Year: 2023; 12%.")
    assert is_statement(
        "The estate runs as a landlord business: the developer leases plots and keeps the gate, "
        "but nobody provides environmental services."
    )


def test_a_row_share_of_another_base_does_not_answer() -> None:
    firms = parse_target(Threshold(">=", 80, "% of tenant firms"))
    terms = ["tenant", "firm", "report", "monthli"]
    assert match_measure("Recycled share of total water use: Year: 2023; Reported value: 14%.", firms, terms) is None
    m = match_measure("Share of tenant firms reporting monthly: Year: 2023; Reported value: 86%.", firms, terms)
    assert m is not None and m.value == 86
