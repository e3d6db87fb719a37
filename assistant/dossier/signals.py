"""What one sentence says about the thing a criterion asks for: the generic signal cues.

A sentence takes one *stance*: ``operating`` (the thing exists and runs), ``partial`` (part
of the site or users, a draft, in progress), ``planned`` (a plan or promise only),
``absent``, ``unknown`` (the information was not available: a gap, not a finding) or
``neutral``. The cues are one short list of general English phrasings, each tested on
sentences written for the test (tests/assistant/dossier/test_signals.py), not taken from a
corpus:

- absence: "no ... in place", "none", "without", "lacks", "absent", an open bad thing ("2 open
  findings", "an unresolved notice");
- plans: "will", "planned", "plans to", "commits ... to", "by 2027", "under construction",
  "scheduled", "to be <done>";
- partial coverage: "only", "phase 1 only", "some tenants", "not all", "partly", "draft",
  "pilot", "not yet", "still";
- unknown: "no information ... available", "data ... not provided", "did not provide";
- operation: "operates", "in place", "in force", "certified", "approved", "adopted",
  "established", "every day / month", "since 2019", a figure.

"No fines", "no open notices" (absence of a bad thing) read as operation. A phrasing found in
one zone's documents only, across the sample and independent corpora, was dropped as fitted
(``evals/cue_zones.py`` lists the three kept on measurement).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.dossier.rows import MISSING_VALUE, Row, parse_row
from assistant.dossier.thresholds import Measure, measures
from assistant.quantities import NOT_AMOUNTS
from assistant.text import stem

OPERATING, PARTIAL_S, PLANNED, ABSENT, UNKNOWN, NEUTRAL = (
    "operating",
    "partial",
    "planned",
    "absent",
    "unknown",
    "neutral",
)
DECISIVE = (OPERATING, PARTIAL_S, PLANNED, ABSENT)
WEAK = "operating (weak)"  # internal: operation shown only by an activity verb


#: Each cue list's phrasings, one pattern each (for the audit in evals/cue_zones.py).
CUE_PATTERNS: dict[re.Pattern[str], tuple[str, ...]] = {}


def _rx(*patterns: str) -> re.Pattern[str]:
    compiled = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    CUE_PATTERNS[compiled] = patterns
    return compiled


_INFO = r"(?:information|data|figures?|records?|details|evidence|documentation)"
# "The information is not there": a gap, not evidence either way.
UNKNOWN_CUES = _rx(
    rf"\bno {_INFO}\b[^.;]{{0,120}}?\b(?:available|provided|supplied|disclosed|shared|obtained)\b",
    rf"\b{_INFO}\b[^.;]{{0,60}}?\b(?:(?:is|are|was|were) not|could not be) "
    r"(?:available|provided|supplied|disclosed|shared|obtained|made available)\b",
    r"\bdid not (?:provide|share|supply|disclose)\b",
)
# A column that states what is required or promised, not what is done.
_REQUIREMENT_HEADERS = _rx(r"\brequired\b", r"\brequirements?\b", r"\btargets?\b", r"\bcommitments?\b")
_PERIOD_LABEL = re.compile(r"^(?:year|quarter|month|period|date|fy)$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_DATE_CELL = re.compile(r"^(?:\w+ )?(?:\d{1,2} )?(?:[A-Z][a-z]+ )?(?:19|20)\d\d$")
# Sentences about the document itself (scope, method), not about the zone.
META_CUES = _rx(
    r"^(?:This|The) (?:report|assessment|memo|note|return|review|primer|document)\b",
    # how the assessors worked ("The team interviewed 9 of the 12 factories"), not the zone
    r"^The (?:team|assessors?|consultants?|review team|mission) (?:interviewed|visited|reviewed|spent|met|"
    r"read|walked|held|toured|took|sampled)\b",
    r"\b(?:are|were|is) invented\b",
    r"\bdo(?:es)? not describe any real\b",
)
# Things whose absence is good news ("no fines", "no open notices").
_BAD_THINGS = (
    r"non-?compliances?|non-?conformit(?:y|ies)|violations?|fines?|penalt(?:y|ies)|sanctions?"
    r"|warnings?|orders?|notices?|breach(?:es)?|incidents?|accidents?|fatalit(?:y|ies)|spills?"
    r"|exceedances?|disputes?|leaks?|deaths?|prosecutions?|suspensions?|findings?"
)
_NEGATED_BAD = re.compile(
    rf"\b(?:no|not|none|never|without|zero)\b(?:[ \t]+[\w-]+){{0,3}}?[ \t]+(?:{_BAD_THINGS})\b"
    # "no fines or open notices": the negation covers the coordinated bad things too
    rf"(?:,?[ \t]+(?:or|nor)(?:[ \t]+[\w-]+){{0,2}}?[ \t]+(?:{_BAD_THINGS})\b)*",
    re.IGNORECASE,
)
# A bad thing still open ("2 major findings open", "an unresolved notice"): not compliant.
OPEN_BAD_CUES = _rx(
    rf"\b(?:open|outstanding|unresolved)(?:[ \t]+[\w-]+){{0,2}}?[ \t]+(?:{_BAD_THINGS})\b",
)
ABSENT_CUES = _rx(
    r"\bno\b(?!\.)(?! (?:later|sooner|more|less|longer) than\b)",
    r"\bnone\b",
    r"\bnot\b",
    r"\bwithout\b",
    r"\bn't\b",
    r"\black(?:s|ed|ing)?\b",
    r"\babsent\b",
    r"\bnil\b",
    r"\bneither\b",
    r"\buntreated\b",
    r"\b(?:stopped|ceased|discontinued)\b",
)
PLAN_CUES = _rx(
    r"\bplanned\b",
    r"\bplans? to\b",
    r"\bintends? to\b",
    r"\bcommit(?:s|ted)?(?: [\w-]+){0,3}? to\b",
    r"\bwill\b",
    r"\bunder (?:construction|design|preparation|installation|development)\b",
    r"\bscheduled\b",
    r"\bto be (?:\w+ed|built|set up|begun)\b",
    r"\bdue (?:to|in|by)\b",
    r"\baims? to\b",
)
# A date or target ahead ("by 2027", "a target of ..."): a plan unless the clause says the
# thing already operates ("a plan adopted in 2023 with a target for 2027").
TARGET_CUES = _rx(
    r"\bby (?:early |mid-|late |the end of )?20\d\d\b",
    r"\btargets?\b",
)
# "no energy-saving target", "without targets": a missing target, not a plan.
NEGATED_TARGET = _rx(r"\b(?:no|without|nor|not any)\b(?:[ \t]+[\w-]+){0,4}?[ \t]+targets?\b")
PARTIAL_CUES = _rx(
    r"(?<!\bthe )\bonly\b",
    r"\bphase (?:1|one|i) only\b",
    r"\blimited to\b",
    r"\bpart(?:ly|ial(?:ly)?)\b",
    r"\bsome (?:of the )?(?:firms|tenants|factories|plots|workers)\b",
    r"\bnot all\b",
    r"\bexcept\b",
    r"\bapart from\b",
    r"\bdraft\b",
    r"\bpilot\b",
    r"\btrial\b",
    r"\bunderway\b",
    r"\bbeing (?:built|installed|prepared|drafted|developed|designed|tendered|set up|procured)\b",
    r"\bnot yet\b",
    r"\byet to\b",
    r"\bstill\b",
    r"\bunder review\b",
    r"\bstarted\b",
    r"\bno [\w\- ]{1,40}? yet\b",
)
OPERATING_CUES = _rx(
    r"\boperat(?:es|ing|ed|ional)\b",
    r"\bin (?:operation|place|service|use|force)\b",
    r"\brunning\b",
    r"\bfunctioning\b",
    r"\bworking\b",
    r"\bcertifi(?:ed|cation)\b",
    r"\baccredited\b",
    r"\bapproved\b",
    r"\badopted\b",
    r"\bimplemented\b",
    r"\bestablished\b",
    r"\bset up\b",
    r"\bpublish(?:ed|es)\b",
    r"\bconvenes?\b",
    r"\bstaffed\b",
    r"\bexists?\b",
    r"\b(?:daily|weekly|monthly|quarterly|annual(?:ly)?)\b",
    r"\bevery (?:day|shift|year|month|week)\b",
    r"\beach (?:year|month|day)\b",
    r"\bsince (?:(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December) )?(?:19|20)\d\d\b",
    r"\ball (?:\d+ )?(?:tenants|firms|factories|companies|plots|workers)\b",
    r"\bcommissioned\b",
    r"\bvalid\b",
    r"\bcame (?:into service|on line|online)\b",
)
# Activity verbs: operation, but weaker than an explicit absence in another clause.
WEAK_CUES = _rx(
    r"\bruns\b",
    r"\bholds?\b",
    r"\bcompil(?:es|ed)\b",
    r"\bcollect(?:s|ed)\b",
    r"\btreat(?:s|ed)\b",
    r"\breused\b",
    r"\brecycled\b",
    r"\brecovered\b",
    r"\breceived\b",
    r"\bemploy(?:s|ed)?\b",
    r"\bsuppl(?:ied|ies)\b",
    r"\bprovides?\b",
    r"\bmaintained\b",
    r"\bprepared\b",
    r"\bcompleted\b",
    r"\brecord(?:s|ed)\b",
    r"\bmonitor(?:s|ed)\b",
    r"\btracks?\b",
    r"\binstalled\b",
    r"\blogged\b",
    r"\bhandled\b",
)
_CLAUSE_SPLIT = re.compile(r";|:\s|,?\s\b(?:but|although|though|however|whereas|while)\b", re.IGNORECASE)
NORMATIVE_CUES = _rx(
    r"\bmust\b",
    r"\bshall\b",
    r"\b(?:is|are) required to\b",
    r"\b(?:is|are) prohibited\b",
    r"\bmay not\b",
)
# A negation that reports an earlier state ("the 2021 EIA found no ...") is history.
HISTORICAL_CUES = _rx(
    r"\b(?:found|reported|noted|recorded) (?:that there (?:was|were) )?no\b",
    r"\bpreviously\b",
    r"\bused to\b",
)
# Imperatives and "should" say what should happen, not what is.
_RECOMMENDATION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:Recommendations?:?\s+)?(?:Prepare|Adopt|Introduce|Publish|"
    r"Extend|Raise|Set up|Set|Develop|Establish|Start|Install|Require|Consider|Ensure|Improve|"
    r"Expand|Create|Build|Carry out|Conduct|Complete|Appoint|Make|Add|Train|Connect|Monitor|"
    r"Track|Record|Report|Collect|Provide|Arrange|Agree|Review|Update|Align|Plan|Link|Commission|"
    r"Assign|Strengthen|Register|Support|Offer|Promote|Reduce|Replace|Hire|Keep|Launch|Enforce|"
    r"Formalise|Formalize|Broaden|Disclose|Continue|Finalise|Finalize|Obtain|Seek|Turn|Use|"
    r"Define|Give|Open|Close)\b|\bshould\b|\brecommend",
    re.IGNORECASE,
)


_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|can|does|do|did|will|uses?|runs?|keeps?|holds?|takes?|"
    r"goes|comes?|gives?|makes?|leads?|serves?|\w{3,}(?:ed|es))\b",
    re.IGNORECASE,
)


def is_statement(sentence: str) -> bool:
    """A full sentence (a verb, eight words or more), not a heading, a label or a table row."""
    return len(sentence.split()) >= 8 and bool(_FINITE_VERB.search(sentence)) and parse_row(sentence) is None


def is_recommendation(sentence: str) -> bool:
    """Whether a sentence recommends or prescribes rather than reports."""
    return bool(_RECOMMENDATION.search(sentence))


@dataclass(frozen=True, slots=True)
class Reading:
    """What one sentence says about the thing a criterion asks for."""

    stance: str
    cues: tuple[str, ...] = ()
    quantity: Measure | None = None
    passes: bool | None = None  # the figure against a numeric threshold
    verdict: str | None = None  # the status the figure earns (numeric thresholds)


def _mask(text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
    found = [m.group(0) for m in pattern.finditer(text)]
    return pattern.sub(lambda m: " " * len(m.group(0)), text), found


def anchor_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of words in ``text`` whose stem is one of ``terms``."""
    wanted = set(terms)
    return [
        (m.start(), m.end())
        for m in re.finditer(r"[A-Za-z][A-Za-z\-]*", text)
        if stem(m.group(0).lower()) in wanted
    ]


