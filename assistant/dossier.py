"""The evidence drafter: one zone against one criterion -> a cited, reviewable draft.

For a (zone, criterion) pair the :class:`Drafter`

1. searches the zone's own documents only (``Filter(zones=(zone,))``; chunks of any other
   zone are dropped again afterwards, so a filter bug cannot leak evidence),
2. splits the passages into sentences and keeps those about the criterion (shared terms
   with its title/indicator/keywords *and* embedding similarity to the criterion query),
3. reads each kept sentence for signals (:func:`read_sentence`): the thing operates, is
   partial or planned, is absent, or the information was not available; quantities next
   to the indicator words are compared with the threshold,
4. decides a status with :func:`decide` (the newest dated document that says something
   decisive wins; disagreeing older documents are reported as a conflict),
5. writes a one-line rationale, a justification paragraph with ``[n]`` citations (template
   in extractive mode; a chat model checked by :class:`CitationChecker` in llm mode) and
   the gaps a consultant should follow up.

Every quote is a sentence taken verbatim from the chunk text, so it is found on the cited
page of the extracted text. The status rules are plain functions over
:class:`Finding` records and are unit-tested without an index.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.catalogue import Criterion, Threshold
from assistant.quantities import (
    Quantity,
    canonical_unit,
    extract_quantities,
    meets_threshold,
    nearest_quantity,
)
from assistant.retrieve import rrf_fuse
from assistant.text import STOPWORDS, content_terms, split_sentences, stem, words
from assistant.types import Chunk, CriterionDraft, Dossier, EvidenceItem, ScoredChunk
from indexing.store import Filter

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.service import Assistant

logger = logging.getLogger(__name__)

ChatModelLike = Any  # a langchain BaseChatModel; kept loose so langchain stays optional

MEETS, PARTIAL, NOT_MET, INSUFFICIENT = (
    "meets",
    "partially_meets",
    "does_not_meet",
    "insufficient_evidence",
)

# Stances a sentence can take towards the criterion.
OPERATING, PARTIAL_S, ABSENT, UNKNOWN, NEUTRAL = (
    "operating",
    "partial",
    "absent",
    "unknown",
    "neutral",
)
DECISIVE = (OPERATING, PARTIAL_S, ABSENT)


# ------------------------------------------------------------------------------ signals
def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# "The information is not there": not evidence either way (a gap, not a finding).
_UNKNOWN = _rx(
    r"\bno (?:information|data|figures|findings|details|records?)\b[^.;]{0,120}?"
    r"\b(?:available|provided|"
    r"obtained|supplied|given|made available|received|shared)\b",
    r"\b(?:received|had|got|has|have|holds|hold|contains?|was given|were given) no "
    r"(?:information|data|figures|findings|details|provisions)\b",
    r"\bno (?:findings|provisions)\b",
    r"\b(?:could|can|did) not (?:be )?(?:obtain(?:ed)?|confirm(?:ed)?|determine[d]?|verif(?:y|ied)"
    r"|assess(?:ed)?"
    r"|arrange[d]?|establish(?:ed)?)\b",
    r"\b(?:was|were|is|are) not (?:given|provided|supplied|disclosed|made available|covered"
    r"|available)\b",
    r"\bnot available\b",
    r"\bunable to (?:assess|confirm|verify|determine|obtain)\b",
    r"\bdid not (?:provide|receive|supply|answer|see|get|share)\b",
    r"\bnot able to (?:speak|visit|confirm|assess|obtain)\b",
    r"\b(?:information|data) (?:on|about) [^.;]{0,80}? "
    r"(?:could not be|was not|were not|is not|are not) "
    r"(?:available|obtained|provided|given|supplied|made available|shared)\b",
    r"\b(?:is|are|was|were) (?:not )?covered (?:in|by) the documents\b",
)
# Sentences about the report itself (scope, method, sources), not about the zone.
_META = _rx(
    r"\bScope and method\b",
    r"\bThis (?:report|assessment|note)\b",
    r"\bThe (?:assessment|report) (?:was|is|used|uses|covered|covers|followed|follows)\b",
    r"\bThe team (?:reviewed|interviewed|visited|was meant)\b",
    r"\bDocuments reviewed\b",
    r"\bInterviews (?:covered|were held)\b",
    r"\bIt reviewed\b",
    r"\bis based on (?:a|the|one)\b",
)
# Words for things whose absence is good news ("no fines", "no open notices").
_BAD_THINGS = (
    r"non-?compliances?|non-?conformit(?:y|ies)|violations?|fines?|penalt(?:y|ies)|sanctions?|warnings?|orders?|notices?"
    r"|breach(?:es)?|incidents?|accidents?|fatalit(?:y|ies)|outfalls?|spills?|exceedances?"
    r"|disputes?|objections?|burning|leaks?|deaths?|prosecutions?|suspensions?"
)
_NEGATED_BAD = re.compile(
    rf"\b(?:no|not|none|never|without|zero)\b(?:[ \t]+[\w-]+){{0,3}}?[ \t]+(?:{_BAD_THINGS})\b",
    re.IGNORECASE,
)
_ABSENT = _rx(
    r"\bno\b(?!\.)(?! (?:later|sooner|more|less|longer) than\b)",
    r"\bnone\b",
    r"\bnot\b",
    r"\bnever\b",
    r"\bwithout\b",
    r"\bn't\b",
    r"\black(?:s|ed|ing)?\b",
    r"\babsent\b",
    r"\bnil\b",
    r"\bopen burning\b",
    r"\buntreated\b",
    r"\bstopped\b",
    r"\bceased\b",
    r"\bdiscontinued\b",
    r"\bneither\b",
    r"\bnor\b",
)
_PARTIAL = _rx(
    r"\bplanned\b",
    r"\bplans? to\b",
    r"\bplanning to\b",
    r"\bunder (?:construction|development|"
    r"preparation|review|way)\b",
    r"\bunderway\b",
    r"\bin progress\b",
    r"\bbeing (?:built|installed|prepared|revised|developed|drafted|set up|established|upgraded|"
    r"expanded|extended|designed|tendered|negotiated|procured)\b",
    r"\b(?:is|are) installing\b",
    r"\bpilot\b",
    r"\btrial\b",
    r"\bdraft\b",
    r"\bnot yet\b",
    r"\byet to\b",
    r"\bstill\b",
    r"\bpending\b",
    r"\bdue (?:to|in|for|by)\b",
    r"\bexpected to\b",
    r"\bscheduled\b",
    r"\b(?:is|are) targeted\b",
    r"\btargeted for\b",
    r"\bto be (?:commissioned|completed|adopted|opened|built|connected|"
    r"introduced|planted|installed|prepared|started|extended)\b",
    r"\bwill (?:be|start|open|begin)\b",
    r"\b(?:is|are) to (?:begin|start|open)\b",
    r"\bcommits?\b",
    r"\bgap (?:analysis|audit|assessment)\b",
    r"(?<!\bthe )\bonly\b",
    r"\blimited to\b",
    r"\bpartly\b",
    r"\bpartial(?:ly)?\b",
    r"\bsome (?:of the )?(?:firms|tenants|factories|companies|plots)\b",
    r"\bnot all\b",
    r"\bapart from\b",
    r"\bexcept\b",
)
# Operation: the thing exists and runs. Strong cues name its state; weak cues are activity
# verbs that also describe what happens without it ("all treated effluent goes to the canal").
_OPERATING = _rx(
    r"\boperat(?:es|ing|ed|ional)\b",
    r"\bin (?:operation|place|service|use|force)\b",
    r"\brunning\b",
    r"\bfunctioning\b",
    r"\bworking\b",
    r"\bcertified\b",
    r"\bcertification\b",
    r"\baccredited\b",
    r"\bapproved\b",
    r"\badopted\b",
    r"\bimplemented\b",
    r"\bestablished\b",
    r"\bset up\b",
    r"\bhas held\b",
    r"\bpublish(?:ed|es)\b",
    r"\bconvenes?\b",
    r"\bchairs?\b",
    r"\bstaffed\b",
    r"\bexists?\b",
    r"\bdaily\b",
    r"\bweekly\b",
    r"\bmonthly\b",
    r"\bquarterly\b",
    r"\bannual(?:ly)?\b",
    r"\bevery (?:day|shift|year|month|week|plot|tenant|firm)\b",
    r"\beach (?:year|month|day)\b",
    r"\bsince (?:19|20)\d\d\b",
    r"\ball (?:\d+ )?(?:tenants|firms|factories|companies|plots)\b",
    r"\bcame into service\b",
    r"\bcommissioned\b",
    r"\bvalid\b",
    r"\b(?:revised|updated|renewed|introduced) in (?:19|20)\d\d\b",
)
_WEAK_OPERATING = _rx(
    r"\bruns\b",
    r"\bholds?\b",
    r"\bcompil(?:es|ed)\b",
    r"\bcollect(?:s|ed)\b",
    r"\btreat(?:s|ed)\b",
    r"\breused\b",
    r"\brecycled\b",
    r"\brecovered\b",
    r"\breceived\b",
    r"\bemploys?\b",
    r"\bhouses\b",
    r"\bsuppl(?:ied|ies)\b",
    r"\bprovides?\b",
    r"\bmaintained\b",
    r"\bprepared\b",
    r"\bcompleted\b",
    r"\brecord(?:s|ed)\b",
    r"\bmonitor(?:s|ed)\b",
    r"\btracks?\b",
    r"\bmeasured\b",
    r"\bcome from\b",
    r"\blive in\b",
    r"\binstalled\b",
    r"\bgenerated\b",
    r"\bproduced\b",
)
# Clause boundaries: a clause may say the thing exists while the next says a part is missing.
_CLAUSE_SPLIT = re.compile(
    r";|:\s|,?\s\b(?:but|although|though|however|whereas|while)\b", re.IGNORECASE
)
# Rules and obligations describe what should happen, not what does.
_NORMATIVE = _rx(
    r"\bmust\b",
    r"\bshall\b",
    r"\b(?:is|are) required to\b",
    r"\b(?:is|are) prohibited\b",
    r"\b(?:is|are) not allowed\b",
    r"\bmay not\b",
)
# A negation that reports an earlier state ("the 2021 EIA found no ...") is history, not status.
_HISTORICAL = _rx(
    r"\b(?:found|reported|noted|recorded) (?:that there (?:was|were) )?no\b",
    r"\bpreviously\b",
    r"\bformerly\b",
    r"\bused to\b",
    r"\bat the time of the (?:EIA|\d{4})\b",
    r"\bbefore (?:19|20)\d\d\b",
    r"\buntil (?:19|20)\d\d\b",
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one sentence says about the thing a criterion asks for."""

    stance: str  # operating | partial | absent | unknown | neutral
    cues: tuple[str, ...] = ()
    quantity: Quantity | None = None
    passes: bool | None = None  # quantity vs numeric threshold


