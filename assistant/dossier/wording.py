"""The words of a draft: the one-line rationale, the cited justification and the gaps."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.catalogue import Criterion
from assistant.dossier.rules import Decision, Finding, doc_label, short
from assistant.dossier.signals import ABSENT, NEUTRAL, OPERATING, PARTIAL_S, PLANNED, UNKNOWN
from assistant.dossier.thresholds import Target, describe
from assistant.types import EvidenceItem
from assistant.vocabulary import INSUFFICIENT, MEETS, NOT_MET, PARTIAL

STATUS_PHRASE = {
    MEETS: "meets",
    PARTIAL: "partially meets",
    NOT_MET: "does not meet",
    INSUFFICIENT: "cannot be assessed (insufficient evidence)",
}
_STANCE_PHRASE = {
    OPERATING: "shows it in place",
    PARTIAL_S: "shows it partial, in progress or short of the mark",
    PLANNED: "shows it only planned",
    ABSENT: "states it is absent",
    UNKNOWN: "says the information was not available",
    NEUTRAL: "mentions it",
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text


def _year(f: Finding) -> str:
    return f.date[:4] if f.date else ""


def value_phrase(f: Finding, target: Target | None) -> str:
    """``"9% ... in 2023 against ≥ 30% of total energy use"``; ``""`` without a figure."""
    if target is None or f.reading.quantity is None or f.reading.verdict is None:
        return ""
    return describe(f.reading.quantity, target, _year(f))


def rationale(criterion: Criterion, decision: Decision, target: Target | None) -> str:
    """One line naming the evidence (and the figure against the threshold) that decided."""
    if decision.status == INSUFFICIENT:
        if decision.unknown:
            u = decision.unknown[0]
            return (
                f"Insufficient evidence: {doc_label(u)} says the information was not available "
                f'("{short(u.text, 80)}").'
            )
        return f"Insufficient evidence: no document of the zone addresses {criterion.indicator.lower()}."
    f = decision.deciding[0]
    value = value_phrase(f, target)
    page = f" p.{f.chunk.page}" if f.chunk.page else ""
    return (
        f"{STATUS_PHRASE[decision.status].capitalize()}{f' ({value})' if value else ''}: decided by "
        f"{f.source}{page}{f' ({f.date})' if f.date else ''}, which {_STANCE_PHRASE[f.stance]}."
    )


def _where(item: EvidenceItem) -> str:
    name = item.file.rsplit("/", 1)[-1]
    page = f", p. {item.page}" if item.page else ""
    return f"{name}{page}" + (f", {item.date}" if item.date else "")


def justification_text(
    zone_name: str,
    criterion: Criterion,
    decision: Decision,
    evidence: Sequence[EvidenceItem],
    target: Target | None = None,
) -> str:
    """The templated justification paragraph, citing ``evidence`` as [1], [2], ...

    Every sentence that states a fact quotes an evidence item verbatim and cites it; a
    figure is stated against the threshold.
    """
    mark = f" (threshold {target})" if target is not None else ""
    head = (
        f"{zone_name} {STATUS_PHRASE[decision.status]} {criterion.id} {criterion.title}; "
        f"the indicator is {_lower_first(criterion.indicator)}{mark}."
    )
    if not evidence:
        return f"{head} No document of the zone addresses this indicator."
    first = evidence[0]
    if decision.status == INSUFFICIENT:
        lead = f'The zone\'s documents say the information is missing: "{first.quote}" [1].'
    else:
        lead = f'The deciding evidence ({_where(first)}) reads: "{first.quote}" [1].'
    parts = [head, lead]
    if decision.deciding and (value := value_phrase(decision.deciding[0], target)):
        parts.append(f"That is {value} [1].")
    for n, item in enumerate(evidence[1:4], start=2):
        label = "Superseded" if n - 2 < len(decision.superseded) else "Further evidence"
        parts.append(f'{label} ({_where(item)}): "{item.quote}" [{n}].')
    if decision.conflict:
        parts.append(f"Documents disagree: {decision.conflict}")
    return " ".join(parts)


def gaps(
    criterion: Criterion, decision: Decision, target: Target | None, documents: Sequence[str] = ()
) -> tuple[str, ...]:
    """What evidence is missing and the follow-up question to put to the zone.

    ``documents``: the zone's indexed files, named when none of them gives evidence.
    """
    topic = _lower_first(criterion.title)
    wanted = _lower_first((criterion.guidance or criterion.indicator).rstrip("."))
    indicator = _lower_first(criterion.indicator)
    status = decision.status
    out: list[str] = []
    if status == INSUFFICIENT:
        if decision.unknown:
            u = decision.unknown[0]
            out.append(
                f"{u.source} ({u.date or 'undated'}) says the information on {topic} was not available."
            )
        elif documents:
            names = ", ".join(d.rsplit("/", 1)[-1] for d in documents)
            out.append(f"None of the zone's {len(documents)} documents ({names}) gives evidence on {topic}.")
        else:
            out.append(f"No document of the zone gives evidence on {topic}.")
        out.append(f"Question for the zone: can you provide evidence of {wanted}?")
        return tuple(out)
    best = decision.deciding[0]
    figure = best.reading.quantity if best.reading.verdict is not None else None
    if target is not None and figure is None:
        out.append(f"No figure was found for {indicator} (threshold {target}).")
        out.append(
            f"Question for the zone: what was the {indicator} in the latest year, and how was it measured?"
        )
    if status in (PARTIAL, NOT_MET) and figure is not None and target is not None:
        out.append(f"The reported {value_phrase(best, target)} does not reach the threshold.")
        out.append("Question for the zone: what is the plan and date to reach the threshold?")
    elif status == PARTIAL:
        out.append(f"The evidence shows {topic} only in part, planned or not yet operating.")
        out.append(
            f"Question for the zone: when will {topic} be fully in place, and which documents "
            "show the progress?"
        )
    elif status == NOT_MET:
        out.append(f"The documents state that {topic} is missing, only planned or not done.")
        out.append(f"Question for the zone: are there plans, a budget or dates for {topic}?")
    elif status == MEETS and not best.date:
        out.append("The deciding evidence is undated; confirm that it is current.")
    if decision.conflict:
        out.append("Documents disagree; confirm with the zone that the newer statement holds.")
    return tuple(out)


__all__ = ["STATUS_PHRASE", "gaps", "justification_text", "rationale", "value_phrase"]
