"""The extractive answerer: answers by quoting the retrieved sentences, no model needed.

It scores every sentence of the retrieved passages against the question (embedding
similarity plus word overlap), keeps the best few, orders them, and cites each. When
the best evidence is weak it returns the refusal phrase. Criterion questions open with
the catalogue's requirement and threshold, cited to the framework document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer_type import QUANTITATIVE, Expected, clauses, expected_answer, fits
from assistant.antecedents import with_antecedents, with_continuations
from assistant.compose import compose, criterion_sentence
from assistant.conflicts import with_conflicts
from assistant.quantities import extract_quantities
from assistant.query import QueryPlan
from assistant.settings import Settings, default
from assistant.text import SENTENCE_ENDS, content_terms, has_number, split_sentences, words
from assistant.types import REFUSAL, Answer, ScoredChunk
from assistant.vocabulary import ZONE_NOUN
from assistant.word_overlap import WordOverlap
from indexing.embed import Embedder
from indexing.khmer import is_khmer_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredSentence:
    text: str
    passage: int  # index into the passage list
    position: int
    score: float
    semantic: float
    lexical: float


class ExtractiveAnswerer:
    """Quote-and-cite answers from the retrieved passages."""

    mode = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        *,
        min_score: float = default("min_evidence_score"),
        max_sentences: int = default("answer_max_sentences"),
        answer_window: int = default("answer_window"),
        embed_budget: int = default("answer_embed_budget"),
        same_passage_ratio: float = default("answer_same_passage_ratio"),
        other_passage_ratio: float = default("answer_other_passage_ratio"),
        max_passages: int = default("answer_max_passages"),
        recency_ratio: float = default("answer_recency_ratio"),
        cross_zone_ratio: float = default("answer_cross_zone_ratio"),
        weights: tuple[float, float, float, float] = default("answer_weights"),
        cross_zone_weights: tuple[float, float, float] = default("answer_cross_zone_weights"),
        cross_language_bonus: float = default("cross_language_bonus"),
        word_similarity: float = default("answer_word_similarity"),
        fit_ratio: float = default("answer_fit_ratio"),
        yes_no_overlap: float = default("answer_yes_no_overlap"),
    ) -> None:
        self.embedder = embedder
        self.min_score = min_score
        self.max_sentences = max_sentences
        # How many of the best sentences may hold the kind of answer asked for.
        self.answer_window = answer_window
        self.embed_budget = embed_budget
        self.same_passage_ratio = same_passage_ratio
        self.other_passage_ratio = other_passage_ratio
        self.max_passages = max_passages
        self.recency_ratio = recency_ratio
        # A zone's best sentence joins a cross-zone answer when it scores this share of the best.
        self.cross_zone_ratio = cross_zone_ratio
        # sentence similarity, word overlap, passage rank, the passage's dense rank
        self.weights = weights
        self.cross_zone_weights = cross_zone_weights
        # The multilingual model's same-language bias, offset as in retrieval (retrieve.cross_language).
        self.cross_language_bonus = cross_language_bonus
        # A figure of the asked kind far below the best sentence is about something else.
        self.fit_ratio = fit_ratio
        self.yes_no_overlap = yes_no_overlap  # a verdict needs a quote sharing this much of the question
        # Word overlap counts a word of the same meaning ("vendors" for "suppliers").
        self.word_overlap = WordOverlap(embedder, word_similarity)

    # -- scoring ------------------------------------------------------------------
    def score_sentences(
        self, question: str, passages: list[ScoredChunk], drop: set[str], *, cross_zone: bool = False
    ) -> list[ScoredSentence]:
        """Every sentence of every passage, scored against the question.

        For ``cross_zone`` questions (retrieved zone by zone) ranks in the merged
        list mean little, while each zone's fused scores are on the same scale: the passage's
        share of the top fused score stands in for its rank (``cross_zone_weights``).
        """
        quantitative = bool(QUANTITATIVE.search(question))
        units: list[tuple[int, int, str]] = []
        seen: set[tuple[str, str]] = set()  # overlapping chunks of a file repeat sentences
        for p_index, passage in enumerate(passages):
            sentences = split_sentences(passage.chunk.text)
            for pos, sentence in enumerate(sentences):
                if len(words(sentence)) < 4 or _heading_only(sentence) or sentence.endswith("?"):
                    continue
                if (passage.chunk.source, sentence) in seen:
                    continue
                seen.add((passage.chunk.source, sentence))
                units.append((p_index, pos, sentence))
        if not units:
            return []
        lexical = self.word_overlap.scores(question, [u[2] for u in units], drop)
        # Embedding every sentence is the slow part of answering; the lexically weakest
        # ones are kept out (a fixed budget), which costs little recall on real questions.
        order = sorted(range(len(units)), key=lambda i: (-lexical[i], units[i][0], units[i][1]))
        # Cross-zone questions bring a few passages per zone; each zone gets its share.
        n_groups = len({p.chunk.zone for p in passages}) if cross_zone else 1
        budget = set(order[: self.embed_budget * max(1, n_groups // 2)])
        picked = [i for i in range(len(units)) if i in budget]
        vectors = self.embedder.embed_documents([question, *(units[i][2] for i in picked)])
        sims = dict(zip(picked, (vectors[1:] @ vectors[0]).tolist(), strict=True))
        w_sim, w_lex, w_rank, w_dense = self.weights
        top = max(p.score for p in passages) or 1.0
        in_khmer = is_khmer_text(question)
        # Words cannot overlap across scripts: a sentence in the other language gets its
        # similarity above the evidence floor instead, in proportion to the retrieved passages
        # in that language (docs/khmer.md, round 5).
        foreign = sum(is_khmer_text(p.chunk.text) != in_khmer for p in passages) / len(passages)
        scored: list[ScoredSentence] = []
        for i, (p_index, pos, sentence) in enumerate(units):
            sim = float(sims.get(i, 0.0))
            lex = lexical[i]
            if i in sims and self.cross_language_bonus and is_khmer_text(sentence) != in_khmer:
                sim += self.cross_language_bonus
                lex = max(lex, foreign * min(1.0, max(0.0, (sim - self.min_score) / (1 - self.min_score))))
            # The retriever's ranking is evidence too.
            if cross_zone:
                c_sim, c_lex, c_prior = self.cross_zone_weights
                score = c_sim * sim + c_lex * lex + c_prior * passages[p_index].score / top
            else:
                # Ranks, not fused scores: RRF scores of the top passages differ by a few
                # percent and barely separate them.
                dense_rank = passages[p_index].dense_rank
                rank_prior = 1.0 / (1 + p_index)
                dense_prior = 1.0 / dense_rank if dense_rank else 0.0
                score = w_sim * sim + w_lex * lex + w_rank * rank_prior + w_dense * dense_prior
            if quantitative and has_number(sentence):
                score += 0.05
            scored.append(ScoredSentence(sentence, p_index, pos, score, sim, lex))
        scored.sort(key=lambda s: (-s.score, s.passage, s.position))
        return scored

    # -- answering ----------------------------------------------------------------
    def answer(
        self,
        question: str,
        plan: QueryPlan,
        passages: list[ScoredChunk],
        framework_passages: dict[str, ScoredChunk] | None = None,
    ) -> Answer:
        """Answer from ``passages``; ``framework_passages`` maps criterion ids to a citation."""
        drop = {w for z in plan.zones for n in z.names for w in words(n)}
        lead: list[tuple[str, ScoredChunk | None]] = []
        for criterion in plan.criteria[:2]:
            lead.append((criterion_sentence(criterion), (framework_passages or {}).get(criterion.id)))
        scored = self.score_sentences(plan.text, passages, drop, cross_zone=plan.cross_zone)
        kind = answer_kind(question, passages) if scored else None
        admissible = _admissible(plan, passages)
        # Sentences that hold the kind of answer asked for: a price for a tariff question,
        # a date for "when", a volume for "how many cubic metres".
        window = scored if plan.cross_zone else scored[: self.answer_window]
        fitting = [s for s in window if kind is not None and admissible(s) and fits(kind, s.text)]
        weak = (
            not fitting
            # Weak when no sentence is close to the question, whichever one ranks first.
            or max(s.semantic for s in scored) < self.min_score
            # The asked kind is there, but in a sentence about another thing.
            or fitting[0].score < self.fit_ratio * scored[0].score
        )
        if weak and not lead:
            return Answer(question, REFUSAL, True, (), self.mode, tuple(passages))
        lead_text = " ".join(sentence for sentence, _ in lead)
        chosen, conflict = ([], False) if weak else self._choose(scored, plan, passages, lead_text, fitting)
        if chosen and not plan.cross_zone:
            chosen += self._each_part(plan.text, passages, drop, chosen, admissible)
        return compose(self.mode, question, lead, chosen, passages, conflict, plan,
                       fit=lambda q, labels: self.word_overlap.scores(q, labels, drop),
                       yes_no_overlap=self.yes_no_overlap)

    def _choose(
        self,
        scored: list[ScoredSentence],
        plan: QueryPlan,
        passages: list[ScoredChunk],
        lead_text: str = "",
        fitting: list[ScoredSentence] | None = None,
    ) -> tuple[list[ScoredSentence], bool]:
        """The sentences to quote, and whether they include a dated disagreement.

        The first is the best of ``fitting`` (the sentences holding the kind of answer
        asked for); the others support it.
        """
        best = scored[0].score
        fitting = fitting or scored
        if plan.cross_zone:
            # One sentence per zone with relevant evidence; within a zone a nearly as good
            # sentence from a newer document wins, as later evidence supersedes earlier.
            per_zone: dict[str | None, ScoredSentence] = {}
            for s in fitting:
                if s.score < self.cross_zone_ratio * best:
                    continue
                zone = passages[s.passage].chunk.zone
                current = per_zone.get(zone)
                if current is None:
                    per_zone[zone] = s
                elif s.score >= 0.8 * current.score and (passages[s.passage].chunk.date or "") > (
                    passages[current.passage].chunk.date or ""
                ):
                    per_zone[zone] = s
            return sorted(per_zone.values(), key=lambda s: -s.score), False
        drop = {w for z in plan.zones for n in z.names for w in words(n)}
        wanted = set(content_terms(plan.text, drop=drop))
        # What the catalogue lead already states needs no second source.
        covered = set(content_terms(lead_text)) & wanted
        chosen: list[ScoredSentence] = []
        # Chunks of one PDF page are one passage here: a page split into two chunks is one text.
        unit = [(p.chunk.source, p.chunk.page) if p.chunk.page is not None else i
                for i, p in enumerate(passages)]
        cited: set[object] = set()
        if not (lead_text and not plan.zones):
            # A zone's own evidence is always quoted; a framework question whose criterion
            # the lead already states is quoted further only where a passage adds to it.
            first = newest_close(fitting, passages, self.recency_ratio)
            chosen, cited = [first], {unit[first.passage]}
            covered |= set(content_terms(first.text)) & wanted
            # What the first passage says counts before another passage is asked to add to it.
            for s in scored:
                if unit[s.passage] == unit[first.passage] and s.score >= self.same_passage_ratio * best:
                    covered |= set(content_terms(s.text)) & wanted
        for s in scored:
            if s in chosen:
                continue
            if len(chosen) >= self.max_sentences:
                break
            same_passage = unit[s.passage] in cited
            if s.score < (self.same_passage_ratio if same_passage else self.other_passage_ratio) * best:
                continue
            if not same_passage and len(cited) >= self.max_passages:
                continue
            # From another passage, a further sentence must add something the question asked.
            gain = (set(content_terms(s.text)) & wanted) - covered
            if not same_passage and not gain:
                continue
            chosen.append(s)
            cited.add(unit[s.passage])
            covered |= gain
        quoted = with_conflicts(chosen, scored, passages, wanted)
        if len(quoted) > len(chosen):
            return quoted, True
        answering = set(fitting)
        chosen = with_antecedents(chosen, scored, answering, wanted)
        return with_continuations(chosen, scored, answering), False

    def _each_part(
        self, question: str, passages: list[ScoredChunk], drop: set[str], chosen: list[ScoredSentence],
        admissible: Callable[[ScoredSentence], bool],
    ) -> list[ScoredSentence]:
        """For a question that asks several things, the best sentence for each part not yet quoted.

        "How much hazardous waste ..., what kinds, and how much goes to licensed operators?"
        is three questions; scored as one, the sentence closest to the whole may answer one part
        only. A part without words of its own ("and how often?") is read with the first part.
        Each part may bring one more passage than ``max_passages``."""
        parts = clauses(question)
        if len(parts) < 2:
            return []
        have = {s.text for s in chosen}
        extra: list[ScoredSentence] = []
        for part in parts:
            query = part if content_terms(part, drop=drop) else f"{part} {parts[0]}"
            kind = expected_answer(part)
            scored = self.score_sentences(query, passages, drop)
            best = next((s for s in scored[: self.answer_window] if admissible(s) and fits(kind, s.text)),
                        None)
            if best is None or best.semantic < self.min_score or best.text in have:
                continue
            extra.append(best)
            have.add(best.text)
        return extra


def newest_close(
    scored: list[ScoredSentence], passages: list[ScoredChunk], recency_ratio: float
) -> ScoredSentence:
    """The best sentence, or a nearly as good one from a newer document of the same zone.

    Later evidence supersedes earlier: a 2024 assessment scoring within ``recency_ratio``
    of a 2022 profile's sentence answers first.
    """
    best = scored[0]
    top = passages[best.passage].chunk
    if not top.date or recency_ratio >= 1.0:
        return best
    for s in scored[1:]:
        if s.score < recency_ratio * best.score:
            break
        c = passages[s.passage].chunk
        if c.date and c.date > top.date and c.zone == top.zone:
            return s
    return best


# A standard or document code: letters then a number ("ISO 50001", "ISO-14001").
_CODE = re.compile(r"\b[A-Z]{2,}[ -]?\d{3,6}\b")


def answer_kind(question: str, passages: list[ScoredChunk]) -> Expected | None:
    """What the question asks for, or ``None`` when the passages cannot hold it at all.

    A code the question names ("ISO 50001") must be written in some passage: a passage
    about "ISO 14001" does not answer it, however close the topic.
    """
    text = " ".join(f"{p.chunk.title} {p.chunk.text}" for p in passages)
    flat = re.sub(r"[\s\-]+", "", text).lower()
    for code in _CODE.findall(question):
        if re.sub(r"[\s\-]+", "", code).lower() not in flat:
            return None
    return expected_answer(question)


def _admissible(plan: QueryPlan, passages: list[ScoredChunk]) -> Callable[[ScoredSentence], bool]:
    """Which sentences may answer ``plan``'s question, whatever kind of answer they hold.

    A question about a zone is answered from the zone's own documents: a framework sentence
    answers it only when the question names one of the framework's criteria (it still sets
    the near-miss bar a zone sentence must reach). A question that names a year is answered
    by a sentence for that year (``_of_year``).
    """
    years = _asked_years(plan.text)
    zone_only = bool(plan.zones) and not plan.criteria
    # "Which SEZ was chosen ...?" is answered by a zone's own document or a sentence naming a zone.
    names = [n for _, n in plan.zone_names] if _WHICH_ZONE.match(plan.text) else []
    named = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.I) if names else None

    def admissible(s: ScoredSentence) -> bool:
        passage = passages[s.passage]
        if zone_only and passage.chunk.zone is None:
            return False
        if named is not None and passage.chunk.zone is None and not named.search(s.text):
            return False
        return not years or _of_year(s.text, passage, years)

    return admissible


def _asked_years(question: str) -> set[str]:
    """The years a question asks about ("in 2021", "between 2022 and 2024"); a year that only
    bounds a period ("since 2019", "before 2020") asks for no figure of that year."""
    return {q.text for q in extract_quantities(question)
            if q.kind == "year" and not _BOUND.search(question[: q.start])}


# A question asking which one zone (the answer names a zone).
_WHICH_ZONE = re.compile(rf"^\s*(?:which|what)\s+{ZONE_NOUN}\b", re.I)
# A year after one of these bounds a period rather than naming the year asked about.
_BOUND = re.compile(r"\b(?:since|after|before|until|till|prior\s+to|up\s+to)\s+(?:the\s+end\s+of\s+)?$", re.I)


def _of_year(sentence: str, passage: ScoredChunk, years: set[str]) -> bool:
    """Whether a sentence can speak of one of the asked years: it names one, or its document
    is dated in one or the year after (a 2024 assessment reports 2023's figures). A figure
    for 2022 and 2023 does not answer a question about 2021."""
    named = {q.text for q in extract_quantities(sentence) if q.kind == "year"}
    year = (passage.chunk.date or "")[:4]
    return bool(named & years) or (year.isdigit() and bool({year, str(int(year) - 1)} & years))


def _heading_only(unit: str) -> bool:
    """A section title rather than a statement: short, unpunctuated, no figures in it."""
    body = re.sub(r"^\d+(\.\d+)*\.?\s+", "", unit)
    return len(body.split()) <= 8 and not body.endswith(SENTENCE_ENDS) and not has_number(body)


def extractive_answerer(embedder: Embedder, settings: Settings) -> ExtractiveAnswerer:
    """The extractive answerer with every knob taken from ``settings`` (the ``answer_*`` group)."""
    return ExtractiveAnswerer(
        embedder,
        min_score=settings.min_evidence_score,
        max_sentences=settings.answer_max_sentences,
        answer_window=settings.answer_window,
        embed_budget=settings.answer_embed_budget,
        same_passage_ratio=settings.answer_same_passage_ratio,
        other_passage_ratio=settings.answer_other_passage_ratio,
        max_passages=settings.answer_max_passages,
        recency_ratio=settings.answer_recency_ratio,
        cross_zone_ratio=settings.answer_cross_zone_ratio,
        weights=settings.answer_weights,
        cross_zone_weights=settings.answer_cross_zone_weights,
        cross_language_bonus=settings.cross_language_bonus,
        word_similarity=settings.answer_word_similarity,
        fit_ratio=settings.answer_fit_ratio,
        yes_no_overlap=settings.answer_yes_no_overlap,
    )