def _mask(text: str, pattern: re.Pattern[str]) -> tuple[str, list[str]]:
    found = [m.group(0) for m in pattern.finditer(text)]
    return pattern.sub(lambda m: " " * len(m.group(0)), text), found


def _anchor_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of words in ``text`` whose stem is one of ``terms``."""
    spans: list[tuple[int, int]] = []
    wanted = set(terms)
    for m in re.finditer(r"[A-Za-z][A-Za-z\-]*", text):
        if stem(m.group(0).lower()) in wanted:
            spans.append((m.start(), m.end()))
    return spans


WEAK = "operating (weak)"  # internal: operation shown only by an activity verb or a figure


def _clause_stance(clause: str) -> tuple[str, list[str]]:
    """Stance of one clause: partial cues win, then absence, then operation (strong or weak)."""
    rest, good_negations = _mask(clause, _NEGATED_BAD)
    rest, _ = _mask(rest, _HISTORICAL)
    no_partial, partial = _mask(rest, _PARTIAL)  # "not yet", "still not" are partial, not absent
    _, absent = _mask(no_partial, _ABSENT)
    _, operating = _mask(rest, _OPERATING)
    _, weak = _mask(rest, _WEAK_OPERATING)
    operating += good_negations
    if partial:
        return PARTIAL_S, [*partial, *absent]
    if absent:
        return ABSENT, absent
    if operating:
        return OPERATING, [*operating, *weak]
    if weak:
        return WEAK, weak
    return NEUTRAL, []


def _combine(stances: Sequence[str]) -> str:
    """Clauses that disagree (it exists here, it is missing there) make a partial reading.

    An activity verb alone ("all treated effluent goes to ...") does not outweigh an
    explicit absence in another clause.
    """
    found = set(stances) - {NEUTRAL}
    if ABSENT in found:
        found.discard(WEAK)
    if WEAK in found:
        found.discard(WEAK)
        found.add(OPERATING)
    if not found:
        return NEUTRAL
    if len(found) == 1:
        return found.pop()
    return PARTIAL_S


def _clauses(text: str) -> list[tuple[int, int]]:
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


def read_sentence(
    text: str,
    threshold: Threshold | None = None,
    indicator_terms: Sequence[str] = (),
    topic_terms: Sequence[str] = (),
) -> Reading:
    """Classify one sentence by its signals (explicit, ordered rules).

    1. Recommendations, rules ("must ...") and sentences about the report itself are neutral.
    2. "The information was not available" phrases make it a gap (``unknown``).
    3. For a numeric threshold, a comparable quantity next to the indicator words decides:
       at/above -> operating, below -> partial, zero -> absent.
    4. Otherwise the sentence is cut into clauses; only clauses that share a word with the
       criterion (``topic_terms``) are read when there are such clauses. In a clause
       partial cues ("planned", "not yet", "only", "3 of 19") win, then absence ("no",
       "not", "none", "0%"), then operation ("operates", "since 2019", a figure); "no
       fines"/"no open notices" count as operation. Clauses that disagree read as partial.
    """
    if is_recommendation(text):
        return Reading(NEUTRAL, ("recommendation",))
    if _NORMATIVE.search(text):
        return Reading(NEUTRAL, ("requirement, not practice",))
    if _META.search(text):
        return Reading(NEUTRAL, ("about the report",))
    unknown = [m.group(0) for m in _UNKNOWN.finditer(text)]
    if unknown:  # a statement that the information is missing is a gap, whatever else it says
        return Reading(UNKNOWN, tuple(unknown))

    quantities = [q for q in extract_quantities(text) if q.kind != "year"]
    anchors = _anchor_spans(text, indicator_terms)
    if threshold is not None and threshold.is_numeric:
        unit = canonical_unit(threshold.unit)
        comparable = [q for q in quantities if (q.unit == unit if unit else q.kind == "count")]
        quantity = nearest_quantity(text, comparable, anchors)
        if quantity is not None:
            passes = bool(meets_threshold(quantity, threshold))
            cue = (f"{quantity.text} {'meets' if passes else 'is below'} {threshold}",)
            if passes:
                return Reading(OPERATING, cue, quantity, True)
            return Reading(ABSENT if quantity.value <= 0 else PARTIAL_S, cue, quantity, False)

    spans = _clauses(text)
    if topic_terms:
        on_topic = [sp for sp in spans if _anchor_spans(text[sp[0] : sp[1]], topic_terms)]
        spans = on_topic or spans
    stances: list[str] = []
    cues: list[str] = []
    for a, b in spans:
        stance, found = _clause_stance(text[a:b])
        stances.append(stance)
        cues += found
    stance = _combine(stances)
    weak_only = set(stances) - {NEUTRAL} == {WEAK}
    # Figures belong to the whole sentence: "6 of the 19 firms" is partial; another figure
    # shows the thing is measured, unless the sentence already says it is absent.
    quantity = None
    measures = [q for q in quantities if q.unit is not None or q.kind == "share"]
    fractions = [q for q in measures if q.kind == "share" and " of " in q.text and q.value < 100]
    if fractions:
        quantity = fractions[0]
        stance = (
            ABSENT
            if quantity.value <= 0 and (stance in (NEUTRAL, ABSENT) or weak_only)
            else PARTIAL_S
        )
        cues.append(quantity.text)
    elif measures:
        quantity = nearest_quantity(text, measures, anchors)
        if quantity is not None and quantity.unit == "%" and quantity.value <= 0:
            stance = ABSENT if stance in (NEUTRAL, ABSENT) or weak_only else PARTIAL_S
            cues.append(quantity.text)
        elif quantity is not None and stance == NEUTRAL:
            stance = OPERATING
            cues.append(quantity.text)
    return Reading(stance, tuple(dict.fromkeys(cues)), quantity, None)


# ------------------------------------------------------------------------------ findings
@dataclass(frozen=True, slots=True)
class Finding:
    """A sentence of a zone document, scored for one criterion and read for signals."""

    text: str
    chunk: Chunk
    relevance: float
    reading: Reading
    similarity: float = 0.0
    lexical: float = 0.0

    @property
    def stance(self) -> str:
        return self.reading.stance

    @property
    def date(self) -> str:
        return self.chunk.date or ""

    @property
    def source(self) -> str:
        return self.chunk.source


@dataclass(frozen=True, slots=True)
class Decision:
    """The status :func:`decide` reached and the findings behind it."""

    status: str
    confidence: float
    deciding: tuple[Finding, ...] = ()
    conflict: str | None = None
    superseded: tuple[Finding, ...] = ()
    unknown: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Rules:
    """The knobs of :func:`decide` (defaults tuned on the sample corpus, not per zone)."""

    min_relevance: float = 0.55  # a sentence below this is not about the criterion
    margin: float = 0.1  # findings this close to the best one are read together
    max_together: int = 3
    unknown_margin: float = (
        0.0  # "no information" wins unless decisive evidence is this much stronger
    )
    neutral_min: float = 0.8  # a plain description this relevant shows the thing exists
    conflict_margin: float = 0.15  # an older document must be about this relevant to conflict


def _status_of(group: Sequence[Finding], threshold: Threshold | None) -> str:
    stances = {f.stance for f in group}
    if threshold is not None and threshold.is_numeric:
        measured = [f for f in group if f.reading.passes is not None]
        if measured:
            best = measured[0]
            if best.reading.passes:
                return MEETS if ABSENT not in stances else PARTIAL
            return NOT_MET if best.stance == ABSENT else PARTIAL
    if PARTIAL_S in stances:
        return PARTIAL
    if ABSENT in stances and OPERATING in stances:
        return PARTIAL
    if ABSENT in stances:
        return NOT_MET
    return MEETS


def _by_document(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings grouped by source file, newest document first (undated last)."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.source, []).append(f)
    ordered = sorted(
        groups.values(), key=lambda g: (g[0].date, max(x.relevance for x in g)), reverse=True
    )
    return [sorted(g, key=lambda f: -f.relevance) for g in ordered]


def _together(group: Sequence[Finding], rules: Rules) -> list[Finding]:
    best = group[0].relevance
    return [f for f in group if f.relevance >= best - rules.margin][: rules.max_together]


def decide(
    findings: Sequence[Finding], threshold: Threshold | None = None, rules: Rules | None = None
) -> Decision:
    """Status from scored findings: newest decisive document wins; ties read together.

    - no finding at or above ``rules.min_relevance`` with a decisive stance -> insufficient;
    - in the newest document with decisive findings, the best finding and those within
      ``rules.margin`` of it are read together: any partial signal, or absence next to
      operation, -> partially_meets; only absence -> does_not_meet; only operation -> meets;
      for a numeric threshold the quantity of the best measured finding decides;
    - if that document says "the information was not available" at least as relevantly
      as it says anything decisive, the evidence is insufficient;
    - older documents that would reach another status are reported as the conflict.
    """
    rules = rules or Rules()
    relevant = [
        _described(f)
        if f.stance == NEUTRAL
        and not f.reading.cues
        and f.relevance >= rules.neutral_min
        and is_statement(f.text)
        else f
        for f in findings
        if f.relevance >= rules.min_relevance
    ]
    unknown = tuple(
        sorted((f for f in relevant if f.stance == UNKNOWN), key=lambda f: -f.relevance)
    )
    decisive = [f for f in relevant if f.stance in DECISIVE]
    if not decisive:
        return Decision(
            INSUFFICIENT, _insufficient_confidence(relevant, unknown), (), None, (), unknown
        )
    groups = _by_document(decisive)
    newest = groups[0]
    same_doc_unknown = [u for u in unknown if u.source == newest[0].source]
    if (
        same_doc_unknown
        and same_doc_unknown[0].relevance >= newest[0].relevance - rules.unknown_margin
    ):
        return Decision(INSUFFICIENT, 0.55, (), None, (), unknown)
    together = _together(newest, rules)
    if threshold is not None and threshold.is_numeric:
        measured = [f for f in newest if f.reading.passes is not None]
        if measured and measured[0] not in together:
            together = [measured[0], *together][: rules.max_together]
    status = _status_of(together, threshold)

    conflict = None
    superseded: list[Finding] = []
    superseded_status = ""
    numeric = threshold is not None and threshold.is_numeric
    for older in groups[1:]:
        if not older[0].date or older[0].date >= newest[0].date:
            continue
        if numeric and together[0].reading.passes is not None:
            older = [f for f in older if f.reading.passes is not None]  # figures against figures
            if not older:
                continue
        strong = older[0].relevance >= max(
            rules.min_relevance + rules.conflict_margin,
            together[0].relevance - rules.conflict_margin,
        )
        older_status = _status_of(_together(older, rules), threshold)
        if strong and "describes it" not in older[0].reading.cues and older_status != status:
            superseded.append(older[0])
            superseded_status = superseded_status or older_status
    if superseded:
        old = superseded[0]
        conflict = (
            f"{_doc_label(old)} suggests {_pretty(superseded_status)} "
            f'("{_short(old.text)}"), but the newer {_doc_label(together[0])} suggests '
            f'{_pretty(status)} ("{_short(together[0].text)}"); the newer document decides.'
        )
    confidence = _confidence(together, status, bool(superseded), threshold)
    return Decision(status, confidence, tuple(together), conflict, tuple(superseded), unknown)


def _described(f: Finding) -> Finding:
    """A plain, very relevant description reads as (weak) evidence that the thing operates."""
    return replace(f, reading=replace(f.reading, stance=OPERATING, cues=("describes it",)))


def _insufficient_confidence(relevant: Sequence[Finding], unknown: Sequence[Finding]) -> float:
    if unknown:
        return 0.8  # the documents say outright that the information is missing
    return 0.7 if not relevant else 0.55


def _confidence(
    together: Sequence[Finding], status: str, conflicted: bool, threshold: Threshold | None
) -> float:
    best = together[0]
    stances = {f.stance for f in together}
    conf = 0.45 + 0.5 * min(1.0, max(0.0, (best.relevance - 0.35) / 0.4))
    if len(stances) > 1 and status != PARTIAL:
        conf -= 0.1
    if threshold is not None and threshold.is_numeric and best.reading.passes is not None:
        conf += 0.05
    if conflicted:
        conf -= 0.05
    return round(min(0.95, max(0.3, conf)), 2)


def _pretty(status: str) -> str:
    return status.replace("_", " ")


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _doc_label(f: Finding) -> str:
    return f"{f.source} ({f.date})" if f.date else f.source


# ------------------------------------------------------------------------------ criterion
_GENERIC_TERMS = frozenset(
    stem(w)
    for w in (
        "share",
        "total",
        "applicable",
        "level",
        "rate",
        "rates",
        "number",
        "used",
        "use",
        "based",
        "available",
        "exists",
        "place",
        "defined",
        "documented",
        "current",
    )
)


def term_weights(criteria: Sequence[Criterion]) -> dict[str, float]:
    """Inverse document frequency of criterion terms over the catalogue, scaled to 0.25..1.

    A term most criteria share ("management", "plan") says little about any one of them.
    """
    if not criteria:
        return {}
    df: dict[str, int] = {}
    for c in criteria:
        for t in set(
            content_terms(f"{c.title} {c.indicator} {c.requirement} {' '.join(c.keywords)}")
        ):
            df[t] = df.get(t, 0) + 1
    n = len(criteria)
    top = math.log(max(n, 4) / 3)
    return {t: 1.0 if d <= 3 else max(0.25, min(1.0, math.log(n / d) / top)) for t, d in df.items()}


@dataclass(frozen=True)
class CriterionQuery:
    """What the drafter searches and matches for one criterion."""

    text: str
    terms: tuple[str, ...]  # stems of title, indicator and keywords
    core_terms: tuple[str, ...]  # stems of title and indicator (anchor the quantities)
    phrases: tuple[re.Pattern[str], ...]  # keyword phrases, whole-word
    weights: dict[str, float] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, criterion: Criterion, weights: dict[str, float] | None = None) -> CriterionQuery:
        keywords = ", ".join(criterion.keywords)
        text = f"{criterion.title}. {criterion.indicator}. {keywords}"
        core = [
            t
            for t in content_terms(f"{criterion.title} {criterion.indicator}")
            if t not in _GENERIC_TERMS
        ]
        terms = list(
            dict.fromkeys([*core, *(t for t in content_terms(keywords) if t not in _GENERIC_TERMS)])
        )
        phrases = tuple(
            re.compile(
                r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, k.split())) + r"(?!\w)", re.IGNORECASE
            )
            for k in criterion.keywords
        )
        return cls(text, tuple(terms), tuple(core), phrases, dict(weights or {}))

    def lexical(self, sentence: str) -> float:
        """Shared content terms (title/indicator count double) plus keyword-phrase hits."""
        have = {stem(w) for w in words(sentence) if w not in STOPWORDS}
        w = self.weights
        core = sum(w.get(t, 1.0) for t in self.core_terms if t in have)
        other = sum(w.get(t, 1.0) for t in self.terms if t in have and t not in self.core_terms)
        phrase = sum(1 for p in self.phrases if p.search(sentence))
        return 1.0 * core + 0.5 * other + 0.5 * phrase


def relevance(similarity: float, lexical: float, measured: bool = False) -> float:
    """Relevance of a sentence: embedding similarity plus a capped lexical bonus.

    ``measured``: the sentence carries the quantity a numeric threshold asks for, next to
    the indicator's words (the most direct evidence there is).
    """
    if lexical <= 0:
        return similarity - 0.15  # no shared word: only a very close paraphrase passes
    return similarity + 0.15 * min(lexical, 3.0) + (0.1 if measured else 0.0)


# ------------------------------------------------------------------------------ sentences
_PROSE_END = re.compile(r"[.!?][)\"”']?$")
# PDF tables come out as runs of cells; their header or a glued section number gives them away.
_TABLE_RUN = re.compile(
    r"^(?:Key (?:figures|indicators)|Overview (?:of key figures|table))"
    r"|\b(?:Indicator|Item) Value\b"
    r"|\bTheme Indicator\b|\bArea \(ha\)|\s\d{1,2}\.$"
)
_FOOTER = re.compile(r"\bPage \d+\s*$")
# A sentence split after an abbreviation ("Sub-decree No." + "72, ...") is joined again.
_ABBREVIATION_END = re.compile(r"\b(?:No|Nos|Art|Co|approx|e\.g|i\.e|etc|vs|St|Dr|Mr|Ms|Fig)\.$")
# Recommendations ("Prepare an energy plan ...") say what should happen, not what is.
_RECOMMENDATION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:Recommendations?\s+)?(?:Prepare|Adopt|Introduce|Publish|Extend|Raise|"
    r"Set up|Set|Develop|Establish|Start|Install|Require|Consider|Ensure|Improve|Expand|Create|"
    r"Build|Carry out|Conduct|Complete|Appoint|Make|Add|Train|Connect|Monitor|Track|Record|"
    r"Report|Collect|Provide|Arrange|Agree|Review|Update|Align|Plan|Link|Commission|Assign|"
    r"Strengthen|Register|Support|Offer|Promote|Reduce|Replace|Hire|Keep|Launch|Enforce|"
    r"Formalise|Formalize|Broaden|Disclose|Continue|Finalise|Finalize|Obtain|Seek)\b"
    r"|\bshould\b|\brecommend",
    re.IGNORECASE,
)


_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|can|does|do|did|will|uses?|runs?|keeps?|holds?|takes?|goes|"
    r"comes?|gives?|makes?|leads?|serves?|\w{3,}(?:ed|es))\b",
    re.IGNORECASE,
)


def is_statement(sentence: str) -> bool:
    """A full sentence (a verb, eight words or more), not a heading or a label."""
    return len(sentence.split()) >= 8 and bool(_FINITE_VERB.search(sentence))


def is_recommendation(sentence: str) -> bool:
    """Whether a sentence recommends or prescribes rather than reports."""
    return bool(_RECOMMENDATION.search(sentence))


def evidence_sentences(chunk: Chunk) -> list[str]:
    """Sentences of a chunk that can stand as quotes (prose, not headings or table runs).

    Each is a run of the chunk text with only whitespace normalised, so it is found on
    the chunk's page.
    """
    units: list[str] = []
    for unit in split_sentences(chunk.text):
        unit = unit.strip()
        if units and _ABBREVIATION_END.search(units[-1]) and unit[:1].isdigit():
            units[-1] = f"{units[-1]} {unit}"
        else:
            units.append(unit)
    out: list[str] = []
    for i, unit in enumerate(units):
        if i == 0 and chunk.ordinal > 0 and unit[:1].islower():
            continue  # the overlap with the previous chunk: a cut sentence
        if len(unit.split()) < 4 or _FOOTER.search(unit) or not _PROSE_END.search(unit):
            continue
        if "|" in unit or _TABLE_RUN.search(unit):
            continue
        out.append(unit)
    return out


# ------------------------------------------------------------------------------ drafter
_MAX_CACHED_SENTENCES = 50_000  # sentence vectors kept between drafts (about 75 MB)


class Drafter:
    """Drafts criterion cells for a zone from that zone's documents only."""

    def __init__(
        self,
        assistant: Assistant,
        *,
        llm: ChatModelLike | None = None,
        k: int = 10,
        rules: Rules | None = None,
        max_evidence: int = 5,
    ) -> None:
        self.assistant = assistant
        self.index = assistant.index
        self.settings = assistant.settings
        if llm is None and self.settings.answerer == "llm":
            llm = getattr(assistant.answerer, "chat_model", None)  # the configured model
        self.llm = llm
        self.k = k
        self.rules = rules or Rules()
        self.max_evidence = max_evidence
        self._query_vectors: dict[str, NDArray[np.float32]] = {}
        self._sentence_vectors: dict[str, NDArray[np.float32]] = {}
        self._checker: Any = None
        self._passage_cache: dict[tuple[str, str], list[ScoredChunk]] | None = None
        catalogue = assistant.catalogue
        self._weights = term_weights(tuple(catalogue)) if catalogue is not None else {}

    # -- public ----------------------------------------------------------------------
    def draft(self, zone_id: str, criterion: Criterion) -> CriterionDraft:
        """Draft one cell: evidence, status, rationale, justification and gaps."""
        query = self.query(criterion)
        findings = self.findings(zone_id, criterion, query)
        decision = decide(findings, criterion.threshold, self.rules)
        evidence, numbered = self._evidence(decision, findings)
        justification, mode = self._justification(zone_id, criterion, decision, evidence, numbered)
        return CriterionDraft(
            zone=zone_id,
            criterion_id=criterion.id,
            category=criterion.category,
            title=criterion.title,
            requirement=criterion.requirement,
            status=decision.status,
            confidence=decision.confidence,
            rationale=rationale(criterion, decision),
            justification=justification,
            evidence=tuple(evidence),
            gaps=gaps(criterion, decision),
            conflict=decision.conflict,
            mode=mode,
        )

    def draft_zone(
        self,
        zone_id: str,
        criteria: Sequence[Criterion] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Dossier:
        """Every criterion (default: the whole catalogue) drafted for one zone."""
        catalogue = self.assistant.catalogue
        if criteria is None:
            criteria = tuple(catalogue) if catalogue is not None else ()
        self._passage_cache = {}
        try:
            self.warm(zone_id, criteria)
            drafts: list[CriterionDraft] = []
            for i, criterion in enumerate(criteria, start=1):
                drafts.append(self.draft(zone_id, criterion))
                if on_progress is not None:
                    on_progress(i, len(criteria))
        finally:
            self._passage_cache = None
        registry = self.assistant.registry
        zone = registry.get(zone_id) if registry is not None else None
        framework = catalogue.framework.title if catalogue is not None else ""
        return Dossier(
            zone=zone_id,
            zone_name=zone.name if zone else zone_id,
            framework=framework,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            drafts=tuple(drafts),
        )

    def warm(self, zone_id: str, criteria: Sequence[Criterion]) -> None:
        """Embed the queries and candidate sentences of many criteria in two batches.

        Optional: :meth:`draft` embeds what it needs itself, but one batch per zone is
        several times cheaper than one per criterion.
        """
        self.prepare(criteria)
        pending: dict[str, None] = {}
        for criterion in criteria:
            for text in self._candidates(zone_id, criterion, self.query(criterion)):
                if text not in self._sentence_vectors:
                    pending[text] = None
        if pending:
            self._embed_sentences(list(pending))

    def query(self, criterion: Criterion) -> CriterionQuery:
        return CriterionQuery.of(criterion, self._weights)

    def prepare(self, criteria: Sequence[Criterion]) -> None:
        """Embed the queries of many criteria in one batch (they do not depend on the zone)."""
        todo = [c for c in criteria if c.id not in self._query_vectors]
        if not todo:
            return
        vectors = self.index.embedder.embed_documents([CriterionQuery.of(c).text for c in todo])
        for c, v in zip(todo, vectors, strict=True):
            self._query_vectors[c.id] = np.asarray(v, dtype=np.float32)

    # -- retrieval -------------------------------------------------------------------
    def passages(
        self, zone_id: str, criterion: Criterion, query: CriterionQuery
    ) -> list[ScoredChunk]:
        """Hybrid search over the zone's documents only (framework documents excluded)."""
        key = (zone_id, criterion.id)
        if self._passage_cache is not None and key in self._passage_cache:
            return self._passage_cache[key]
        flt = Filter(zones=(zone_id,))
        self.prepare([criterion])
        vector = self._query_vectors[criterion.id]
        s = self.settings
        n = max(s.retrieval_candidates, self.k * 4)
        dense = self.index.store.query(vector, n, flt)
        keyword = self.index.docs.keyword_search(query.text, n, flt)
        fused = rrf_fuse(
            dense, keyword, k=s.rrf_k, dense_weight=s.dense_weight, keyword_weight=s.keyword_weight
        )[: self.k]
        chunks = self.index.docs.get_chunks(r[0] for r in fused)
        out: list[ScoredChunk] = []
        for cid, score, d_rank, k_rank, sim in fused:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            if chunk.zone != zone_id:  # fail closed even if a store ignored the filter
                logger.warning(
                    "dropped chunk %s of zone %r from a %r search", cid, chunk.zone, zone_id
                )
                continue
            out.append(ScoredChunk(chunk, score, d_rank, k_rank, sim))
        if self._passage_cache is not None:
            self._passage_cache[key] = out
        return out

    def findings(
        self, zone_id: str, criterion: Criterion, query: CriterionQuery | None = None
    ) -> list[Finding]:
        """Candidate sentences from the zone's passages, scored and read.

        A sentence that shares no word with the criterion could only pass the relevance
        gate as a near paraphrase; it is skipped without being embedded (that is most of
        the cost of a dossier).
        """
        query = query or self.query(criterion)
        candidates = self._candidates(zone_id, criterion, query)
        if not candidates:
            return []
        texts = list(candidates)
        vectors = self._embed_sentences(texts)
        sims = vectors @ self._query_vectors[criterion.id]
        out: list[Finding] = []
        for text, sim in zip(texts, sims, strict=True):
            chunk, lex = candidates[text]
            reading = read_sentence(text, criterion.threshold, query.core_terms, query.terms)
            rel = relevance(float(sim), lex, reading.passes is not None)
            out.append(Finding(text, chunk, rel, reading, float(sim), lex))
        out.sort(key=lambda f: -f.relevance)
        return out

    def _candidates(
        self, zone_id: str, criterion: Criterion, query: CriterionQuery
    ) -> dict[str, tuple[Chunk, float]]:
        """``{sentence: (chunk, lexical score)}`` for the sentences worth embedding."""
        out: dict[str, tuple[Chunk, float]] = {}
        for p in self.passages(zone_id, criterion, query):
            for sentence in evidence_sentences(p.chunk):
                if sentence in out:
                    continue
                lex = query.lexical(sentence)
                if lex > 0:
                    out[sentence] = (p.chunk, lex)
        return out

    def _embed_sentences(self, texts: list[str]) -> NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._sentence_vectors))
        if missing:
            if len(self._sentence_vectors) > _MAX_CACHED_SENTENCES:
                self._sentence_vectors.clear()
            for t, v in zip(missing, self.index.embedder.embed_documents(missing), strict=True):
                self._sentence_vectors[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self._sentence_vectors[t] for t in texts])

    # -- writing ---------------------------------------------------------------------
    def _evidence(
        self, decision: Decision, findings: Sequence[Finding]
    ) -> tuple[list[EvidenceItem], list[Finding]]:
        """Deciding findings first, then superseded ones, then further relevant support."""
        chosen: list[Finding] = []
        for f in (*decision.deciding, *decision.superseded):
            if f not in chosen:
                chosen.append(f)
        if decision.status == INSUFFICIENT:
            extra = [f for f in decision.unknown][:2]
        else:
            extra = [
                f
                for f in findings
                if f.relevance >= self.rules.min_relevance
                and f.stance in DECISIVE
                and f not in chosen
            ]
        for f in extra:
            if len(chosen) >= self.max_evidence:
                break
            if f not in chosen:
                chosen.append(f)
        items = [evidence_item(f) for f in chosen]
        return items, chosen

    def _justification(
        self,
        zone_id: str,
        criterion: Criterion,
        decision: Decision,
        evidence: Sequence[EvidenceItem],
        numbered: Sequence[Finding],
    ) -> tuple[str, str]:
        text = justification_text(self._zone_name(zone_id), criterion, decision, evidence)
        if self.llm is None or not evidence:
            return text, "extractive"
        written = self._llm_justification(zone_id, criterion, decision, numbered)
        return (written, "llm") if written else (text, "extractive")

    def _zone_name(self, zone_id: str) -> str:
        registry = self.assistant.registry
        zone = registry.get(zone_id) if registry is not None else None
        return zone.name if zone else zone_id

    def _llm_justification(
        self, zone_id: str, criterion: Criterion, decision: Decision, numbered: Sequence[Finding]
    ) -> str | None:
        """A paragraph by the chat model, vetted by the citation checker.

        ``None`` when no sentence of the reply survives the check.
        """
        from langchain_core.messages import HumanMessage, SystemMessage

        from assistant.citations import CitationChecker
        from assistant.llm import _invoke, _normalise
        from assistant.prompts import DOSSIER_SYSTEM_PROMPT, dossier_message

        passages = {i: ScoredChunk(f.chunk, f.relevance) for i, f in enumerate(numbered, start=1)}
        message = dossier_message(
            zone=self._zone_name(zone_id),
            criterion_id=criterion.id,
            title=criterion.title,
            requirement=criterion.requirement,
            indicator=criterion.indicator,
            threshold=str(criterion.threshold) if criterion.threshold else "present",
            status=_pretty(decision.status),
            numbered=list(passages.items()),
        )
        reply = _invoke(
            self.llm, [SystemMessage(content=DOSSIER_SYSTEM_PROMPT), HumanMessage(content=message)]
        )
        if self._checker is None:
            self._checker = CitationChecker(
                self.index.embedder, threshold=self.settings.support_threshold
            )
        result = self._checker.check(_normalise(reply), passages)
        if result.refused:
            logger.info(
                "llm justification for %s/%s failed the citation check", zone_id, criterion.id
            )
            return None
        return result.text


