"""Thresholds with a unit phrase (failure class 1) and the threshold invariant."""

from __future__ import annotations

import pytest

from assistant.catalogue import Threshold
from assistant.dossier import MEETS, NOT_MET, PARTIAL, Finding, Rules, decide, read_sentence
from assistant.dossier.thresholds import (
    Scoring,
    ThresholdContradiction,
    check_invariant,
    match_measure,
    parse_target,
    verdict,
)
from assistant.text import stem
from assistant.types import Chunk

HALF_WAY = Scoring(partial_floor=0.5, partial_ceiling=1.5)


def _terms(text: str) -> list[str]:
    return [stem(w.lower()) for w in text.split()]


@pytest.mark.parametrize(
    ("comparator", "value", "phrase", "unit", "qualifier"),
    [
        (">=", 30, "% of total energy use", "%", ("ener", "use")),
        (">=", 15, "% of procurement value", "%", ("proc",)),
        ("<=", 150, "t CO2e per USD million of output", "tCO2e/USDm", ()),
        (">=", 1500, "MWh/yr", "MWh/yr", ()),
        (">=", 2, "GWh per year", "MWh/yr", ()),
        (">=", 400, "t/yr", "t/yr", ()),
        (">=", 500, "m3/day", "m3/day", ()),
        (">=", 8, "ha", "ha", ()),
        (">=", 1, "USD million", "USD", ()),
        ("<=", 1.0, "per 200,000 hours worked", "per 200k h", ()),
        ("<=", 2.0, "per 100 workers", "per 100 workers", ()),
    ],
)
def test_unit_phrases_parse(
    comparator: str, value: float, phrase: str, unit: str, qualifier: tuple[str, ...]
) -> None:
    target = parse_target(Threshold(comparator, value, phrase))
    assert target is not None and target.unit == unit
    assert set(qualifier) <= set(target.qualifier)


def test_unknown_unit_phrase_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="furlongs"):
        parse_target(Threshold(">=", 3, "furlongs"))


def test_conversions_to_the_canonical_unit() -> None:
    target = parse_target(Threshold(">=", 2, "GWh per year"))
    assert target is not None and target.value == 2000
    m = match_measure(
        "Retrofits saved 2,100 MWh a year across the estate.", target, _terms("retrofits saved")
    )
    assert m is not None and m.value == 2100
    rate = parse_target(Threshold("<=", 1.0, "per 200,000 hours worked"))
    m = match_measure("The injury rate was 4 per 1,000,000 hours worked.", rate, _terms("injury rate"))
    assert m is not None and m.value == pytest.approx(0.8)


def test_share_of_the_wrong_base_does_not_answer() -> None:
    target = parse_target(Threshold(">=", 30, "% of electricity consumed"))
    assert target is not None
    terms = _terms("renewable electricity share")
    assert match_measure("Solar panels met 45% of the midday peak load.", target, terms) is None
    m = match_measure("Renewable plants produced 12% of the electricity consumed in 2023.", target, terms)
    assert m is not None and m.value == 12


def test_a_target_in_a_plan_clause_is_not_a_result() -> None:
    r = read_sentence(
        "The operator plans to reach 40% renewable electricity by 2028.",
        Threshold(">=", 30, "% of electricity consumed"),
        _terms("renewable electricity"),
    )
    assert r.verdict is None


def test_figure_short_of_the_mark_does_not_meet() -> None:
    """Failure class 1: 9% against >= 30% of total energy use was drafted 'meets'."""
    th = Threshold(">=", 30, "% of total energy use")
    text = "Renewable sources covered 9% of the park's energy consumption in 2023."
    r = read_sentence(text, th, _terms("renewable energy share"))
    assert r.quantity is not None and r.quantity.value == 9 and r.passes is False
    chunk = Chunk(
        id="c",
        text=text,
        source="zones/z/report-2024.pdf",
        page=2,
        section=None,
        doc_type="consultant_report",
        zone="z",
        title="r",
        date="2024-05-01",
        file_hash="h",
        ordinal=0,
    )
    d = decide([Finding(text, chunk, 0.9, r)], th, Rules(scoring=HALF_WAY))
    assert d.status == NOT_MET
    assert (
        decide([Finding(text, chunk, 0.9, read_sentence(text, th, _terms("renewable energy")))], th).status
        == PARTIAL
    )  # default rule: any progress short of the mark


@pytest.mark.parametrize(
    ("value", "comparator", "mark", "expected"),
    [
        (35, ">=", 30, MEETS),
        (20, ">=", 30, PARTIAL),
        (9, ">=", 30, NOT_MET),
        (0, ">=", 30, NOT_MET),
        (0.8, "<=", 1.0, MEETS),
        (1.4, "<=", 1.0, PARTIAL),
        (2.1, "<=", 1.0, NOT_MET),
    ],
)
def test_verdict_bands(value: float, comparator: str, mark: float, expected: str) -> None:
    target = parse_target(Threshold(comparator, mark, "%"))
    assert target is not None
    assert verdict(value, target, HALF_WAY) == expected


def test_invariant_rejects_contradictions() -> None:
    check_invariant(MEETS, True)
    check_invariant(PARTIAL, False)
    with pytest.raises(ThresholdContradiction):
        check_invariant(MEETS, False)
    with pytest.raises(ThresholdContradiction):
        check_invariant(NOT_MET, True)


@pytest.mark.parametrize("value", [0, 5, 14.9, 15, 29.9, 30, 31, 100])
def test_decided_status_never_contradicts_the_figure(value: float) -> None:
    th = Threshold(">=", 30, "% of procurement value")
    text = f"Local suppliers received {value}% of procurement value in 2024."
    terms = _terms("local procurement suppliers")
    chunk = Chunk(
        id="c",
        text=text,
        source="zones/z/a.pdf",
        page=1,
        section=None,
        doc_type="zone_document",
        zone="z",
        title="a",
        date="2024",
        file_hash="h",
        ordinal=0,
    )
    for scoring in (Scoring(), HALF_WAY):
        r = read_sentence(text, th, terms, scoring=scoring)
        d = decide([Finding(text, chunk, 0.9, r)], th, Rules(scoring=scoring))
        assert r.passes is not None
        assert not (d.status == MEETS and not r.passes)
        assert not (d.status == NOT_MET and r.passes)
