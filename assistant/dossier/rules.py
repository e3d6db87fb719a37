"""Decision rules: read a sentence, then decide a status from the findings of a zone.

Plain functions over :class:`Finding` records, unit-tested without an index. The newest
dated document that says something decisive wins; older documents that disagree are kept
as *superseded*. For a numeric threshold the figure decides, and :func:`decide` enforces the
invariant of :func:`~assistant.dossier.thresholds.check_invariant`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.catalogue import Threshold
from assistant.dossier.rows import parse_row
from assistant.dossier.signals import (
    ABSENT,
    DECISIVE,
    NEUTRAL,
    OPERATING,
    PARTIAL_S,
    PLAN_CUES,
    PLANNED,
    UNKNOWN,
    Reading,
    clauses,
    is_statement,
    read_presence,
)
from assistant.dossier.thresholds import (
    MEETS,
    NOT_MET,
    PARTIAL,
    Scoring,
    Target,
    check_invariant,
    match_measure,
    measures,
    parse_target,
)
from assistant.dossier.thresholds import verdict as figure_verdict
from assistant.types import Chunk
from assistant.vocabulary import INSUFFICIENT

logger = logging.getLogger(__name__)

_STANCE_OF = {MEETS: OPERATING, PARTIAL: PARTIAL_S, NOT_MET: ABSENT}


def read_sentence(
    text: str,
    target: Target | Threshold | None = None,
    indicator_terms: Sequence[str] = (),
    topic_terms: Sequence[str] = (),
    scoring: Scoring | None = None,
) -> Reading:
    """Read one sentence: the figure for a numeric threshold, else the presence cues.

    A figure in a clause that states a plan or target ("30% by 2027") is not a result and
    is not compared. A share "x of y" below 100 % makes a presence reading partial; another
    figure in a neutral sentence shows the thing is measured (operating).
    """
    if isinstance(target, Threshold):
        target = parse_target(target)
    presence = read_presence(text, topic_terms)
    if presence.stance == UNKNOWN or (presence.stance == NEUTRAL and presence.cues):
        return presence
    if target is not None:
        m = match_measure(text, target, indicator_terms)
        if m is not None and not _in_plan_clause(text, m.start):
            status = figure_verdict(m.value, target, scoring or Scoring())
            passed = status == MEETS
            cue = f"{m.text} {'meets' if passed else 'falls short of'} {target}"
            return Reading(_STANCE_OF[status], (cue,), m, passed, status)
        if presence.stance == OPERATING and parse_row(text) is not None:
            # a table row is a figure; one that does not answer the indicator says nothing here
            return Reading(NEUTRAL, ("figure of another indicator",))
        return presence
    if parse_row(text) is not None:
        return presence  # a row's figures were read with its cells
    figures = [q for q in measures(text) if q.kind in ("share", "measure")]
    fractions = [q for q in figures if q.kind == "share" and " of " in q.text and q.value < 100]
    stance, cues = presence.stance, list(presence.cues)
    if fractions:
        q = fractions[0]
        stance = ABSENT if q.value <= 0 and stance in (NEUTRAL, ABSENT) else PARTIAL_S
        return Reading(stance, (*cues, q.text), q)
    zero = [q for q in figures if q.unit == "%" and q.value <= 0]
    if zero and stance not in (PARTIAL_S, PLANNED):  # "0% reused": absent; "none yet, planned": a plan
        return Reading(ABSENT, (*cues, zero[0].text), zero[0])
    if figures and stance == NEUTRAL:
        return Reading(OPERATING, (figures[0].text,), figures[0])
    return presence


def _in_plan_clause(text: str, at: int) -> bool:
    for a, b in clauses(text):
        if a <= at < b:
            return bool(PLAN_CUES.search(text[a:b]))
    return False


@dataclass(frozen=True, slots=True)
class Finding:
    """A sentence of a zone document, scored for one criterion and read for signals."""

    text: str
    chunk: Chunk
    relevance: float
    reading: Reading
    similarity: float = 0.0
    lexical: float = 0.0
    date: str = ""  # the document's date (sidecar, own title or "as of", file name)

    def __post_init__(self) -> None:
        if not self.date and self.chunk.date:
            object.__setattr__(self, "date", self.chunk.date)

    @property
    def stance(self) -> str:
        return self.reading.stance

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
    """The knobs of :func:`decide`; defaults are Settings' drafter group (docs/eval.md)."""

    min_relevance: float = 0.55  # a sentence below this is not about the criterion
    margin: float = 0.1  # findings this close to the best one are read together
    max_together: int = 3
    neutral_min: float = 0.8  # a plain description this relevant shows the thing exists
    conflict_margin: float = 0.15  # an older document must be about this relevant to conflict
    plan_status: str = PARTIAL  # what "only a plan" earns (the framework's rule)
    scoring: Scoring = Scoring()


