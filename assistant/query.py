"""Question understanding: which zones, criteria and kind of question a text is about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.catalogue import Catalogue, Criterion, Zone, ZoneRegistry

# "Which zones ...", "compare the SEZs", "all candidate zones": questions about every zone.
_CROSS_ZONE = re.compile(
    r"\b(which|what|how many|list|compare|rank|ranking|across|all|each|every|any|most|best)\b"
    r"[^?]*\b(zones|sezs|candidates|candidate sites)\b"
    r"|\b(zones|sezs)\b[^?]*\b(have|has|treat|lack|meet|report|use|do|does)\b",
    re.IGNORECASE,
)
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
    """Work out zones, criteria, cross-zone intent and follow-up context of a question."""
    zones: list[Zone] = []
    if registry is not None:
        if zone:
            found = registry.get(zone)
            zones = [found] if found else []
        else:
            zones = registry.find_in_text(question)
    criteria = catalogue.find_in_text(question) if catalogue is not None else []
    cross = bool(_CROSS_ZONE.search(question)) and not zone and len(zones) != 1
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
        zone_names=tuple((z.id, _short_name(z)) for z in registry) if registry is not None else (),
    )


_ZONE_SUFFIX = re.compile(r"\s+(special economic zone|economic zone|sez|zone)\s*$", re.I)


def _short_name(zone: Zone) -> str:
    """The name an answer uses: the registered name without "Special Economic Zone"."""
    return _ZONE_SUFFIX.sub("", zone.name).strip() or zone.name
