"""Question understanding: which zones, criteria and kind of question a text is about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.catalogue import Catalogue, Criterion, Zone, ZoneRegistry
from assistant.errors import EIPError
from assistant.portfolio.intent import PortfolioQuestion, recognise
from assistant.vocabulary import ZONE_NOUN, ZONE_NOUNS

# A comparison of amounts ("the most", "larger"); "best" is a judgement the dossiers answer.
_MEASURED_COMPARISON = (r"\b(?:most|least|largest|biggest|smallest|highest|lowest|greatest|fewest|more"
                        r"|less|fewer|larger|bigger|smaller|higher|lower)\b")
# "Which zones ...", "compare the SEZs", "all candidate zones": questions about every zone.
# Each rule is "a word of the first set, later (before any '?') a word of the second"; it is
# checked with two linear searches per clause, not one regex with ``[^?]*`` between the sets
# (that backtracks quadratically on long text full of "all ... all ... all").
_CROSS_RULES = (
    (re.compile(r"\b(?:which|what|how many|list|compare|rank|ranking|across|all|each|every|any"
                r"|most|best)\b", re.IGNORECASE),
     re.compile(r"\b(?:zones|sezs|candidates|candidate sites)\b", re.IGNORECASE)),
    (re.compile(r"\b(?:zones|sezs)\b", re.IGNORECASE),
     re.compile(r"\b(?:have|has|treat|lack|meet|report|use|do|does)\b", re.IGNORECASE)),
    # "Rank the parks by ...", "of the three parks, which ...", "which park has the most ...":
    # a comparison between the zones, whatever the question calls them.
    (re.compile(rf"\b(?:rank|ranking|order|compare|across|all|each|every)\b[^?]{{0,40}}?\b{ZONE_NOUNS}\b"
                rf"|\bof\s+(?:all\s+)?(?:the|these|those)(?:\s+\w+)?\s+{ZONE_NOUNS}\b", re.IGNORECASE),
     re.compile(r"")),  # the empty second set: the first alone decides
    (re.compile(rf"\bwhich(?:\s+of\s+the)?(?:\s+\w+)?\s+{ZONE_NOUN}\b", re.IGNORECASE),
     re.compile(_MEASURED_COMPARISON + r"|\b(?:have|has)\b", re.IGNORECASE)),
)
MAX_QUESTION_CHARS = 2_000


class QuestionTooLongError(EIPError):
    """A question over the length limit (refused before any work is done)."""


def check_question(question: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """``question`` unchanged, or :class:`QuestionTooLongError` when it is over ``limit``."""
    if len(question) > limit:
        raise QuestionTooLongError(
            f"the question is {len(question):,} characters long; the limit is {limit:,}. "
            "Ask a shorter question (one topic at a time) or quote less of a document.")
    return question


def is_cross_zone(text: str) -> bool:
    """Whether ``text`` asks about every zone ("which zones...", "zones that have ...")."""
    for clause in text.split("?"):
        for first, second in _CROSS_RULES:
            m = first.search(clause)
            if m is not None and second.search(clause, m.end()) is not None:
                return True
    return False


_FOLLOW_UP = re.compile(
    r"^\s*(and|what about|how about|and what about|same for|what of|also)\b"
    r"|\b(it|its|this zone|that zone|there)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryPlan:
    """What retrieval should do for a question."""

    text: str  # the text sent to the retrievers (may be expanded from history)
    zones: tuple[Zone, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    cross_zone: bool = False
    inherited_zone: bool = False
    notes: tuple[str, ...] = field(default=())
    zone_names: tuple[tuple[str, str], ...] = ()  # (id, name) of every registered zone
    portfolio: PortfolioQuestion | None = None  # answered from the dossiers, not the passages


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    zone: str | None = None


def plan_query(
    question: str,
    registry: ZoneRegistry | None,
    catalogue: Catalogue | None,
    *,
    zone: str | None = None,
    history: tuple[Turn, ...] = (),
) -> QueryPlan:
    """Work out zones, criteria, cross-zone intent, follow-up context and portfolio intent."""
    zones: list[Zone] = []
    if zone:
        found = registry.get(zone) if registry is not None else None
        # A zone the registry does not know (or no registry) still scopes: fail closed.
        zones = [found or Zone(id=zone.strip().lower(), name=zone.strip(), province="")]
    elif registry is not None:
        zones = registry.find_in_text(question)
    criteria = catalogue.find_in_text(question) if catalogue is not None else []
    cross = is_cross_zone(question) and not zone and len(zones) != 1
    portfolio = recognise(question, zones, criteria)
    text = question
    inherited = False
    if history and not zones and not cross:
        last = history[-1]
        if last.zone and registry is not None and registry.get(last.zone):
            zones = [registry.get(last.zone)]  # type: ignore[list-item]
            inherited = True
        if _FOLLOW_UP.search(question) or len(question.split()) <= 5:
            # A short follow-up borrows the topic words of the previous question.
            text = f"{question} ({last.question})"
    return QueryPlan(
        text=text,
        zones=tuple(zones),
        criteria=tuple(criteria),
        cross_zone=cross,
        inherited_zone=inherited,
        zone_names=tuple((z.id, short_name(z)) for z in registry) if registry is not None else (),
        portfolio=portfolio,
    )


_ZONE_SUFFIX = re.compile(r"\s+(special economic zone|economic zone|sez|zone)\s*$", re.I)


def short_name(zone: Zone) -> str:
    """The name an answer uses: the registered name without "Special Economic Zone"."""
    return _ZONE_SUFFIX.sub("", zone.name).strip() or zone.name