def _presence_status(group: Sequence[Finding], rules: Rules) -> str:
    stances = {f.stance for f in group}
    if PARTIAL_S in stances or ABSENT in stances and OPERATING in stances:
        return PARTIAL
    if PLANNED in stances:
        return PARTIAL if OPERATING in stances else rules.plan_status
    if ABSENT in stances:
        return NOT_MET
    return MEETS


def _by_document(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings grouped by source file, newest document first (undated last)."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.source, []).append(f)
    ordered = sorted(groups.values(), key=lambda g: (g[0].date, max(x.relevance for x in g)), reverse=True)
    return [sorted(g, key=lambda f: -f.relevance) for g in ordered]


def _together(group: Sequence[Finding], rules: Rules) -> list[Finding]:
    best = group[0].relevance
    return [f for f in group if f.relevance >= best - rules.margin][: rules.max_together]


def _described(f: Finding) -> Finding:
    """A plain, very relevant description reads as evidence that the thing operates."""
    return replace(f, reading=replace(f.reading, stance=OPERATING, cues=("describes it",)))


def decide(
    findings: Sequence[Finding],
    target: Target | Threshold | None = None,
    rules: Rules | None = None,
) -> Decision:
    """Status from scored findings: the newest decisive document wins.

    - no decisive finding at or above ``rules.min_relevance`` -> insufficient evidence;
    - numeric threshold: the best figure of the newest document that reports one decides
      (meets / partially_meets within the framework's band / does_not_meet);
    - otherwise in the newest decisive document the best finding and those within
      ``rules.margin`` are read together: partial cues, or absence next to operation ->
      partially_meets; a plan only -> ``rules.plan_status``; absence -> does_not_meet;
      operation -> meets;
    - older documents that reach another status are listed as superseded.
    """
    rules = rules or Rules()
    if isinstance(target, Threshold):
        target = parse_target(target)
    relevant = [
        _described(f)
        if target is None  # a description shows a thing exists, never that a figure passes
        and f.stance == NEUTRAL
        and not f.reading.cues
        and f.relevance >= rules.neutral_min
        and is_statement(f.text)
        else f
        for f in findings
        if f.relevance >= rules.min_relevance
    ]
    unknown = tuple(sorted((f for f in relevant if f.stance == UNKNOWN), key=lambda f: -f.relevance))
    measured = [f for f in relevant if f.reading.verdict is not None]
    if target is not None and measured:
        return _decide_figures(measured, target, rules, unknown)
    decisive = [f for f in relevant if f.stance in DECISIVE]
    if not decisive:
        return Decision(INSUFFICIENT, calibrate(0.8 if unknown else 0.7), (), None, (), unknown)
    groups = _by_document(decisive)
    newest = groups[0]
    # the deciding document, or a newer one, says the information was not available
    gap = [u for u in unknown if u.source == newest[0].source or u.date > newest[0].date]
    if gap and gap[0].relevance >= newest[0].relevance:
        return Decision(INSUFFICIENT, 0.55, (), None, (), unknown)
    together = _together(newest, rules)
    status = _presence_status(together, rules)
    superseded: list[tuple[Finding, str]] = []
    for older in groups[1:]:
        if not older[0].date or older[0].date >= newest[0].date:
            continue
        strong = older[0].relevance >= max(
            rules.min_relevance + rules.conflict_margin, together[0].relevance - rules.conflict_margin
        )
        older_status = _presence_status(_together(older, rules), rules)
        if strong and "describes it" not in older[0].reading.cues and older_status != status:
            superseded.append((older[0], older_status))
    # the deciding document also says something else about it: the reading is less sure
    mixed = len({f.stance for f in newest}) > 1
    confidence = _confidence(together, status, bool(superseded), numeric=False, mixed=mixed)
    if target is not None:  # a threshold that no figure was compared with: never a sure draft
        confidence = min(confidence, UNCOMPARED_CONFIDENCE)
    return Decision(
        status,
        confidence,
        tuple(together),
        _conflict(superseded, together[0], status),
        tuple(f for f, _ in superseded),
        unknown,
    )


def _decide_figures(
    measured: Sequence[Finding], target: Target, rules: Rules, unknown: tuple[Finding, ...]
) -> Decision:
    """The newest document's best figure decides; older figures that disagree are superseded."""
    groups = _by_document(measured)
    best = groups[0][0]

    def status_of(f: Finding) -> str:
        return (
            figure_verdict(f.reading.quantity.value, target, rules.scoring)
            if f.reading.quantity is not None
            else INSUFFICIENT
        )

    status = status_of(best)
    check_invariant(status, best.reading.passes)
    superseded = [
        (g[0], status_of(g[0]))
        for g in groups[1:]
        if g[0].date and g[0].date < best.date and status_of(g[0]) != status
    ]
    confidence = _confidence([best], status, bool(superseded), numeric=True)
    return Decision(
        status,
        confidence,
        (best,),
        _conflict(superseded, best, status),
        tuple(f for f, _ in superseded),
        unknown,
    )


def _conflict(superseded: Sequence[tuple[Finding, str]], newer: Finding, status: str) -> str | None:
    if not superseded:
        return None
    old, old_status = superseded[0]
    old_value = f"{old.reading.quantity.text}, " if old.reading.quantity else ""
    new_value = f"{newer.reading.quantity.text}, " if newer.reading.quantity else ""
    return (
        f"{doc_label(old)} reports {old_value}{pretty(old_status)} "
        f'("{short(old.text)}"); the newer {doc_label(newer)} reports {new_value}'
        f'{pretty(status)} ("{short(newer.text)}") and decides.'
    )


def _confidence(
    together: Sequence[Finding], status: str, conflicted: bool, *, numeric: bool, mixed: bool = False
) -> float:
    """Confidence from the evidence strength; calibrated on the sample set (docs/eval.md)."""
    best = together[0]
    conf = 0.45 + 0.5 * min(1.0, max(0.0, (best.relevance - 0.35) / 0.4))
    if len({f.stance for f in together}) > 1 and status != PARTIAL:
        conf -= 0.1
    if mixed:
        conf -= _MIXED_PENALTY
    if numeric:
        conf += 0.05
    if conflicted:
        conf -= 0.05
    return calibrate(min(0.95, max(0.3, conf)))


#: The highest confidence of a numeric criterion decided without a figure to compare.
UNCOMPARED_CONFIDENCE = 0.75

# Presence decisions whose deciding document also holds a relevant finding of another stance
# agreed 28 of 38 times at raw confidence >= 0.8 on the sample set (0.74; the others 0.93):
# lowered by 0.2, they are reported below 0.8 (docs/eval.md, "Drafter").
_MIXED_PENALTY = 0.2

# Raw confidence -> measured agreement on the sample set (docs/eval.md, "Drafter"): raw scores
# in 0.8-0.9 agreed 10 of 14 times (0.71), so they are reported as 0.72; the others kept.
_CALIBRATION = ((0.8, 0.9, 0.72),)


def calibrate(raw: float) -> float:
    """The reported confidence of a raw score, from the sample set's reliability table."""
    for low, high, value in _CALIBRATION:
        if low <= raw < high:
            return value
    return round(raw, 2)


def pretty(status: str) -> str:
    return status.replace("_", " ")


def short(text: str, n: int = 90) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def doc_label(f: Finding) -> str:
    return f"{f.source} ({f.date})" if f.date else f.source


__all__ = ["INSUFFICIENT", "Decision", "Finding", "Rules", "decide", "read_sentence"]