def clause_stance(clause: str) -> tuple[str, list[str]]:
    """Stance of one clause: plans, then partial cues, then absence, then operation."""
    rest, good_negations = _mask(clause, _NEGATED_BAD)
    rest, open_bad = _mask(rest, OPEN_BAD_CUES)
    if open_bad:
        return ABSENT, open_bad
    rest, _ = _mask(rest, HISTORICAL_CUES)
    rest, planned = _mask(rest, PLAN_CUES)
    rest, missing_targets = _mask(rest, NEGATED_TARGET)
    rest, targets = _mask(rest, TARGET_CUES)
    no_partial, partial = _mask(rest, PARTIAL_CUES)  # "not yet", "still not" are partial
    _, absent = _mask(no_partial, ABSENT_CUES)
    _, operating = _mask(rest, OPERATING_CUES)
    _, weak = _mask(rest, WEAK_CUES)
    operating += good_negations
    if targets and not operating:
        planned += targets
    if partial:
        return PARTIAL_S, [*partial, *planned, *absent]
    if planned:
        # "the line will be extended to phase 2" next to operation: partial, not a plan only
        return (PARTIAL_S if operating else PLANNED), [*planned, *operating]
    absent += missing_targets
    if absent:
        return ABSENT, absent
    if operating:
        return OPERATING, [*operating, *weak]
    if weak:
        return WEAK, weak
    return NEUTRAL, []


