"""Quantities in evidence sentences: find them, normalise their units, compare with thresholds.

Only what zone documents actually write is handled: percentages (``85%``, ``85 per cent``),
shares written as counts (``3 of 19``, ``Nine of the 19``), volumes (``m3/day``, ``m³/d``,
``ML/day``), energy (``kWh``/``MWh``/``GWh``), power (``kW``/``MW``/``MWp``), masses
(``kg``/``t``/``tonnes``, ``tCO2e``), areas (``ha``), plain counts and years. Units are
normalised to one canonical unit per dimension so that ``1,200 kWh`` compares with ``1.2 MWh``.

Example::

    q = extract_quantities("The CETP treats 1,440 m3/day, which is 88% of industrial wastewater.")
    [(x.value, x.unit) for x in q]          # [(1440.0, 'm3/day'), (88.0, '%')]
    meets_threshold(q[1], Threshold(">=", 100.0, "%"))   # False
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.catalogue import Threshold
from indexing.khmer import ascii_digits

# (pattern of the unit as written, canonical unit, factor to the canonical unit)
_UNITS: tuple[tuple[str, str, float], ...] = (
    (r"%|per ?cent\b|percent\b|ភាគរយ", "%", 1.0),
    (r"(?:m3|m³|cubic met(?:re|er)s?)\s*(?:/|per)\s*(?:day|d)\b", "m3/day", 1.0),
    (r"(?:ML|megalit(?:re|er)s?)\s*(?:/|per)\s*(?:day|d)\b", "m3/day", 1000.0),
    (r"(?:m3|m³|cubic met(?:re|er)s?)\s*(?:/|per)\s*(?:year|yr|a)\b", "m3/year", 1.0),
    (r"m3\b|m³|cubic met(?:re|er)s?\b", "m3", 1.0),
    (r"GWh\b", "MWh", 1000.0),
    (r"MWh\b", "MWh", 1.0),
    (r"kWh\b", "MWh", 0.001),
    (r"MW[pe]?\b", "MW", 1.0),
    (r"kW[pe]?\b", "MW", 0.001),
    (r"(?:tCO2e|t ?CO2-?e(?:q)?|tonnes? (?:of )?CO2e?(?:q)?)\b", "tCO2e", 1.0),
    (r"kg\b|kilograms?\b", "t", 0.001),
    (r"t\b|tonnes?\b|tons?\b|metric tons?\b", "t", 1.0),
    (r"ha\b|hectares?\b", "ha", 1.0),
)
_UNIT_RE = re.compile(
    "|".join(f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(_UNITS)), re.IGNORECASE
)
# A number starts after a non-word character, or right after Khmer script (no spaces there).
_NUMBER_RE = re.compile(r"(?:(?<![\w.])|(?<=[\u1780-\u17ff]))(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")
_WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_COUNT = r"(\d+|" + "|".join(_WORD_NUMBERS) + r")"
# "3 of 19", "Nine of the 19 tenants", "four of the eight garment firms"
_FRACTION_RE = re.compile(
    rf"(?<![\w.,]){_COUNT}\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+)?{_COUNT}(?![\w.,%])",
    re.IGNORECASE,
)
_ALL_RE = re.compile(r"\b(?:all|every|each)\b", re.IGNORECASE)

#: Canonical units that measure a share; shares compare only with shares.
SHARE_UNITS = frozenset({"%"})
CANONICAL_UNITS = frozenset(u for _, u, _ in _UNITS)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number read from text, in a canonical unit (``None`` for plain counts/years)."""

    value: float
    unit: str | None
    text: str  # as written, e.g. "1,440 m3/day" or "Nine of the 19"
    start: int
    end: int
    kind: str = "measure"  # measure | share | count | year

    def __str__(self) -> str:
        return self.text


def _to_float(whole: str, frac: str | None) -> float:
    return float(whole.replace(",", "") + (f".{frac}" if frac else ""))


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS[word.lower()]


