"""Quantities in evidence sentences: reading numbers and units, normalising, comparing."""

from __future__ import annotations

import pytest

from assistant.catalogue import Threshold
from assistant.dossier.thresholds import comparable, measures, parse_target, passes
from assistant.quantities import extract_quantities, normalise_unit

PRESENT = Threshold("present")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("treats 85% of industrial wastewater", 85.0, "%"),
        ("about 85 per cent of it", 85.0, "%"),
        ("a capacity of 1,440 m3/day", 1440.0, "m3/day"),
        ("a capacity of 1,440 m³/d", 1440.0, "m3/day"),
        ("about 2.5 ML/day of effluent", 2500.0, "m3/day"),
        ("solar produced 1,200 kWh", 1.2, "MWh"),
        ("the zone used 46,800 MWh", 46800.0, "MWh"),
        ("and 1.5 GWh of steam", 1500.0, "MWh"),
        ("a 0.8 MWp rooftop system", 0.8, "MW"),
        ("160 tonnes a year", 160.0, "t"),
        ("2,500 kg of sludge", 2.5, "t"),
        ("emitted 128,400 tCO2e", 128400.0, "tCO2e"),
        ("a 23 ha green belt", 23.0, "ha"),
    ],
)
def test_quantities_are_read_and_normalised(text: str, value: float, unit: str) -> None:
    found = [q for q in extract_quantities(text) if q.unit is not None]
    assert found, text
    assert found[0].value == pytest.approx(value)
    assert found[0].unit == unit


def test_counts_years_and_fractions() -> None:
    qs = extract_quantities(
        "Nine of the 19 tenants have a procedure since 2019; 214 cases were received."
    )
    kinds = {q.text: (q.kind, q.value) for q in qs}
    assert kinds["Nine of the 19"][0] == "share"
    assert kinds["Nine of the 19"][1] == pytest.approx(100 * 9 / 19)
    assert kinds["2019"] == ("year", 2019.0)
    assert kinds["214"] == ("count", 214.0)
    # "2019" followed by a word starting with "t" is still a year, not tonnes
    assert extract_quantities("in 2019 the plant")[0].kind == "year"


def test_the_module_example_keeps_order_text_and_offsets() -> None:
    text = "The CETP treats 1,440 m3/day, which is 88% of industrial wastewater."
    qs = extract_quantities(text)
    assert [(q.value, q.unit, q.kind) for q in qs] == [(1440.0, "m3/day", "measure"), (88.0, "%", "share")]
    assert [text[q.start:q.end] for q in qs] == ["1,440 m3/day", "88%"]


def test_a_fraction_larger_than_its_whole_is_two_counts_and_decimals_stay_whole() -> None:
    assert [(q.value, q.kind) for q in extract_quantities("20 of 10 said so")] == [
        (20.0, "count"), (10.0, "count")]
    assert [q.value for q in extract_quantities("four of the eight garment firms")] == [50.0]
    assert [q.value for q in extract_quantities("pH 7.25 at the outfall")] == [7.25]


def test_khmer_digits_in_quantities() -> None:
    found = [(q.value, q.unit) for q in extract_quantities("ទឹកកខ្វក់ចំនួន៨៥% ត្រូវបានប្រព្រឹត្តកម្ម និង ៤៥០០ m3/day")]
    assert found == [(85.0, "%"), (4500.0, "m3/day")]


def test_unit_helpers() -> None:
    assert normalise_unit(1200, "kWh") == (pytest.approx(1.2), "MWh")
    assert normalise_unit(3, "furlongs") == (3, "furlongs")
    assert normalise_unit(1.0, "percent")[1] == "%"
    assert normalise_unit(1.0, "m3 per day")[1] == "m3/day"


@pytest.mark.parametrize(
    ("text", "threshold", "expected"),
    [
        ("treats 100% of it", Threshold(">=", 100, "%"), True),
        ("treats 85% of it", Threshold(">=", 100, "%"), False),
        ("capacity 2,400 m3/day", Threshold(">=", 2000, "m3/day"), True),
        ("capacity 1.5 ML/day", Threshold(">=", 2000, "m3/day"), False),
        ("bought 1,200,000 kWh", Threshold(">=", 1000, "MWh"), True),
        ("bought 900 MWh", Threshold(">=", 1000, "MWh"), False),
        ("landfilled 900 t", Threshold("<=", 1000, "t"), True),
        ("landfilled 1,500,000 kg", Threshold("<=", 1000, "t"), False),
        ("exactly 50% women", Threshold("==", 50, "%"), True),
        ("exactly 49% women", Threshold("==", 50, "%"), False),
    ],
)
def test_threshold_comparison_per_comparator_and_unit(
    text: str, threshold: Threshold, expected: bool
) -> None:
    # The drafter's comparison (assistant/dossier/thresholds.py) on the same sentences.
    target = parse_target(threshold)
    assert target is not None
    m = next(m for m in measures(text) if comparable(m, target))
    assert passes(m.value, target) is expected


def test_incomparable_units_give_no_verdict() -> None:
    m = measures("160 tonnes")[0]
    target = parse_target(Threshold(">=", 100, "%"))
    assert target is not None and not comparable(m, target)
    assert parse_target(PRESENT) is None


@pytest.mark.parametrize("text", ["Next meeting: 20 September 2024.", "Visited on May 24, 2024.",
                                  "Due: 31 May 2024", "signed 3 Mar. 2023"])
def test_the_day_of_a_date_is_not_a_count(text: str) -> None:
    kinds = [q.kind for q in extract_quantities(text)]
    assert "count" not in kinds and "day" in kinds and "year" in kinds


def test_a_month_name_used_as_a_word_does_not_make_a_date() -> None:
    assert [q.kind for q in extract_quantities("there are 5 may be more")] == ["count"]


@pytest.mark.parametrize("text", ["ENV-12 requires treatment", "under Sub-decree No. 27 on water",
                                  "requirement PM-1 applies", "see item #4", "a problem (see section 6)",
                                  "the EIA for Phase 2 was approved", "listed in Annex 3"])
def test_a_number_that_names_something_is_an_id_not_a_count(text: str) -> None:
    assert [q.kind for q in extract_quantities(text)] == ["id"]


def test_an_id_does_not_answer_how_many() -> None:
    from assistant.answer_type import expected_answer, fits
    how_many = expected_answer("How many firms meet ENV-12?")
    assert not fits(how_many, "ENV-12 requires industrial wastewater to be treated before release.")
    assert fits(how_many, "ENV-12 is met by 12 firms.")


def test_a_scale_word_multiplies_and_joins_the_number_to_its_unit() -> None:
    (water,) = extract_quantities("Water withdrawn from the river: 2.59 million m3.")
    assert (water.value, water.unit, water.text, water.kind) == (2_590_000.0, "m3", "2.59 million m3", "measure")
    (money,) = extract_quantities("Cumulative investment: about USD 97 million.")
    assert (money.value, money.text, money.kind) == (97_000_000.0, "97 million", "count")
    # A year followed by a scale word is an amount ("2023 million" is no date).
    assert extract_quantities("2023 million people")[0].kind == "count"
    assert extract_quantities("in 2023 the plant")[0].kind == "year"