def combine(stances: Sequence[str]) -> str:
    """Clauses that disagree (it exists here, it is missing or planned there) read as partial."""
    found = set(stances) - {NEUTRAL}
    if ABSENT in found or PLANNED in found:
        found.discard(WEAK)
    if WEAK in found:
        found.discard(WEAK)
        found.add(OPERATING)
    if not found:
        return NEUTRAL
    if len(found) == 1:
        return found.pop()
    if found == {ABSENT, PLANNED}:
        return PLANNED  # "there is none; one is planned for 2026"
    return PARTIAL_S


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a sentence (cut at ``;``, ``:`` and "but"-words)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def read_presence(text: str, topic_terms: Sequence[str] = ()) -> Reading:
    """Classify one sentence by its cues (explicit, ordered rules).

    1. Recommendations, rules ("must ...") and sentences about the document are neutral.
    2. "The information was not available" phrases make it a gap (``unknown``).
    3. Otherwise the sentence is cut into clauses; only clauses sharing a word with the
       criterion (``topic_terms``) are read when there are such clauses. Clauses that
       disagree read as partial.
    """
    if is_recommendation(text):
        return Reading(NEUTRAL, ("recommendation",))
    if NORMATIVE_CUES.search(text):
        return Reading(NEUTRAL, ("requirement, not practice",))
    if META_CUES.search(text):
        return Reading(NEUTRAL, ("about the document",))
    unknown = [m.group(0) for m in UNKNOWN_CUES.finditer(text)]
    if unknown:
        return Reading(UNKNOWN, tuple(unknown))
    row = parse_row(text)
    if row is not None:
        return read_row(row)
    spans = clauses(text)
    if topic_terms:
        on_topic = [sp for sp in spans if anchor_spans(text[sp[0] : sp[1]], topic_terms)]
        spans = on_topic or spans
    stances: list[str] = []
    cues: list[str] = []
    for a, b in spans:
        stance, found = clause_stance(text[a:b])
        stances.append(stance)
        cues += found
    return Reading(combine(stances), tuple(dict.fromkeys(cues)))