def normalise_unit(value: float, unit: str) -> tuple[float, str | None]:
    """``(value, unit)`` in the canonical unit: ``(1200, "kWh") -> (1.2, "MWh")``.

    An unknown unit comes back unchanged; ``None`` for no unit.
    """
    text = unit.strip()
    if not text:
        return value, None
    m = _UNIT_RE.fullmatch(text)
    if m is None:
        return value, text
    i = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
    _, canonical, factor = _UNITS[i]
    return value * factor, canonical


def canonical_unit(unit: str | None) -> str | None:
    """The canonical form of a threshold unit (``"percent"`` -> ``"%"``, ``"kWh"`` -> ``"MWh"``)."""
    if unit is None or not unit.strip():
        return None
    return normalise_unit(1.0, unit)[1]


def extract_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, left to right, units normalised (Khmer digits read as ASCII)."""
    text = ascii_digits(text)  # same length: offsets hold for the original text
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _FRACTION_RE.finditer(text):
        part, whole = _count(m.group(1)), _count(m.group(2))
        if 0 < whole and part <= whole:
            found.append(
                Quantity(100.0 * part / whole, "%", m.group(0), m.start(), m.end(), "share")
            )
            taken.append((m.start(), m.end()))
    for m in _NUMBER_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = _to_float(m.group(1), m.group(2))
        rest = text[m.end() :]
        um = (
            _UNIT_RE.match(rest.lstrip())
            if rest[:1] in (" ", "%", "") or rest[:1].isalpha()
            else None
        )
        # "2019" alone is a year; "2019 t" is a mass.
        if um is not None and um.group(0):
            gap = len(rest) - len(rest.lstrip())
            unit_text = um.group(0)
            val, unit = normalise_unit(value, unit_text)
            end = m.end() + gap + um.end()
            found.append(
                Quantity(
                    val,
                    unit,
                    text[m.start() : end],
                    m.start(),
                    end,
                    "share" if unit == "%" else "measure",
                )
            )
            continue
        whole = m.group(1).replace(",", "")
        kind = (
            "year"
            if m.group(2) is None and len(whole) == 4 and 1950 <= int(whole) <= 2100
            else "count"
        )
        found.append(Quantity(value, None, m.group(0), m.start(), m.end(), kind))
    found.sort(key=lambda q: q.start)
    return found


def compare(value: float, comparator: str, target: float) -> bool:
    """``value <comparator> target`` with a small tolerance for rounding."""
    tol = 1e-6 * max(1.0, abs(target))
    if comparator == ">=":
        return value >= target - tol
    if comparator == "<=":
        return value <= target + tol
    if comparator == "==":
        return math.isclose(value, target, rel_tol=1e-3, abs_tol=tol)
    raise ValueError(f"not a numeric comparator: {comparator!r}")


def matching_quantities(quantities: list[Quantity], threshold: Threshold) -> list[Quantity]:
    """Quantities whose unit can be compared with the threshold's unit."""
    unit = canonical_unit(threshold.unit)
    if unit is None:
        return [q for q in quantities if q.kind == "count"]
    return [q for q in quantities if q.unit == unit]


def meets_threshold(quantity: Quantity, threshold: Threshold) -> bool | None:
    """Whether the quantity satisfies a numeric threshold; ``None`` if they do not compare."""
    if not threshold.is_numeric or threshold.value is None:
        return None
    unit = canonical_unit(threshold.unit)
    if quantity.unit != unit and not (unit is None and quantity.kind == "count"):
        return None
    target, _ = (
        normalise_unit(threshold.value, threshold.unit or "") if unit else (threshold.value, None)
    )
    return compare(quantity.value, threshold.comparator, target)


def says_all(text: str) -> bool:
    """Whether the sentence states universality ("all", "every"), read as 100 % for shares."""
    return bool(_ALL_RE.search(text))


def nearest_quantity(
    text: str, quantities: list[Quantity], anchors: list[tuple[int, int]]
) -> Quantity | None:
    """The quantity closest to any anchor span (indicator words) in ``text``."""
    if not quantities:
        return None
    if not anchors:
        return quantities[0]

    def distance(q: Quantity) -> int:
        return min(max(a - q.end, q.start - b, 0) for a, b in anchors)

    return min(quantities, key=lambda q: (distance(q), q.start))