def evidence_item(f: Finding) -> EvidenceItem:
    """The :class:`EvidenceItem` of a finding (quote verbatim from the chunk)."""
    c = f.chunk
    return EvidenceItem(
        file=c.source,
        page=c.page,
        quote=f.text,
        score=round(f.similarity, 4),  # cosine of sentence and criterion query
        date=c.date,
        value=f.reading.quantity.text if f.reading.quantity else None,
        doc_type=c.doc_type,
        chunk_id=c.id,
        file_hash=c.file_hash,
    )


# ------------------------------------------------------------------------------ text
_STATUS_PHRASE = {
    MEETS: "meets",
    PARTIAL: "partially meets",
    NOT_MET: "does not meet",
    INSUFFICIENT: "cannot be assessed (insufficient evidence)",
}
_STANCE_PHRASE = {
    OPERATING: "shows it in place",
    PARTIAL_S: "shows it planned, partial or below the mark",
    ABSENT: "states it is absent",
    UNKNOWN: "says the information was not available",
    NEUTRAL: "mentions it",
}


def rationale(criterion: Criterion, decision: Decision) -> str:
    """One line naming the evidence that decided the status."""
    if decision.status == INSUFFICIENT:
        if decision.unknown:
            u = decision.unknown[0]
            return (
                f"Insufficient evidence: {_doc_label(u)} says the information was not available "
                f'("{_short(u.text, 80)}").'
            )
        indicator = criterion.indicator.lower()
        return f"Insufficient evidence: no document of the zone addresses {indicator}."
    f = decision.deciding[0]
    value = ""
    if f.reading.quantity is not None and f.reading.passes is not None and criterion.threshold:
        value = f" ({f.reading.quantity.text} vs {criterion.threshold})"
    page = f" p.{f.chunk.page}" if f.chunk.page else ""
    return (
        f"{_STATUS_PHRASE[decision.status].capitalize()}{value}: decided by {f.source}{page}"
        f"{f' ({f.date})' if f.date else ''}, which {_STANCE_PHRASE[f.stance]}."
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text


def _where(item: EvidenceItem) -> str:
    name = item.file.rsplit("/", 1)[-1]
    page = f", p. {item.page}" if item.page else ""
    return f"{name}{page}" + (f", {item.date}" if item.date else "")


def justification_text(
    zone_name: str, criterion: Criterion, decision: Decision, evidence: Sequence[EvidenceItem]
) -> str:
    """The templated justification paragraph, citing ``evidence`` as [1], [2], ...

    Every sentence that states a fact quotes an evidence item verbatim and cites it.
    """
    threshold = criterion.threshold
    target = f" (threshold {threshold})" if threshold is not None and threshold.is_numeric else ""
    head = (
        f"{zone_name} {_STATUS_PHRASE[decision.status]} {criterion.id} {criterion.title}; "
        f"the indicator is {_lower_first(criterion.indicator)}{target}."
    )
    if not evidence:
        return f"{head} No document of the zone addresses this indicator."
    first = evidence[0]
    if decision.status == INSUFFICIENT:
        lead = f'The zone\'s documents say the information is missing: "{first.quote}" [1].'
    else:
        lead = f'The deciding evidence ({_where(first)}) reads: "{first.quote}" [1].'
    parts = [head, lead]
    for n, item in enumerate(evidence[1:4], start=2):
        parts.append(f'Further evidence ({_where(item)}): "{item.quote}" [{n}].')
    if decision.conflict:
        parts.append(f"Documents disagree: {decision.conflict}")
    return " ".join(parts)


def gaps(criterion: Criterion, decision: Decision) -> tuple[str, ...]:
    """What evidence is missing and the follow-up question to put to the zone."""
    topic = _lower_first(criterion.title)
    wanted = _lower_first((criterion.guidance or criterion.indicator).rstrip("."))
    status = decision.status
    threshold = criterion.threshold
    numeric = threshold is not None and threshold.is_numeric
    out: list[str] = []
    if status == INSUFFICIENT:
        if decision.unknown:
            u = decision.unknown[0]
            out.append(
                f"{u.source} ({u.date or 'undated'}) says the information on {topic} was "
                "not available."
            )
        else:
            out.append(f"No document of the zone gives evidence on {topic}.")
        out.append(f"Question for the zone: can you provide evidence of {wanted}?")
        return tuple(out)
    best = decision.deciding[0]
    if numeric and best.reading.quantity is None:
        out.append(
            f"No figure was found for {_lower_first(criterion.indicator)} (threshold {threshold})."
        )
        out.append(
            f"Question for the zone: what was the {_lower_first(criterion.indicator)} in "
            "the latest year, and how was it measured?"
        )
    if status == PARTIAL:
        if numeric and best.reading.quantity is not None:
            out.append(
                f"The reported {best.reading.quantity.text} is below the threshold {threshold}."
            )
            out.append(
                "Question for the zone: what covers the rest today, and what is the plan "
                "and date to reach the threshold?"
            )
        else:
            out.append(f"The evidence shows {topic} only in part, planned or not yet operating.")
            out.append(
                f"Question for the zone: when will {topic} be fully in place, and which "
                "documents show the progress?"
            )
    elif status == NOT_MET:
        out.append(f"The documents state that {topic} is missing or not done.")
        out.append(f"Question for the zone: are there plans, a budget or dates for {topic}?")
    elif status == MEETS and not best.date:
        out.append("The deciding evidence is undated; confirm that it is current.")
    if decision.conflict:
        out.append("Documents disagree; confirm with the zone that the newer statement holds.")
    return tuple(out)


__all__ = [
    "Decision",
    "Drafter",
    "Finding",
    "Reading",
    "Rules",
    "CriterionQuery",
    "decide",
    "evidence_item",
    "evidence_sentences",
    "gaps",
    "justification_text",
    "rationale",
    "read_sentence",
    "relevance",
]
