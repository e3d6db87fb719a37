"""Answers to portfolio questions, composed from the dossier store and the scorecard.

Every statement names the status in force (reviewed wins over drafted), says whether it was
drafted or reviewed (and by whom), marks stale cells, and cites the evidence quote behind
the status. The result is an ordinary :class:`~assistant.types.Answer` whose citations point
at the evidence documents, plus the zones and criteria it names (for the evaluation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.catalogue import Catalogue, Criterion, ZoneRegistry
from assistant.portfolio.facts import CellFact, CitationList, cell_fact
from assistant.portfolio.intent import PortfolioQuestion
from assistant.query import short_name
from assistant.reviews import StoredCell
from assistant.scorecard import POINTS, Scorecard, ZoneScore, build_scorecard
from assistant.types import Answer
from assistant.vocabulary import (
    ACROSS_ZONES,
    COMPARE,
    DRAFT_HINT,
    INSUFFICIENT,
    MEETS,
    NOT_MET,
    PARTIAL,
    PORTFOLIO_MODE,
    PREREQUISITE,
    RANKING,
    STATUS_LABELS,
    ZONE_GAPS,
)

if TYPE_CHECKING:
    from assistant.portfolio.matching import CriterionMatcher
    from assistant.settings import Settings

MODE = PORTFOLIO_MODE
_GAP_ORDER = {NOT_MET: 0, PARTIAL: 1, INSUFFICIENT: 2}
_ACROSS_VERB = {MEETS: "meet", PARTIAL: "only partly meet", NOT_MET: "do not meet",
                INSUFFICIENT: "have too little evidence on"}


class CellSource(Protocol):
    def drafts(self, zone: str | None = None) -> list[StoredCell]: ...


@dataclass(frozen=True)
class PortfolioReply:
    """A portfolio answer and what it names: result zones and the criteria it is about."""

    answer: Answer
    kind: str
    zones: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class Portfolio:
    """Every stored cell as facts, with the scorecard built from them."""

    card: Scorecard | None
    facts: Mapping[str, Mapping[str, CellFact]]  # zone -> criterion -> fact
    names: Mapping[str, str]
    undrafted: tuple[str, ...]

    def name(self, zone: str) -> str:
        return self.names.get(zone, zone)

    def reviewed_share(self) -> tuple[int, int]:
        cells = [f for zone in self.facts.values() for f in zone.values()]
        return sum(f.reviewed for f in cells), len(cells)


def load_portfolio(cells: Sequence[StoredCell], catalogue: Catalogue | None,
                   registry: ZoneRegistry | None, weights: Mapping[str, float]) -> Portfolio:
    """The portfolio the stored cells make (``card`` is ``None`` when nothing is drafted)."""
    by_zone: dict[str, list[StoredCell]] = defaultdict(list)
    for cell in cells:
        by_zone[cell.zone].append(cell)
    names = {z.id: short_name(z) for z in registry} if registry is not None else {}
    undrafted = tuple(z.id for z in registry if z.id not in by_zone) if registry is not None else ()
    card = build_scorecard(by_zone, catalogue, registry, weights) if by_zone else None
    facts = {zone: {c.criterion_id: cell_fact(c) for c in zc} for zone, zc in by_zone.items()}
    return Portfolio(card, facts, names, undrafted)


def statement(p: Portfolio, fact: CellFact, cites: CitationList, *, with_zone: bool = True,
              with_action: bool = False) -> str:
    """One cited sentence about a cell."""
    who = f"{p.name(fact.zone)}: " if with_zone else ""
    action = f" To close it: {fact.action}" if with_action and fact.action else ""
    reason = f" ({fact.reason})" if fact.reason else ""
    return (f"{who}{fact.criterion} ({fact.title}) {fact.label}{cites.cite(fact)}{reason}, "
            f"{fact.provenance}.{action}")


def strengths(p: Portfolio, zone: str, weights: Mapping[str, float], n: int) -> list[CellFact]:
    """The zone's met criteria with evidence, heaviest category first."""
    met = [f for f in p.facts.get(zone, {}).values() if f.status == MEETS and f.evidence]
    order = {c.id: i for i, c in enumerate(p.card.columns)} if p.card else {}
    met.sort(key=lambda f: (-weights.get(f.category, 0.0), order.get(f.criterion, 0)))
    return met[:n]


def gaps(p: Portfolio, zone: str, only: Sequence[str] = ()) -> list[CellFact]:
    """Not-met cells of the zone: prerequisites first, then does not meet, partial, insufficient."""
    order = {c.id: i for i, c in enumerate(p.card.columns)} if p.card else {}
    found = [f for f in p.facts.get(zone, {}).values()
             if f.status != MEETS and (not only or f.criterion in only)]
    found.sort(key=lambda f: (f.category != PREREQUISITE, _GAP_ORDER.get(f.status, 3),
                              order.get(f.criterion, 0)))
    return found


