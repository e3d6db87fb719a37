"""Recognising portfolio questions: ranking, one criterion across zones, a zone's gaps, comparisons.

These are questions the dossiers answer (statuses per zone and criterion), not the passages.
A question is portfolio only when it uses assessment wording (meet, fail, gaps, most ready,
compare ... on ...); a factual question about the zones ("which zones treat all of their
wastewater?") is left to retrieval. The criterion a question is about is resolved later, from
the catalogue, by :mod:`assistant.portfolio.matching`.

Every pattern is a bounded search (no unbounded gap between two word sets): linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.catalogue import Criterion, Zone
from assistant.vocabulary import (
    ACROSS_ZONES,
    COMPARE,
    INSUFFICIENT,
    MEETS,
    NOT_MET,
    PARTIAL,
    RANKING,
    ZONE_GAPS,
    ZONE_NOUN,
)

_I = re.IGNORECASE
_RANKING = (
    re.compile(r"\b(?:most|best|closest|furthest|strongest|highest|top|leading|nearest)\b"
               r"[^?.;]{0,60}?\b(?:ready|readiness|placed|prepared|suited|suitable|candidate"
               r"|pilot|eco-industrial|eip|green industrial)\b", _I),
    re.compile(r"\b(?:rank|ranking|order)\b[^?.;]{0,50}?\b(?:readiness|ready|eip|eco-industrial"
               r"|pilot|scorecard)\b", _I),
    re.compile(r"\b(?:should|would you|do you)\b[^?.;]{0,40}?\b(?:pilot|recommend|choose|pick|select)", _I),
    re.compile(r"\brecommend\w*\b[^?.;]{0,40}?\bpilot\b", _I),
)
_COMPARE = re.compile(r"\b(?:compare|comparison|versus|vs\.?|better|worse|further along|ahead of"
                      r"|stronger|weaker|differ)\b", _I)
_GAPS = re.compile(
    r"\bgaps\b|\b(?:main|biggest|key|top|largest|remaining|major|first)\s+gaps?\b|\bmissing\b"
    r"|\bfalls?\s+short\b|\bshortcomings?\b|\bshortfalls?\b|\bweak(?:nesses|\s+points|est\s+points)\b"
    r"|\bnot\s+(?:yet\s+)?(?:fully\s+)?meet\b|\b(?:need|needs|have|has)\s+to\s+(?:fix|close|address"
    r"|improve)\b|\bfix\s+first\b|\bstill\s+lacks?\b|\bwhat\s+(?:does|would)\b[^?.;]{0,40}?\bneed\b"
    r"|(?<!-)\bblock(?:ing|ed|ers?)\b|\bwhat\s+blocks\b", _I)
# Who the question is about: several zones, not one.
_CROSS = re.compile(
    rf"\b(?:which|what)(?:\s+of\s+the)?(?:\s+\w+)?\s+(?:{ZONE_NOUN}|candidates?)\b"
    r"|^\s*(?:for|in|at)\s+which\b|^\s*who\b|\b(?:list|name|show)\s+(?:me\s+)?"
    r"(?:the\s+|all\s+)?(?:zones|sezs|parks)\b|\bhow\s+many\s+(?:zones|sezs|parks)\b", _I)
_HAS_A = re.compile(rf"(?:^\s*who|\b{ZONE_NOUN})\s+(?:already\s+)?"
                    r"(?:has|have|runs?|operates?|offers?|provides?)\s+(?:a|an|any)\b", _I)
# Assessment wording -> the statuses asked for (checked in this order: negations first).
_STATUS_CUES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\bnot\s+enough\s+evidence\b|\binsufficient(?:\s+evidence)?\b|\bno\s+evidence\b"
                r"|\b(?:cannot|can't|unable\s+to)\s+(?:be\s+)?(?:judged?|assess(?:ed)?|tell)\b", _I),
     (INSUFFICIENT,)),
    (re.compile(r"\b(?:partly|partially|only\s+partly|in\s+part)\s+(?:meet|meets|satisf|compl|fulfil)",
                _I), (PARTIAL,)),
    (re.compile(r"\bfalls?\s+short\s+of\b|\bnot\s+(?:yet\s+)?fully\s+(?:meet|satisf|compl)", _I),
     (PARTIAL, NOT_MET, INSUFFICIENT)),
    (re.compile(r"\b(?:fail(?:s|ed|ing)?|(?:do|does|did)\s*(?:not|n't)\s+meet|not\s+meet)\b"
                r"[^?.;]{0,60}?\b(?:outright|at\s+all|completely|entirely)\b", _I), (NOT_MET,)),
    # Failing a requirement is not meeting it in full; unknown (no evidence) is not failing.
    (re.compile(r"\bfail(?:s|ed|ing)?\b|\b(?:do|does|did)\s*(?:not|n't)\s+meet\b|\bnot\s+meet", _I),
     (NOT_MET, PARTIAL)),
    (re.compile(r"\b(?:meet|meets|satisf(?:y|ies)|fulfil(?:l|s|ls)?|compl(?:y|ies)\s+with)\b", _I),
     (MEETS,)),
)
_ON_TOPIC = re.compile(r"\b(?:on|for|in\s+terms\s+of|regarding|about|when\s+it\s+comes\s+to)\s+"
                       r"(?P<topic>[^?:;,]{2,120}?)(?=\s+(?:which|who|and\s+which)\b|[?:;,]|$)", _I)


@dataclass(frozen=True)
class PortfolioQuestion:
    """What a portfolio question asks: its kind, the zones and criteria it names, and the rest."""

    kind: str  # one of vocabulary.PORTFOLIO_KINDS
    zones: tuple[str, ...] = ()  # zone ids named (restrict the answer to them)
    criteria: tuple[str, ...] = ()  # criterion ids named by id or exact title
    statuses: tuple[str, ...] = ()  # criterion_across_zones: the statuses asked for
    topic: str = ""  # the words to match a criterion against when none is named
    # False when no status is asked and "which zones have a ..." implies "meets": a question
    # about the documents as much as the dossiers (answered from the documents before drafting).
    status_asked: bool = True


def _strip_names(text: str, zones: Sequence[Zone]) -> str:
    for zone in zones:
        for name in sorted(zone.names, key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=_I)
    return " ".join(text.split())


def _statuses(text: str) -> tuple[str, ...]:
    for cue, statuses in _STATUS_CUES:
        if cue.search(text):
            return statuses
    return ()


def recognise(question: str, zones: Sequence[Zone],
              criteria: Sequence[Criterion]) -> PortfolioQuestion | None:
    """The portfolio question ``question`` asks, or ``None`` for an ordinary factual question.

    ``zones`` and ``criteria`` are the ones the planner found named in the text (or chosen).
    """
    text = " ".join(question.split())
    zone_ids = tuple(z.id for z in zones)
    crit_ids = tuple(c.id for c in criteria)
    topic = _strip_names(text, zones)
    if len(zones) >= 2 and _COMPARE.search(text):
        on = _ON_TOPIC.search(topic)
        return PortfolioQuestion(COMPARE, zone_ids, crit_ids, topic=on.group("topic") if on else "")
    if len(zones) == 1 and _GAPS.search(text):
        return PortfolioQuestion(ZONE_GAPS, zone_ids, crit_ids)
    if any(p.search(text) for p in _RANKING):
        return PortfolioQuestion(RANKING, zone_ids if len(zones) >= 2 else ())
    if len(zones) != 1 and _CROSS.search(text):
        statuses = _statuses(text)
        asked = bool(statuses)
        if not statuses and _HAS_A.search(text):
            statuses = (MEETS,)
        if statuses:
            return PortfolioQuestion(ACROSS_ZONES, zone_ids, crit_ids, statuses, topic, status_asked=asked)
    return None
