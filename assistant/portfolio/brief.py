"""The pilot-selection brief's content: ranking, per-zone findings, recommendation, caveats.

Built from a :class:`~assistant.portfolio.answers.Portfolio` (stored cells, reviewed statuses
winning, and the scorecard); :mod:`assistant.export.brief` renders it as Markdown or DOCX.
Every statement carries ``[n]`` markers into :attr:`Brief.citations` (file, page, quote).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.portfolio.answers import Portfolio, gaps, statement, strengths
from assistant.portfolio.facts import CitationList
from assistant.scorecard import FORMULA, Scorecard, ZoneScore
from assistant.types import Citation
from assistant.vocabulary import PREREQUISITE

BLOCKING_RULE = ("A zone is blocked while any prerequisite is not 'meets' (not met, or not "
                 "evidenced); blocked zones keep their readiness but rank after every unblocked zone.")


@dataclass(frozen=True)
class ZoneBrief:
    """What the brief says about one zone."""

    score: ZoneScore
    name: str
    strengths: tuple[str, ...]
    blocking: tuple[str, ...]
    gaps: tuple[str, ...]  # the top gaps, each with the evidence or action that would close it
    contradictions: tuple[str, ...]


@dataclass(frozen=True)
class Brief:
    """The brief's content, ready to render."""

    framework: str
    generated_at: str
    card: Scorecard
    zones: tuple[ZoneBrief, ...]  # rank order
    recommendation: tuple[str, ...]
    caveats: tuple[str, ...]
    weights: Mapping[str, float]
    citations: tuple[Citation, ...]
    blocking_rule: str = BLOCKING_RULE
    formula: str = FORMULA
    illustrative: bool = False


def build_brief(p: Portfolio, weights: Mapping[str, float], *, top_gaps: int = 5,
                top_strengths: int = 3) -> Brief:
    """The brief of the portfolio ``p`` (which must have a scorecard: something drafted)."""
    card = p.card
    if card is None:
        raise ValueError("nothing is drafted yet: there is no scorecard to brief on")
    cites = CitationList(limit=10_000)
    zones = []
    for z in card.zones:
        found = gaps(p, z.zone)
        blocking = [f for f in found if f.category == PREREQUISITE]
        others = [f for f in found if f.category != PREREQUISITE][:top_gaps]
        contradictions = [f for f in p.facts.get(z.zone, {}).values() if f.contradiction]
        zones.append(ZoneBrief(
            score=z, name=p.name(z.zone),
            strengths=tuple(statement(p, f, cites, with_zone=False)
                            for f in strengths(p, z.zone, weights, top_strengths)),
            blocking=tuple(statement(p, f, cites, with_zone=False, with_action=True)
                           for f in blocking),
            gaps=tuple(statement(p, f, cites, with_zone=False, with_action=True) for f in others),
            contradictions=tuple(f"{f.criterion} ({f.title}){cites.cite(f)}: {f.contradiction}"
                                 for f in contradictions)))
    reviewed, total = p.reviewed_share()
    caveats = [f"{reviewed} of {total} cells ({100 * reviewed / max(total, 1):.0f}%) are reviewed "
               f"by a named reviewer; the other {total - reviewed} are drafted automatically and "
               "unreviewed.",
               "Readiness weights: " + ", ".join(f"{k} {v:g}" for k, v in weights.items()) + ".",
               BLOCKING_RULE]
    stale = sum(f.stale for zf in p.facts.values() for f in zf.values())
    if stale:
        caveats.append(f"{stale} cells are stale: a document changed after they were drafted or "
                       "reviewed, and a redraft waits for a reviewer.")
    if p.undrafted:
        caveats.append("Not drafted, so not ranked: " + ", ".join(p.name(z) for z in p.undrafted) + ".")
    illustrative = any(z.illustrative for z in card.zones)
    if illustrative:
        caveats.append("Illustrative sample: the zones are invented; do not cite them as real zones.")
    return Brief(framework=card.framework, generated_at=card.generated_at, card=card,
                 zones=tuple(zones), recommendation=tuple(recommend(zones)),
                 caveats=tuple(caveats), weights=dict(weights), citations=cites.citations,
                 illustrative=illustrative)


def recommend(zones: list[ZoneBrief]) -> list[str]:
    """A short recommendation: the top zone, what stands in its way, the runner-up."""
    if not zones:
        return []
    top = zones[0]
    s = top.score
    out = []
    if not s.blocked:
        out.append(f"Recommend {top.name} for the pilot: readiness {s.readiness:.1f}/100, evidence "
                   f"coverage {100 * s.coverage:.0f}%, {s.met} of {s.total} criteria met, and no "
                   "prerequisite blocks it.")
    else:
        out.append(f"No zone clears every prerequisite yet. {top.name} leads on readiness "
                   f"({s.readiness:.1f}/100, evidence coverage {100 * s.coverage:.0f}%, {s.met} of "
                   f"{s.total} met) and is the candidate once its blocking prerequisites are closed: "
                   + " ".join(top.blocking))
    if len(zones) > 1:
        r = zones[1].score
        out.append(f"Runner-up: {zones[1].name} (readiness {r.readiness:.1f}/100"
                   f"{', blocked' if r.blocked else ''}; {s.readiness - r.readiness:.1f} points behind).")
    return out