def caveats(p: Portfolio, weights: Mapping[str, float]) -> str:
    """Reviewed vs drafted share and the weights in force."""
    reviewed, total = p.reviewed_share()
    w = ", ".join(f"{k} {v:g}" for k, v in weights.items())
    stale = sum(f.stale for z in p.facts.values() for f in z.values())
    out = (f"{reviewed} of {total} cells are reviewed, the rest are drafted and unreviewed; "
           f"readiness weights: {w}; a prerequisite that is not met blocks a zone.")
    if stale:
        out += f" {stale} cells are stale (a document changed since they were drafted or reviewed)."
    if p.undrafted:
        out += f" Not drafted yet: {', '.join(p.name(z) for z in p.undrafted)}."
    return out


def score_line(p: Portfolio, z: ZoneScore) -> str:
    """``"1. Name: readiness 71.8/100, evidence coverage 77%, 40/64 met, blocked"``."""
    state = "blocked" if z.blocked else "not blocked"
    return (f"{z.rank}. {p.name(z.zone)}: readiness {z.readiness:.1f}/100, evidence coverage "
            f"{100 * z.coverage:.0f}%, {z.met}/{z.total} met, {state}")


@dataclass
class PortfolioAnswerer:
    """Answers portfolio questions from the review store (opened on first use)."""

    cells: Callable[[], CellSource]
    catalogue: Catalogue | None
    registry: ZoneRegistry | None
    settings: Settings
    matcher: CriterionMatcher | None = None
    owns_source: bool = True  # close the store with the answerer (False: it is lent)
    _source: CellSource | None = field(default=None, init=False, repr=False)

    def portfolio(self) -> Portfolio:
        if self._source is None:
            self._source = self.cells()
        return load_portfolio(self._source.drafts(), self.catalogue, self.registry,
                              self.settings.category_weights)

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None and self.owns_source:
            close()
        self._source = None

    def reply(self, question: str, intent: PortfolioQuestion) -> PortfolioReply | None:
        """The answer, or ``None`` when the question names no criterion the catalogue has."""
        criteria = self._criteria(intent)
        if criteria is None:
            return None
        p = self.portfolio()
        if p.card is None and not intent.status_asked:
            return None  # "which zones have a ...": before drafting, the documents answer it
        if p.card is None:
            text = f"No zone has been drafted yet, so the dossiers cannot answer this. {DRAFT_HINT}"
            return PortfolioReply(Answer(question, text, abstained=True, mode=MODE), intent.kind)
        cites = CitationList(self.settings.portfolio_max_citations)
        compose = {RANKING: self._ranking, ACROSS_ZONES: self._across, ZONE_GAPS: self._gaps,
                   COMPARE: self._compare}[intent.kind]
        text, zones, crit_ids = compose(p, intent, criteria, cites)
        warnings = (f"Not drafted yet: {', '.join(p.name(z) for z in p.undrafted)}. {DRAFT_HINT}",
                    ) if p.undrafted else ()
        answer = Answer(question, text, abstained=False, citations=cites.citations, mode=MODE,
                        warnings=warnings)
        return PortfolioReply(answer, intent.kind, tuple(zones), tuple(crit_ids))

    # -- which criteria ----------------------------------------------------------------
    def _criteria(self, intent: PortfolioQuestion) -> list[Criterion] | None:
        named = [c for cid in intent.criteria if self.catalogue is not None
                 and (c := self.catalogue.get(cid)) is not None]
        if named or intent.kind in (RANKING, ZONE_GAPS):
            return named
        if self.matcher is None or not intent.topic:
            return [] if intent.kind == COMPARE else None
        s = self.settings
        if intent.kind == COMPARE:
            return list(self.matcher.best(intent.topic, floor=s.portfolio_topic_floor,
                                          margin=s.portfolio_topic_margin,
                                          limit=s.portfolio_topic_limit))
        found = self.matcher.best(intent.topic, floor=s.portfolio_min_similarity)
        return list(found) or None

    # -- the four kinds ----------------------------------------------------------------
    def _ranking(self, p: Portfolio, intent: PortfolioQuestion, _criteria: list[Criterion],
                 cites: CitationList) -> tuple[str, list[str], list[str]]:
        card = p.card
        assert card is not None
        zones = [z for z in card.zones if not intent.zones or z.zone in intent.zones]
        top = zones[0]
        weights = self.settings.category_weights
        lines = [f"{p.name(top.zone)} ranks first on the scorecard: readiness "
                 f"{top.readiness:.1f}/100, evidence coverage {100 * top.coverage:.0f}%, "
                 f"{top.met} of {top.total} criteria met."]
        best = strengths(p, top.zone, weights, 3)
        if best:
            lines.append("Strengths: " + "; ".join(
                statement(p, f, cites, with_zone=False) for f in best))
        blocking = [f for f in gaps(p, top.zone) if f.category == PREREQUISITE]
        if blocking:
            lines.append("Blocking prerequisites: " + "; ".join(
                statement(p, f, cites, with_zone=False, with_action=True) for f in blocking))
            if all(z.blocked for z in zones):
                lines.append("Every zone is blocked by at least one prerequisite, so none is "
                             "ready for the pilot yet; the order below is by readiness among "
                             "blocked zones.")
        else:
            lines.append("No prerequisite blocks it.")
        lines.append("Ranking: " + "; ".join(score_line(p, z) for z in zones) + ".")
        lines.append(caveats(p, weights))
        return "\n\n".join(lines), [top.zone], [f.criterion for f in best + blocking]

    def _across(self, p: Portfolio, intent: PortfolioQuestion, criteria: list[Criterion],
                cites: CitationList) -> tuple[str, list[str], list[str]]:
        crit = criteria[0]
        wanted = " or ".join(_ACROSS_VERB[s] for s in intent.statuses)
        order = [z.zone for z in p.card.zones] if p.card else []
        zones = [z for z in order if not intent.zones or z in intent.zones]
        facts = [p.facts[z][crit.id] for z in zones if crit.id in p.facts[z]]
        hits = [f for f in facts if f.status in intent.statuses]
        head = (f"Zones that {wanted} {crit.id} ({crit.title}) as the dossiers stand: "
                + (", ".join(p.name(f.zone) for f in hits) if hits else "none")
                + f" ({len(hits)} of {len(facts)} zones with a drafted cell).")
        lines = [head] + [f"- {statement(p, f, cites)}" for f in hits]
        others = [f for f in facts if f.status not in intent.statuses]
        if others:
            lines.append("Other zones: " + "; ".join(
                f"{p.name(f.zone)} {f.label}{cites.cite(f)} ({f.provenance})" for f in others) + ".")
        missing = [z for z in zones if crit.id not in p.facts[z]]
        if missing:
            lines.append(f"{crit.id} is not drafted yet for: {', '.join(p.name(z) for z in missing)}.")
        lines.append(caveats(p, self.settings.category_weights))
        return "\n".join(lines), [f.zone for f in hits], [crit.id]

    def _gaps(self, p: Portfolio, intent: PortfolioQuestion, criteria: list[Criterion],
              cites: CitationList) -> tuple[str, list[str], list[str]]:
        zone = intent.zones[0]
        if zone not in p.facts:
            return (f"{p.name(zone)} has not been drafted yet, so its gaps are not known. "
                    f"{DRAFT_HINT}"), [], []
        score = p.card.zone(zone) if p.card else None
        found = gaps(p, zone, [c.id for c in criteria])
        counts = {s: sum(f.status == s for f in found) for s in (NOT_MET, PARTIAL, INSUFFICIENT)}
        lines = [f"{p.name(zone)}: {len(found)} criteria not met"
                 + (f" (readiness {score.readiness:.1f}/100, {score.met} of {score.total} met)"
                    if score else "") + ": "
                 + ", ".join(f"{n} {STATUS_LABELS[s].lower()}" for s, n in counts.items()) + "."]
        groups = [("Blocking prerequisites", [f for f in found if f.category == PREREQUISITE])]
        rest = [f for f in found if f.category != PREREQUISITE]
        groups += [(STATUS_LABELS[s], [f for f in rest if f.status == s])
                   for s in (NOT_MET, PARTIAL, INSUFFICIENT)]
        for title, items in groups:
            if items:
                lines.append(f"{title}:")
                lines += [f"- {statement(p, f, cites, with_zone=False, with_action=True)}"
                          for f in items]
        lines.append(caveats(p, self.settings.category_weights))
        return "\n".join(lines), [zone], [f.criterion for f in found]

    def _compare(self, p: Portfolio, intent: PortfolioQuestion, criteria: list[Criterion],
                 cites: CitationList) -> tuple[str, list[str], list[str]]:
        zones = [z for z in intent.zones if z in p.facts]
        missing = [z for z in intent.zones if z not in p.facts]
        lines: list[str] = []
        if missing:
            lines.append(f"Not drafted yet: {', '.join(p.name(z) for z in missing)}. {DRAFT_HINT}")
        if not zones:
            return "\n".join(lines), [], []
        points = dict.fromkeys(zones, 0.0)
        for crit in criteria:
            parts = []
            for z in zones:
                fact = p.facts[z].get(crit.id)
                if fact is None:
                    parts.append(f"{p.name(z)} not drafted")
                    continue
                points[z] += POINTS.get(fact.status, 0.0)
                parts.append(f"{p.name(z)} {fact.label}{cites.cite(fact)} ({fact.provenance})")
            lines.append(f"{crit.id} ({crit.title}): " + "; ".join(parts) + ".")
        if criteria:
            top = max(points.values())
            better = [z for z in zones if points[z] == top]
            verdict = ("They are level on these criteria" if len(better) == len(zones)
                       else f"{', '.join(p.name(z) for z in better)} does better on these criteria")
            lines.append(f"{verdict} (points: "
                         + ", ".join(f"{p.name(z)} {points[z]:g}" for z in zones) + ").")
        else:
            card = p.card
            assert card is not None
            scores = [s for s in card.zones if s.zone in zones]
            better = [scores[0].zone]
            lines.append("Overall: " + "; ".join(score_line(p, s) for s in scores) + ".")
        lines.append(caveats(p, self.settings.category_weights))
        return "\n".join(lines), better, [c.id for c in criteria]
