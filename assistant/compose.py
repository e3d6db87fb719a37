"""How an extractive answer reads: a direct first sentence, then each quoted sentence, cited.

The answerer (``assistant.extractive``) decides which sentences answer; this module writes
them out. The opening says the figure asked for (with its unit and the document's year),
yes or no with its reason, or the zones that have evidence; the quotes follow in reading
order (newest first when documents disagree), each with a marker for its citation, and a
sentence cut by a chunk boundary is shown with "…" rather than as if it were whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.answer_type import QUANTITATIVE, YES_NO_QUESTION, given_figures
from assistant.catalogue import Criterion
from assistant.conflicts import conflict_note
from assistant.quantities import NOT_AMOUNTS, Quantity, extract_quantities
from assistant.query import QueryPlan
from assistant.text import SENTENCE_ENDS, content_terms, overlap, split_sentences, words
from assistant.types import REFUSAL, Answer, Citation, ScoredChunk

if TYPE_CHECKING:
    from assistant.extractive import ScoredSentence

#: Scores labels against a question, one score per label (word overlap, synonyms counted).
LabelFit = Callable[[str, list[str]], list[float]]

_NEGATION = re.compile(
    r"\b(no|not|none|never|nor|without|lacks?|lacking|absent|neither|nobody|nothing|yet to)\b|n't\b", re.I
)
_ALL = re.compile(r"\b(all|every|fully|entire|whole|each)\b", re.I)


def compose(
    mode: str,
    question: str,
    lead: list[tuple[str, ScoredChunk | None]],
    chosen: list[ScoredSentence],
    passages: list[ScoredChunk],
    conflict: bool = False,
    plan: QueryPlan | None = None,
    fit: LabelFit | None = None,
    yes_no_overlap: float = 0.0,
) -> Answer:
    """The answer text: a direct first sentence, then each supporting sentence, cited.

    ``fit`` tells which figure of the first sentence the question asks for.
    """
    markers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    sources: dict[str, ScoredChunk] = {}
    parts: list[str] = []
    names = dict(plan.zone_names) if plan is not None else {}

    def cite(passage: ScoredChunk, quote: str) -> int:
        key = passage.chunk.id
        if key not in markers:
            markers[key] = len(markers) + 1
            sources[key] = passage
            quotes[key] = []
        if quote not in quotes[key]:
            quotes[key].append(quote)
        return markers[key]

    for sentence, passage in lead:
        parts.append(
            f"{sentence} [{cite(passage, _best_quote(sentence, passage))}]" if passage else sentence
        )
    # Disagreeing documents are shown newest first; otherwise keep reading order.
    ordered = chosen if conflict else sorted(chosen, key=lambda s: (s.passage, s.position))
    cross_zone = plan is not None and plan.cross_zone
    figure: str | None = None
    if chosen and not lead:
        opening, figure, basis = _direct_answer(question, chosen, passages, names, cross_zone=cross_zone,
                                                fit=fit, yes_no_overlap=yes_no_overlap)
        if opening:
            parts.append(f"{opening} [{cite(passages[basis.passage], basis.text)}]")
    n_units: dict[int, int] = {}  # per passage, split once however many sentences it gives
    for s in ordered:
        passage = passages[s.passage]
        if s.passage not in n_units:
            n_units[s.passage] = len(split_sentences(passage.chunk.text))
        several = cross_zone or len({p.chunk.zone for p in passages}) > 1
        label = _zone_label(passage, names) if several else ""
        text = as_quoted(s.text, first=s.position == 0, last=s.position == n_units[s.passage] - 1)
        parts.append(f"{label}{text} [{cite(passage, s.text)}]")
    notes = conflict_note(chosen, passages) if conflict else ""
    if notes:
        parts.append(notes)
    citations = tuple(
        Citation(
            marker=markers[key],
            file=p.chunk.source,
            page=p.chunk.page,
            quote=" ... ".join(quotes[key]),
            score=p.similarity if p.similarity is not None else p.score,
            doc_type=p.chunk.doc_type,
            zone=p.chunk.zone,
            chunk_id=p.chunk.id,
            date=p.chunk.date,
        )
        for key, p in sources.items()
    )
    if not citations:
        return Answer(question, REFUSAL, True, (), mode, tuple(passages))
    given = tuple(passages) + tuple(p for p in sources.values() if p not in passages)
    return Answer(question, " ".join(parts), False, citations, mode, given, figure=figure)


def _zone_label(passage: ScoredChunk, names: dict[str, str]) -> str:
    zone = passage.chunk.zone
    return f"{names.get(zone, zone)}: " if zone else ""


def _direct_answer(
    question: str,
    chosen: list[ScoredSentence],
    passages: list[ScoredChunk],
    names: dict[str, str],
    *,
    cross_zone: bool,
    fit: LabelFit | None = None,
    yes_no_overlap: float = 0.0,
) -> tuple[str, str | None, ScoredSentence]:
    """A first sentence that answers: the zones, yes/no with its reason, or the figure asked for.

    Returns the sentence, the figure it states (if any) and the quoted sentence it rests on;
    "" when nothing better than the evidence itself can be said (the supporting sentences
    then carry the answer on their own).
    """
    best = chosen[0]
    if cross_zone:
        zones = [names.get(z, z) for z in dict.fromkeys(passages[s.passage].chunk.zone for s in chosen) if z]
        if zones:
            plural = "s" if len(zones) > 1 else ""
            return f"Evidence found for {len(zones)} zone{plural}: {', '.join(zones)}.", None, best
        return "", None, best
    yes_no = bool(YES_NO_QUESTION.match(question))
    if yes_no:
        verdict, best = _yes_or_no(question, chosen, yes_no_overlap)
        if verdict is None:
            return "", None, best
    chunk = passages[best.passage].chunk
    when = f" ({chunk.date[:4]})" if chunk.date else ""
    where = names.get(chunk.zone or "", "") if chunk.zone else ""
    subject = f" for {where}" if where else ""
    if yes_no:
        return f"{verdict}{subject}, according to {chunk.title}{when}.", None, best
    if QUANTITATIVE.search(question):
        figure = _asked_figure(question, best.text, fit)
        if figure:
            return f"{where + ': ' if where else ''}{figure}, according to {chunk.title}{when}.", figure, best
    return "", None, best


def _yes_or_no(
    question: str, chosen: list[ScoredSentence], overlap_floor: float
) -> tuple[str | None, ScoredSentence]:
    """"Yes", "No" or "Not fully", and the quoted sentence that says so; None when none does.

    Only quoted sentences that share at least ``overlap_floor`` of the question's words (same
    meaning counted) decide: a "yes" read off a sentence about something else is worse than
    no verdict. One of them that negates ("no clinic", "not yet approved") makes it "No", one
    that gives a share under 100% to a question about all of something "Not fully".
    """
    deciding = [s for s in chosen if s.lexical >= overlap_floor]
    if not deciding:
        return None, chosen[0]
    negated = next((s for s in deciding if _NEGATION.search(s.text)), None)
    if negated is not None:
        return "No", negated
    if _ALL.search(question):
        # "Is all of it ...?" against "92% ...": any deciding share under 100% says not fully.
        for s in deciding:
            shares = [q.value for q in extract_quantities(s.text) if q.unit == "%"]
            if shares and max(shares) < 100:
                return "Not fully", s
    return "Yes", deciding[0]


def _asked_figure(question: str, sentence: str, fit: LabelFit | None = None) -> str:
    """The figure of ``sentence`` whose label best matches the question, as written.

    A figure's label is the words that name it: those written before it since the previous
    figure, and those after it up to the next ("14 farmer cooperatives representing about
    2,300 households"). ``fit`` scores labels against the question (default: shared stems);
    the first figure wins a tie.
    """
    # A figure with a unit, or a count when the question asks how many; never a year,
    # a day or an id.
    counting = bool(re.search(r"\bhow many\b|\bnumber of\b", question, re.I))
    every = [q for q in extract_quantities(sentence) if q.kind not in NOT_AMOUNTS]
    given = given_figures(question)  # "how many of the 64 ...": 64 is not the answer
    quantities = [
        q for q in every
        if (q.unit is not None or (counting and q.kind == "count")) and not given_figures(q.text) & given
    ]
    if not quantities:
        return ""
    labels = [_label(sentence, q, every) for q in quantities]
    if fit is None:
        terms = content_terms(question)
        scores = [overlap(terms, label) for label in labels]
    else:
        scores = fit(question, labels)
    best = max(range(len(quantities)), key=lambda i: scores[i])  # the first of equals
    return quantities[best].text


def _label(sentence: str, q: Quantity, every: list[Quantity]) -> str:
    """The words between the amounts on either side of ``q`` (years and days are words here)."""
    start = max((o.end for o in every if o.end <= q.start), default=0)
    end = min((o.start for o in every if o.start >= q.end), default=len(sentence))
    # The clause around the figure; "Label: value" is how a table row names its figure,
    # so a colon does not end a label.
    before = re.split(r";|\.\s", sentence[start : q.start])[-1]
    after = re.split(r"[,;(]|\.\s", sentence[q.end : end])[0]
    return f"{before} {after}"


def _is_cut(unit: str, *, first: bool, last: bool) -> bool:
    """Whether the chunk boundary cut this unit: it opens in lower case or ends mid-clause."""
    if first and unit[:1].islower():
        return True
    if unit.endswith(SENTENCE_ENDS):
        return False
    tail = words(unit)
    # Mid-passage too: a long run without punctuation is split at a length limit.
    return (last and unit.endswith(("(", ",", ";", ":"))) or bool(tail and tail[-1] in _DANGLING)


def as_quoted(unit: str, *, first: bool, last: bool) -> str:
    """A unit as the answer quotes it; "…" marks where the chunk boundary cut a sentence.

    Chunks overlap by a number of characters, so a passage may open inside a sentence or
    stop inside one; dropping such units loses facts that no other passage holds whole.
    """
    if not _is_cut(unit, first=first, last=last):
        return unit if unit.endswith(SENTENCE_ENDS) else f"{unit}."
    opened = f"…{unit}" if first and unit[:1].islower() else unit
    return opened if opened.endswith(SENTENCE_ENDS) else f"{opened}…"


# Words a sentence cannot end with: a unit ending in one was cut by the chunk boundary.
_DANGLING = frozenset(
    "a an the and or but nor of to for with by in on at from as that which who its their "
    "is are was were be been has have had will would can could".split()
)


def criterion_sentence(c: Criterion) -> str:
    """The catalogue's record as one statement: requirement, who delivers it, indicator."""
    threshold = ""
    if c.threshold is not None and c.threshold.is_numeric:
        threshold = f" Threshold: {c.threshold}."
    return (
        f"{c.id} ({c.title}) requires: {c.requirement.rstrip('.')}. Level: {c.level}. "
        f"Indicator: {c.indicator.rstrip('.')}.{threshold}"
    )


def _best_quote(sentence: str, passage: ScoredChunk) -> str:
    units = split_sentences(passage.chunk.text)
    terms = content_terms(sentence)
    return max(units, key=lambda u: overlap(terms, u)) if units else passage.chunk.text[:200]