def read_row(row: Row) -> Reading:
    """A table row read from its values, not its label.

    The label names the indicator ("Operating symbiosis exchanges", "Waste recycled"), so
    its words are no cue. A missing value is a gap; a zero or "none" is absence; a figure
    shows the thing is measured (operation); a text value is read as a clause ("under
    review, not yet approved"). Period cells ("Year: 2024") are skipped. A row that states
    nothing stays neutral (and is no statement, see :func:`is_statement`).
    """
    if _PERIOD_LABEL.match(row.label) and not any(_DIGIT.search(c.value) for c in row.values):
        return Reading(NEUTRAL, ("table header",))  # "Quarter: Firms in operation; ..."
    if any(_REQUIREMENT_HEADERS.search(c.header) for c in row.values):
        return Reading(NEUTRAL, ("requirement, not practice",))
    cells = [c for c in row.values if not _DATE_CELL.match(c.value)]
    if cells and MISSING_VALUE.match(cells[0].value):
        return Reading(UNKNOWN, (cells[0].value,))
    stances: list[str] = []
    cues: list[str] = []
    for i, cell in enumerate(cells):
        figures = [q for q in measures(cell.value) if q.kind not in NOT_AMOUNTS and q.text[:1].isdigit()]
        if i == 0 and figures and figures[0].start == 0 and figures[0].value <= 0:
            stances.append(ABSENT)  # "Exchanges operating: 0"
            cues.append(cell.value)
            continue
        stance, found = clause_stance(cell.value)
        if stance == NEUTRAL and i == 0 and figures:
            stance, found = OPERATING, [figures[0].text]
        stances.append(stance)
        cues += found
    stance = combine(stances)
    return Reading(stance, tuple(dict.fromkeys(cues)))


__all__ = [
    "ABSENT",
    "DECISIVE",
    "NEUTRAL",
    "OPERATING",
    "PARTIAL_S",
    "PLANNED",
    "UNKNOWN",
    "PLAN_CUES",
    "TARGET_CUES",
    "Reading",
    "anchor_spans",
    "clause_stance",
    "clauses",
    "combine",
    "is_recommendation",
    "is_statement",
    "read_presence",
    "read_row",
]
