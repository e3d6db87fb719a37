"""Dated disagreements: the figures a sentence gives and when two sentences disagree."""

from __future__ import annotations

import pytest

from assistant.conflicts import _disagree, figures


def test_figures_are_labelled_by_the_words_that_name_them() -> None:
    found = figures("Share of industrial wastewater treated at the CETP, 2024 100% "
                    "Share of treated effluent reused 12%")
    assert [(v, u) for v, u, _ in found] == [(100.0, "%"), (12.0, "%")]
    assert {"indus", "waste", "treat"} <= found[0][2]
    assert "reus" in found[1][2] and "indus" not in found[1][2]
    # In prose the thing measured follows "of".
    (value, unit, label), = figures("In 2022 the CETP is treating about 85% of the industrial wastewater.")
    assert (value, unit) == (85.0, "%") and {"indus", "waste"} <= label


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("Share of industrial wastewater treated at the CETP, 2024 100%",
                     "In 2022 the CETP is treating about 85% of the industrial wastewater produced.",
                     True, id="same-figure-new-value"),
        pytest.param("The central effluent treatment plant has a capacity of 2,000 m3/day.",
                     "Water treatment plant capacity 3,600 m3/day Central effluent treatment plant "
                     "capacity 2,000 m3/day", False, id="table-repeats-the-figure"),
        pytest.param("The central effluent treatment plant has a capacity of 2,000 m3/day.",
                     "A river intake feeds a zone water treatment plant with a capacity of 3,600 m3/day.",
                     False, id="another-plant"),
        pytest.param("Green and open space covers 21 ha.", "The CETP treats 88% of industrial wastewater.",
                     False, id="different-unit"),
    ],
)
def test_disagreement_needs_the_same_figure_with_another_value(a: str, b: str, expected: bool) -> None:
    assert _disagree(a, b, set()) is expected


def test_disagreement_must_concern_what_was_asked() -> None:
    a = "Share of industrial wastewater treated at the CETP, 2024 100%"
    b = "In 2022 the CETP is treating about 85% of the industrial wastewater produced."
    assert _disagree(a, b, {"waste"})
    assert not _disagree(a, b, {"solar", "energy"})


@pytest.mark.parametrize(
    ("b", "expected"),
    [
        pytest.param("Expand the central wastewater treatment plant to 3,200 m3/day and connect all tenants.",
                     False, id="plan-to-expand"),
        pytest.param("The central wastewater treatment plant reaches 3,200 m3/day by 2026.",
                     False, id="target-by-year"),
        pytest.param("The central wastewater treatment plant was expanded to 3,200 m3/day in 2024.",
                     True, id="reported-expansion"),
    ],
)
def test_a_planned_figure_is_not_a_second_measurement(b: str, expected: bool) -> None:
    a = "A central wastewater treatment plant of 1,200 m3/day treats effluent from connected firms."
    assert _disagree(a, b, set()) is expected
