"""What kind of answer a question asks for, and whether a sentence can give one.

A question about a "tariff" wants a price (asked "per month" or "per m2", a price with its
"per"), "what share" wants a percentage, "when did" wants a date, "how many cubic metres"
wants a volume. A sentence without a figure of that kind cannot answer it, however close
its topic: the water-supply paragraph of a zone profile does not state the water *tariff*
unless it names a price. This is read from the
question's grammar and the parsed quantities of the evidence, not from the wording of any
particular document, so it holds for paraphrases ("what does a cubic metre of tap water
cost") and for corpora the answerer was never tuned on.

Example::

    want = expected_answer("What electricity tariff do factories pay?")
    want.kind                                            # 'money'
    fits(want, "Tenants draw power from the 22 kV grid.")  # False
    fits(want, "Power is sold at USD 0.16 per kWh.")       # True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.quantities import MONTHS, NOT_AMOUNTS, extract_quantities, is_year
from indexing import khmer

#: A question that asks for a quantity (its evidence should hold a figure).
QUANTITATIVE = re.compile(
    r"\b(how much|how many|what share|what percentage|percent|share|rate|capacity|"
    r"number of|how large|area|how far|distance|when|what year|which year|size)\b",
    re.I,
)

#: Canonical units of ``assistant.quantities`` (and the extra ones read here) by dimension.
DIMENSIONS: dict[str, frozenset[str]] = {
    "volume": frozenset({"m3/day", "m3", "m3/year"}),
    "energy": frozenset({"MWh"}),
    "power": frozenset({"MW"}),
    "mass": frozenset({"t"}),
    "carbon": frozenset({"tCO2e"}),
    "area": frozenset({"ha", "m2"}),
    "length": frozenset({"km", "m"}),
    "duration": frozenset({"duration"}),
    "share": frozenset({"%"}),
}

# Unit names a question may use, without a number, mapped to a dimension. Plain English
# unit vocabulary: it describes measurement, not any corpus.
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    (r"cubic met(?:re|er)s?|m3|m³|lit(?:re|er)s?|megalit(?:re|er)s?", "volume"),
    (r"(?:kilo|mega|giga)watt[- ]?hours?|[kmg]wh", "energy"),
    (r"(?:peak\s+)?(?:kilo|mega)watts?|[km]wp?", "power"),
    (r"tonnes?|tons?|tonnage|kilograms?|kg", "mass"),
    (r"hectares?|square\s+met(?:re|er)s?|m2|m²", "area"),
    (r"kilomet(?:re|er)s?|km|met(?:re|er)s?", "length"),
    (r"minutes?|hours?", "duration"),
    (r"per ?cent(?:age)?|%", "share"),
)
_UNIT_WORD_RE = re.compile(
    r"\b(?:in|many|much|of|what|which)\s+(?:the\s+)?(?P<unit>"
    + "|".join(f"(?:{p})" for p, _ in _UNIT_WORDS)
    + r")(?![\w-])",
    re.IGNORECASE,
)
# Measure questions that name the dimension by their wording rather than by a unit.
_MEASURE_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bhow\s+far\b|\bdistance\b", ("length", "duration")),
    (r"\bhow\s+(?:tall|high)\b|\bheight\b", ("length",)),
    (r"\bhow\s+long\b", ("duration", "length")),
    # An amount of electricity is energy (MWh), not a plant's power (MW): "how much
    # electricity ...", "the zone's energy use".
    (r"\bhow\s+much\s+(?:\w+\s+){0,2}(?:electricity|energy)\b"
     r"|\b(?:electricity|energy)\s+(?:use|usage|consumption|demand|output|production|generation|savings)\b",
     ("energy",)),
)
_SHARE_RE = re.compile(
    r"\bwhat\s+(?:share|fraction|proportion|portion|percentage|per ?cent|part|slice)\b"
    r"|\bhow\s+much\s+of\b|\bwhat\s+%",
    re.IGNORECASE,
)
# Price words: what a question about money asks for.
_MONEY_RE = re.compile(
    r"\b(?:cost|costs|costing|price|prices|priced|tariffs?|fees?|rent|rents|rental|wages?|"
    r"salar(?:y|ies)|pay|pays|paid|paying|charges?|charged|invest(?:ed|s|ment)?|spen[dt]|spending|"
    r"budget|how\s+much\s+money)\b",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    r"^\s*(?:(?:and|so|but)\s+)?when\s+(?:did|does|do|was|were|is|are|will|would|has|have|had|"
    r"can|could|should|must)\b|\b(?:what|which|in\s+what|in\s+which)\s+(?:year|month|date)\b|"
    r"\bsince\s+when\b",
    re.IGNORECASE,
)
# A deadline is a date or a span from some event ("within 60 days of the letter").
_DEADLINE_RE = re.compile(r"\bby\s+when\b|\bhow\s+soon\b|\bwhat\s+(?:is\s+the\s+)?deadline\b", re.IGNORECASE)
_CLOCK_RE = re.compile(r"\bwhat\s+time\b|\bat\s+what\s+hour\b", re.IGNORECASE)
_COUNT_RE = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b", re.IGNORECASE)
#: A question answered by yes or no: it opens with an auxiliary verb.
YES_NO_QUESTION = re.compile(
    r"^\s*(is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b", re.IGNORECASE
)
_PERSON_RE = re.compile(
    r"^\s*who\s+(?:is|was)\s+(?:the\s+)?(?:current\s+)?(?:general\s+)?"
    r"(?:manager|director|chair\w*|head|boss|chief\s+\w+|ceo|president|adviser|advisor|minister|governor)\b"
    r"|^\s*who\s+(?:chairs|heads|leads|directs)\b"
    r"|\bwhat\s+is\s+the\s+name\s+of\s+the\b",
    re.IGNORECASE,
)
# Where one question asks two things ("how many ..., and what roles ...", "how much ...,
# what kinds, and how much ..."); each part is read on its own.
_QUESTION_WORDS = (
    r"(?:what|how|when|which|who|whom|whose|where|why|is|are|was|were|does|do|did|has|have|if|"
    r"by\s+when)\b"
)
_CLAUSE_SPLIT = re.compile(
    rf",?\s+and\s+(?={_QUESTION_WORDS})|,\s+(?={_QUESTION_WORDS})|[;?]\s+",
    re.IGNORECASE,
)
_STARTS_AS_QUESTION = re.compile(
    rf"^\s*(?:(?:and|so|but|or)\s+)?(?:{_QUESTION_WORDS}|(?:in|at|under|from|to|by|for)\s+what\b)",
    re.IGNORECASE,
)

# A price asked per something: "per month", "monthly", "a square metre", "per kWh".
_RATE_RE = re.compile(
    r"\b(?:per|a|an|each)\s+(?:month|year|day|week|square\s+met(?:re|er)|m2|m²|hectare|ha|kwh|mwh|"
    r"cubic\s+met(?:re|er)|m3|unit|tonne|worker|room|bed)\b|\b(?:monthly|yearly|annual|daily)\b",
    re.IGNORECASE,
)
# What follows a sum that makes it a rate: "USD 0.12 per m2 per month", "USD 85/month".
_PER = re.compile(
    r"\s*(?:/|per\b|each\b|monthly\b|an?\s+(?:month|year|day|week|cubic|square|m2|m3|kwh|tonne|unit|room|bed|"
    r"hectare)\b)",
    re.IGNORECASE,
)

_MONEY_IN_TEXT = re.compile(
    # A run of digits is read from its start only: starting inside it again and again is slow.
    r"(?:US\$|\$|USD|KHR|EUR|€|៛)\s?\d[\d,.]*|(?<![\d,.])\d[\d,.]*\s?(?:million\s+|billion\s+|m\s+|bn\s+)?"
    r"(?:USD|US\$|dollars?|riels?|KHR|EUR|euros?)\b",
    re.IGNORECASE,
)
_CLOCK_IN_TEXT = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:a\.?m\.?|p\.?m\.?)(?!\w)|\bo'clock\b|\bnoon\b|\bmidnight\b",
    re.IGNORECASE,
)
_DATE_IN_TEXT = re.compile(
    rf"\b(?:19|20)\d\d\b|\b(?:{MONTHS})\b|\bQ[1-4]\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b",
    re.IGNORECASE,
)
_LENGTH_IN_TEXT = re.compile(r"\d\s?(?:km|kilomet(?:re|er)s?|met(?:re|er)s?|m)\b", re.IGNORECASE)
# A span of time, with one qualifying word allowed: "3 days", "3 working days", "3 person-days".
_DURATION_IN_TEXT = re.compile(
    r"\d\s?(?:-\s?)?(?:[a-z]+[\s-])?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_AREA_IN_TEXT = re.compile(r"\d\s?(?:m2|m²|square\s+met(?:re|er)s?|sq\.?\s?m)\b", re.IGNORECASE)
_WORD_NUMBER = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|"
    r"twenty|thirty|forty|fifty|hundred|thousand|single|no|none|all)\b",
    re.IGNORECASE,
)
_PART_OF = re.compile(r"\b\d[\d,]*\s+(?:of|out\s+of)\s+(?:the\s+|all\s+)?\d[\d,]*\b", re.IGNORECASE)
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|H\.\s?E|Excellency|Oknha|Lok\s+Chumteav)\b\.?\s+[A-Z]")
_NAMED = re.compile(r"\b(?:named|called)\s+[A-Z]|\b[A-Z][a-z]+\s+[A-Z][a-z]+\s*\((?:the\s+)?[a-z]")


@dataclass(frozen=True, slots=True)
class Expected:
    """The kinds of answer a question accepts; ``open`` accepts any sentence.

    ``given`` are the figures the question states itself ("of the 64 requirements", "version
    2.0"): a sentence does not answer with them.
    """

    kinds: frozenset[str]
    given: frozenset[str] = frozenset()

    @property
    def open(self) -> bool:
        return "open" in self.kinds

    @property
    def kind(self) -> str:
        """A single label, for logs and tests ("open" if any part is open)."""
        return "open" if self.open else "+".join(sorted(self.kinds))


def _khmer_kinds(clause: str) -> set[str]:
    for word, kind in khmer.QUESTION_KINDS:
        if word in clause:
            return {kind}
    return set()


def _clause_kinds(clause: str) -> set[str]:
    kinds: set[str] = set()
    if khmer.has_khmer(clause) and (found := _khmer_kinds(clause)):
        return found
    if _CLOCK_RE.search(clause):
        return {"clock"}
    if _PERSON_RE.search(clause):
        return {"person"}
    if _MONEY_RE.search(clause) and not re.match(r"^\s*(?:which|who)\b", clause, re.IGNORECASE):
        return {"rate"} if _RATE_RE.search(clause) else {"money"}
    if _DEADLINE_RE.search(clause):
        return {"date", "duration"}
    if _DATE_RE.search(clause):
        return {"date"}
    for m in _UNIT_WORD_RE.finditer(clause):
        unit = m.group("unit")
        for pattern, dimension in _UNIT_WORDS:
            if re.fullmatch(pattern, unit, re.IGNORECASE):
                kinds.add(dimension)
                break
    if kinds:
        return kinds
    for pattern, dimensions in _MEASURE_PHRASES:
        if re.search(pattern, clause, re.IGNORECASE):
            return set(dimensions)
    if _SHARE_RE.search(clause):
        return {"share"}
    if _COUNT_RE.search(clause):
        return {"count"}
    return {"open"}


def clauses(question: str) -> list[str]:
    """The questions one question asks, in order ("How much X, and why Y?" is two).

    A leading phrase that asks nothing ("Leaving aside the heat cases, how many ...") stays
    with the clause it introduces; a question asked once is one clause.
    """
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(question) if p and p.strip()]
    merged: list[str] = []
    pending = ""
    for part in parts:
        if not _STARTS_AS_QUESTION.match(part) and not merged and not pending:
            pending = part
            continue
        if pending:
            part, pending = f"{pending}, {part}", ""
        if merged and not _STARTS_AS_QUESTION.match(part):
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    if pending:
        merged.append(pending)
    return merged or [question]


def expected_answer(question: str) -> Expected:
    """What the question asks for: money, a date, a share, a measure of some dimension, ..."""
    kinds: set[str] = set()
    for part in clauses(question):
        kinds |= _clause_kinds(part)
    return Expected(frozenset(kinds), given_figures(question))


# A figure as written: "64", "2.0", "1,850". Not inside a code ("ENV-12", "v.2") or a word.
_FIGURE = re.compile(r"(?<![\w.,\-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w)(?![.,]\d)")


def _plain(figure: str) -> str:
    return figure.replace(",", "")


def given_figures(question: str) -> frozenset[str]:
    """The figures a question states, years aside (a year says when, and has its own rule)."""
    return frozenset(
        _plain(m.group(0)) for m in _FIGURE.finditer(question)
        if not is_year(m.group(0))
    )


def without_given(sentence: str, given: frozenset[str]) -> str:
    """``sentence`` with the figures in ``given`` written as a word, so they count as no figure."""
    if not given:
        return sentence
    return _FIGURE.sub(lambda m: "N" if _plain(m.group(0)) in given else m.group(0), sentence)


def _units(sentence: str) -> set[str]:
    units = {q.unit for q in extract_quantities(sentence) if q.unit}
    if _LENGTH_IN_TEXT.search(sentence):
        units.add("km")
    if _DURATION_IN_TEXT.search(sentence):
        units.add("duration")
    if _AREA_IN_TEXT.search(sentence):
        units.add("m2")
    return units


def _fits_kind(kind: str, sentence: str, units: set[str]) -> bool:
    if kind == "open":
        return True
    if kind == "money":
        return bool(_MONEY_IN_TEXT.search(sentence))
    if kind == "rate":
        # A price per month, per m2 or per kWh: a sum with its "per ..." (a total is no rate).
        return any(_PER.match(sentence, m.end()) for m in _MONEY_IN_TEXT.finditer(sentence))
    if kind == "clock":
        return bool(_CLOCK_IN_TEXT.search(sentence))
    if kind == "date":
        return bool(_DATE_IN_TEXT.search(sentence))
    if kind == "person":
        return bool(_HONORIFIC.search(sentence) or _NAMED.search(sentence))
    if kind == "share":
        # "all of it", "none", "3 of 19" and "85%" all state a share.
        return "%" in units or bool(_WORD_NUMBER.search(sentence) or _PART_OF.search(sentence))
    if kind == "count":
        # A sum of money counts no things: "USD 48,000" does not say how many.
        things = _MONEY_IN_TEXT.sub(" ", sentence)
        return any(q.kind not in NOT_AMOUNTS for q in extract_quantities(things)) or bool(
            _WORD_NUMBER.search(sentence)
        )
    return bool(units & DIMENSIONS.get(kind, frozenset()))


def fits(expected: Expected, sentence: str) -> bool:
    """Whether ``sentence`` holds an answer of a kind the question accepts."""
    if expected.open:
        return True
    if khmer.has_khmer(sentence):
        sentence = khmer.ascii_digits(sentence)
        if "date" in expected.kinds and any(month in sentence for month in khmer.MONTHS):
            return True
        money = re.search(r"\d", sentence) and any(c in sentence for c in khmer.CURRENCIES)
        if "money" in expected.kinds and money:
            return True
    sentence = without_given(sentence, expected.given)
    units = _units(sentence)
    return any(_fits_kind(kind, sentence, units) for kind in expected.kinds)
