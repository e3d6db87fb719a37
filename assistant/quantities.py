"""Quantities in answer sentences: find them and normalise their units.

Only what zone documents actually write is handled: percentages (``85%``, ``85 per cent``),
shares written as counts (``3 of 19``, ``Nine of the 19``), volumes (``m3/day``, ``m³/d``,
``ML/day``), energy (``kWh``/``MWh``/``GWh``), power (``kW``/``MW``/``MWp``), masses
(``kg``/``t``/``tonnes``, ``tCO2e``), areas (``ha``), plain counts and years. Units are
normalised to one canonical unit per dimension so that ``1,200 kWh`` compares with ``1.2 MWh``.

Example::

    q = extract_quantities("The CETP treats 1,440 m3/day, which is 88% of industrial wastewater.")
    [(x.value, x.unit) for x in q]          # [(1440.0, 'm3/day'), (88.0, '%')]

The answerer reads these (what kind of answer a sentence holds, figures that disagree); the
drafter compares figures with catalogue thresholds in :mod:`assistant.dossier.thresholds`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.khmer import ascii_digits

#: Month names as documents write them, full or abbreviated.
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# A day of the month: "24 May", "May 24" (the number is part of a date, not a count). The
# month is capitalised, so "5 may be more" is a count.
_DAY_BEFORE = re.compile(rf"\s+(?=[A-Z])(?i:{MONTHS})\b")
_DAY_AFTER = re.compile(rf"\b(?=[A-Z])(?i:{MONTHS})\.?\s+$")
# A number that names rather than counts: "ENV-12", "PM-1", "Sub-decree No. 27", "#4", and the
# parts of a document or a plan it points to ("section 6", "Annex 2", "phase 2", "Step 4").
_ID_BEFORE = re.compile(
    r"(?:[A-Za-z]-|\bNo\.?\s*|#\s*|\b(?i:section|chapter|annex|appendix|table|figure|page|article|"
    r"paragraph|clause|book|volume|part|step|phase|stage|item|block|decree)\s+)$"
)


def is_year(number: str) -> bool:
    """Whether a plain number as written ("2023") reads as a calendar year."""
    return len(number) == 4 and number.isdigit() and 1950 <= int(number) <= 2100


#: Kinds of number that are no amount of anything: a year, the day of a date, an identifier.
NOT_AMOUNTS = frozenset({"year", "day", "id"})

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
# A number written with a scale word: "2.59 million m3", "USD 97 million".
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_SCALE_RE = re.compile(r"\s+(thousand|million|billion)\b", re.IGNORECASE)
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
# At most 15 digits: a longer run is no count of things (and int() refuses over 4,300 digits).
_COUNT = r"(\d{1,15}|" + "|".join(_WORD_NUMBERS) + r")"
# "3 of 19", "Nine of the 19 tenants", "four of the eight garment firms"
_FRACTION_RE = re.compile(
    rf"(?<![\w.,]){_COUNT}\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+)?{_COUNT}(?![\w.,%])",
    re.IGNORECASE,
)

@dataclass(frozen=True, slots=True)
class Quantity:
    """A number read from text, in a canonical unit (``None`` for plain counts/years)."""

    value: float
    unit: str | None
    text: str  # as written, e.g. "1,440 m3/day" or "Nine of the 19"
    start: int
    end: int
    kind: str = "measure"  # measure | share | count | year | day (of a month) | id

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
        number_end = m.end()
        if scale := _SCALE_RE.match(text, number_end):  # "2.59 million m3"
            value *= _SCALES[scale.group(1).lower()]
            number_end = scale.end()
        rest = text[number_end :]
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
            end = number_end + gap + um.end()
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
        before = text[max(0, m.start() - 12) : m.start()]
        if scale:
            kind = "count"  # "97 million" is an amount, whatever the digits look like
        elif _ID_BEFORE.search(before):
            kind = "id"
        elif m.group(2) is None and is_year(whole):
            kind = "year"
        elif m.group(2) is None and len(whole) <= 2 and 1 <= int(whole) <= 31 and (
            _DAY_BEFORE.match(rest) or _DAY_AFTER.search(before)
        ):
            kind = "day"
        else:
            kind = "count"
        found.append(Quantity(value, None, text[m.start():number_end], m.start(), number_end, kind))
    found.sort(key=lambda q: q.start)
    return found
