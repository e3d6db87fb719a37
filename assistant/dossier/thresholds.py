"""Numeric thresholds with a unit phrase, and the figures in evidence that answer them.

A catalogue writes a pass mark as comparator, value and a unit phrase: ``>= 30 "% of
electricity consumed"``, ``<= 150 "t CO2e per USD million of output"``, ``<= 1.0 "per
200,000 hours worked"``. :func:`parse_target` turns it into a :class:`Target`: a canonical
unit, the value in that unit and the *qualifier* (the words after "of", what the share is
taken of). :func:`measures` reads every figure of a sentence with its canonical unit and
the words around it; :func:`match_measure` keeps the figure that answers the criterion's
indicator (same dimension, words shared with the indicator, a share "of" the same thing),
and :func:`verdict` compares it::

    t = parse_target(Threshold(">=", 30, "% of total energy use"))
    m = match_measure("Renewable sources covered 9% of the zone's energy consumption.",
                      t, ["renew", "energ"])
    verdict(m.value, t, Scoring())     # 'partially_meets' (any progress short of the mark)

Canonical units: ``%``, ``t``, ``t/yr``, ``m3/day``, ``m3/yr``, ``MWh``, ``MWh/yr``, ``MW``,
``tCO2e``, ``tCO2e/USDm``, ``ha``, ``USD``, ``per 100 workers``, ``per 200k h``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.catalogue import Threshold
from assistant.dossier.rows import Row, parse_row
from assistant.quantities import is_year
from assistant.text import STOPWORDS, stem, words
from assistant.vocabulary import MEETS, NOT_MET, PARTIAL

_PER_YEAR = r"\s*(?:/\s*(?:yr|year|a)|per\s+(?:year|annum)|a\s+year|each\s+year|annually)\b"
_HOURS = r"(?:hours|hrs|man-hours|person-hours|working hours)(?:\s+worked)?"
# (unit as written after a number, canonical unit, factor to the canonical unit); longest first.
_UNITS: tuple[tuple[str, str, float], ...] = (
    (r"%|per ?cent\b|percent\b", "%", 1.0),
    (rf"per\s+200,?000\s+{_HOURS}", "per 200k h", 1.0),
    (rf"per\s+(?:1,?000,?000|one\s+million|million)\s+{_HOURS}", "per 200k h", 0.2),
    (r"per\s+100\s+(?:workers|employees|staff|full-time workers)", "per 100 workers", 1.0),
    (r"per\s+1,?000\s+(?:workers|employees|staff)", "per 100 workers", 0.1),
    (
        r"(?:tCO2e?|t\s*CO2-?e(?:q)?|tonnes?\s+(?:of\s+)?CO2-?e(?:q)?)\s+per\s+(?:USD|US\$|\$)\s*"
        r"(?:1\s+)?(?:million|m|mn)\b(?:\s+of\s+(?:output|revenue|value added|turnover))?",
        "tCO2e/USDm",
        1.0,
    ),
    (r"(?:tCO2e?|t\s*CO2-?e(?:q)?|tonnes?\s+(?:of\s+)?CO2-?e(?:q)?)\b", "tCO2e", 1.0),
    (rf"GWh{_PER_YEAR}", "MWh/yr", 1000.0),
    (rf"MWh{_PER_YEAR}", "MWh/yr", 1.0),
    (rf"kWh{_PER_YEAR}", "MWh/yr", 0.001),
    (r"GWh\b", "MWh", 1000.0),
    (r"MWh\b", "MWh", 1.0),
    (r"kWh\b", "MWh", 0.001),
    (r"MW[pe]?\b", "MW", 1.0),
    (r"kW[pe]?\b", "MW", 0.001),
    (r"(?:m3|m³|cubic\s+met(?:re|er)s?)\s*(?:/|per)\s*(?:day|d)\b", "m3/day", 1.0),
    (r"(?:ML|megalit(?:re|er)s?)\s*(?:/|per)\s*(?:day|d)\b", "m3/day", 1000.0),
    (rf"(?:m3|m³|cubic\s+met(?:re|er)s?){_PER_YEAR}", "m3/yr", 1.0),
    (rf"(?:kg|kilograms?){_PER_YEAR}", "t/yr", 0.001),
    (rf"(?:t|tonnes?|tons?|metric\s+tons?){_PER_YEAR}", "t/yr", 1.0),
    (r"kg\b|kilograms?\b", "t", 0.001),
    (r"t\b|tonnes?\b|tons?\b|metric\s+tons?\b", "t", 1.0),
    (r"ha\b|hectares?\b", "ha", 1.0),
    (r"(?:USD|US\$)\s*(?:million|mn|m)\b", "USD", 1e6),
    (r"(?:USD\b|US\$)(?!\s*\d)", "USD", 1.0),
)
_UNIT_RE = re.compile("|".join(f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(_UNITS)), re.IGNORECASE)
#: A unit without a time base is read as the yearly figure when the threshold is yearly.
_YEARLY_OF = {"MWh/yr": "MWh", "t/yr": "t", "m3/yr": "m3"}
_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d,]\d)")
_CURRENCY_BEFORE = re.compile(r"(?:USD|US\$|\$)\s*$", re.IGNORECASE)
_SCALE_AFTER = re.compile(r"\s*(million|mn|m|billion|bn)\b", re.IGNORECASE)
_SMALL = "zero one two three four five six seven eight nine ten eleven twelve".split()
# At most 15 digits: a longer run is no count of things (and int() refuses over 4,300 digits).
_COUNT = r"(\d{1,15}|" + "|".join(_SMALL) + r")"
_FRACTION_RE = re.compile(
    rf"(?<![\w.,]){_COUNT}\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+)?{_COUNT}(?![\w.,%])",
    re.IGNORECASE,
)
_NONE_RE = re.compile(r"\b(?:none|nothing|no part|zero)\s+of\b|\bnone\b", re.IGNORECASE)
_OF_RE = re.compile(r"\s*(?:of|in)\s+((?:[\w'’\-]+\s*){1,6})", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;:()]|,\s|\s(?:and|but|while|whereas|which)\s", re.IGNORECASE)
_GENERIC = frozenset(
    stem(w)[:4] for w in "total share level rate number amount value the zone's zone park".split()
)


@dataclass(frozen=True, slots=True)
class Target:
    """A numeric pass mark in a canonical unit."""

    comparator: str  # >= | <= | ==
    value: float  # in ``unit``
    unit: str | None  # canonical unit; None: a plain count
    phrase: str  # the catalogue's unit phrase, for the wording
    qualifier: tuple[str, ...] = ()  # stems of what a share is taken of
    raw: float | None = None  # the value as the catalogue wrote it (before conversion)

    def __str__(self) -> str:
        sign = {">=": "≥", "<=": "≤", "==": "="}[self.comparator]
        phrase = self.phrase.strip()
        sep = "" if phrase.startswith("%") or not phrase else " "
        return f"{sign} {self.value_text}{sep}{phrase}"

    @property
    def value_text(self) -> str:
        return f"{self.value if self.raw is None else self.raw:,g}"


@dataclass(frozen=True, slots=True)
class Measure:
    """A figure read from a sentence, in a canonical unit."""

    value: float
    unit: str | None
    text: str  # as written: "2,340 MWh/yr", "21 of 23", "none of the treated effluent"
    start: int
    end: int
    qualifier: tuple[str, ...] = ()  # stems of the words after "of"
    kind: str = "measure"  # measure | share | count | year

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Scoring:
    """How a figure short of the pass mark is scored (the framework's own rule).

    ``partial_floor``: a figure below a lower bound is partially_meets when it reaches this
    fraction of the mark (0: any figure above zero). ``partial_ceiling``: a figure above an
    upper bound is partially_meets up to this multiple of the mark (inf: any figure).
    """

    partial_floor: float = 0.0
    partial_ceiling: float = math.inf


def _unit_of(text: str) -> tuple[str, float, int] | None:
    """``(canonical unit, factor, length)`` of a unit at the start of ``text``."""
    m = _UNIT_RE.match(text)
    if m is None or not m.group(0):
        return None
    i = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
    return _UNITS[i][1], _UNITS[i][2], m.end()


def key(word: str) -> str:
    """A matching key: the light stem cut to four letters ("reused"/"reuse" -> "reus")."""
    return stem(word.lower())[:4]


def _stems(text: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            key(w) for w in words(text) if w not in STOPWORDS and len(w) > 2 and not w[:1].isdigit()
        )
    )


def parse_target(threshold: Threshold | None) -> Target | None:
    """The :class:`Target` of a numeric threshold; ``None`` for "present" or no threshold.

    Raises ``ValueError`` naming the phrase when a unit phrase cannot be read, so a
    catalogue typo is not silently compared as a plain count.
    """
    if threshold is None or not threshold.is_numeric or threshold.value is None:
        return None
    phrase = (threshold.unit or "").strip()
    if not phrase:
        return Target(threshold.comparator, float(threshold.value), None, "")
    unit = _unit_of(phrase)
    if unit is None:
        raise ValueError(
            f"threshold unit {phrase!r} is not a known unit; write one of %, t, t/yr, m3/day, "
            "MWh, MWh/yr, ha, USD, 'per 100 workers', 'per 200,000 hours worked'"
        )
    canonical, factor, end = unit
    rest = phrase[end:]
    of = re.match(r"\s*of\s+(.+)", rest, re.IGNORECASE)
    qualifier = tuple(t for t in _stems(of.group(1)) if t not in _GENERIC) if of else ()
    return Target(
        threshold.comparator,
        float(threshold.value) * factor,
        canonical,
        phrase,
        qualifier,
        float(threshold.value),
    )


def measures(text: str) -> list[Measure]:
    """Every figure of ``text`` with its canonical unit, left to right."""
    found: list[Measure] = []
    taken: list[tuple[int, int]] = []
    for m in _FRACTION_RE.finditer(text):
        part, whole = _count(m.group(1)), _count(m.group(2))
        if 0 < whole and part <= whole:
            found.append(
                Measure(
                    100.0 * part / whole,
                    "%",
                    m.group(0),
                    m.start(),
                    m.end(),
                    _qualifier(text, m.end()),
                    "share",
                )
            )
            taken.append((m.start(), m.end()))
    for m in _NONE_RE.finditer(text):  # "none of the treated effluent": a share of zero
        found.append(
            Measure(0.0, "%", m.group(0), m.start(), m.end(), _qualifier(text, m.start() + 4), "share")
        )
        taken.append((m.start(), m.end()))
    for m in _NUMBER_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = float(m.group(1).replace(",", "") + (f".{m.group(2)}" if m.group(2) else ""))
        if _CURRENCY_BEFORE.search(text[max(0, m.start() - 5) : m.start()]):
            scale = _SCALE_AFTER.match(text, m.end())
            factor = 1.0
            end = m.end()
            if scale:
                factor = 1e9 if scale.group(1).lower() in ("billion", "bn") else 1e6
                end = scale.end()
            found.append(Measure(value * factor, "USD", text[m.start() : end], m.start(), end))
            continue
        rest = text[m.end() :]
        gap = len(rest) - len(rest.lstrip())
        unit = _unit_of(rest.lstrip()) if gap <= 1 else None
        if unit is not None:
            canonical, factor, length = unit
            end = m.end() + gap + length
            kind = "share" if canonical == "%" else "measure"
            found.append(
                Measure(
                    value * factor,
                    canonical,
                    text[m.start() : end],
                    m.start(),
                    end,
                    _qualifier(text, end),
                    kind,
                )
            )
            continue
        kind = "year" if m.group(2) is None and is_year(m.group(1)) else "count"
        found.append(Measure(value, None, m.group(0), m.start(), m.end(), (), kind))
    found.sort(key=lambda q: q.start)
    return found


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _SMALL.index(word.lower())


def _qualifier(text: str, end: int) -> tuple[str, ...]:
    m = _OF_RE.match(text, end)
    if not m:
        return ()
    phrase = _CLAUSE_END.split(m.group(1))[0]
    return tuple(t for t in _stems(phrase) if t not in _GENERIC)


def comparable(measure: Measure, target: Target) -> bool:
    """Same dimension (a yearly threshold also takes a figure without a time base)."""
    if target.unit is None:
        return measure.kind == "count"
    if measure.unit is None:
        return False
    return measure.unit in (target.unit, _YEARLY_OF.get(target.unit))


def _context(text: str, m: Measure, row: Row | None = None) -> str:
    """The clause a figure stands in; in a table row, the row's subject and the figure's cell."""
    if row is not None:
        cell = row.cell_at(m.start)
        return row.subject if cell is None else f"{row.subject} {cell.header} {cell.value}"
    cuts = [0, *(x.end() for x in re.finditer(r"[;:]|\.\s|\n\n", text[: m.start]))]
    start = cuts[-1]
    stop = re.search(r"[;:]|\.\s|\n\n", text[m.end :])
    return text[start : m.end + (stop.start() if stop else len(text) - m.end)]


def match_measure(text: str, target: Target, indicator_terms: Sequence[str]) -> Measure | None:
    """The figure of ``text`` that answers the indicator, or ``None``.

    A figure qualifies when its unit compares with the target's, its clause shares a word
    with the indicator and, for a share, what it is a share "of" overlaps the target's
    qualifier and indicator words (so "41% of peak demand" does not answer "% of electricity
    consumed"). Among qualifying figures the exact unit wins, then the closest to an
    indicator word.
    """
    wanted = {t[:4] for t in indicator_terms if t[:4] not in _GENERIC}
    about = wanted | set(target.qualifier)
    row = parse_row(text)
    best: tuple[tuple[int, int, int], Measure] | None = None
    for m in measures(text):
        if not comparable(m, target):
            continue
        cell = row.cell_at(m.start) if row is not None else None
        if row is not None and cell is None:
            continue  # a figure of the row's label ("Phase 2 (160 ha)") names the row, it is no result
        context = set(_stems(_context(text, m, row)))
        shared = len(context & wanted)
        # a figure without the target's time base ("96,000 MWh" for "MWh/yr") needs a
        # stronger match with the indicator: two shared words instead of one
        if wanted and shared < (1 if m.unit == target.unit else 2):
            continue
        qualifier = m.qualifier or (_share_of(row.subject) if row is not None and m.kind == "share" else ())
        if m.kind == "share" and qualifier and target.qualifier and not set(qualifier) & about:
            continue
        distance = _distance(text, m, wanted)
        # in a row with a column per year the newest year's figure answers
        newest = -int(cell.period) if cell is not None and cell.period else 0
        key = (0 if m.unit == target.unit else 1, newest, distance)
        if best is None or key < best[0]:
            best = (key, m)
    return best[1] if best else None


_SHARE_OF = re.compile(r"\b(?:share|percentage|proportion|%)\s+of\s+(.+)$", re.IGNORECASE)


def _share_of(subject: str) -> tuple[str, ...]:
    """What a row's share is taken of: "Reclaimed share of total water use" -> ("water",)."""
    m = _SHARE_OF.search(subject)
    return tuple(t for t in _stems(m.group(1)) if t not in _GENERIC) if m else ()


def _distance(text: str, m: Measure, wanted: set[str]) -> int:
    spans = [
        (w.start(), w.end()) for w in re.finditer(r"[A-Za-z][A-Za-z\-]*", text) if key(w.group(0)) in wanted
    ]
    if not spans:
        return 10_000
    return min(max(a - m.end, m.start - b, 0) for a, b in spans)


def passes(value: float, target: Target) -> bool:
    """``value <comparator> target`` with a small tolerance for rounding."""
    tol = 1e-6 * max(1.0, abs(target.value))
    if target.comparator == ">=":
        return value >= target.value - tol
    if target.comparator == "<=":
        return value <= target.value + tol
    return math.isclose(value, target.value, rel_tol=1e-3, abs_tol=tol)


def verdict(value: float, target: Target, scoring: Scoring) -> str:
    """The status a figure earns: meets, partially_meets (short, within the band) or not."""
    if passes(value, target):
        return MEETS
    if target.comparator == ">=":
        if value <= 0:
            return NOT_MET
        return PARTIAL if value >= scoring.partial_floor * target.value else NOT_MET
    if target.comparator == "<=":
        return PARTIAL if value <= scoring.partial_ceiling * target.value else NOT_MET
    return NOT_MET


class ThresholdContradiction(AssertionError):
    """A status that contradicts the figure that decided it (a bug, never a judgement)."""


def check_invariant(status: str, passed: bool | None) -> None:
    """Never ``meets`` while the deciding figure fails, never ``does_not_meet`` while it passes."""
    if passed is None:
        return
    if passed and status == NOT_MET or not passed and status == MEETS:
        raise ThresholdContradiction(
            f"status {status!r} contradicts a deciding figure that "
            f"{'passes' if passed else 'fails'} its threshold"
        )


def describe(measure: Measure, target: Target, year: str = "") -> str:
    """``"9% of the zone's energy consumption in 2023 against ≥ 30% of total energy use"``."""
    when = f" in {year}" if year and year not in measure.text else ""
    return f"{measure.text}{when} against {target}"


__all__ = [
    "Measure",
    "Scoring",
    "Target",
    "ThresholdContradiction",
    "check_invariant",
    "key",
    "comparable",
    "describe",
    "match_measure",
    "measures",
    "parse_target",
    "passes",
    "verdict",
]
