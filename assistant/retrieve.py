"""Hybrid retrieval: dense (vector store) + keyword (FTS5) fused by reciprocal rank.

Results are diversified so one long document cannot fill the context, and scoped by
metadata filters that fail closed.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from assistant.catalogue import ZoneRegistry
from assistant.query import QueryPlan
from assistant.settings import Settings, default
from assistant.storage.index import Index
from assistant.storage.vectors import Filter
from assistant.text import content_terms, words
from assistant.types import Chunk, ScoredChunk
from indexing.khmer import LANGUAGES, is_khmer_text, language

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "keyword"]
_QUERY_CACHE = 512  # query vectors kept per retriever (a catalogue has ~64 criteria)
_WORDS = re.compile(r"[a-z0-9]+")


def combine_filters(user: Filter | None, zones: tuple[str, ...] | None, *, frameworks: bool) -> Filter:
    """Scope a user filter to zones; a user zone list and plan zones intersect (fail closed)."""
    base = user or Filter()
    if zones is None:
        return base
    if base.zones is not None:
        zones = tuple(z for z in zones if z in base.zones)
    return replace(base, zones=zones, include_frameworks=frameworks or base.include_frameworks)


def rrf_fuse(
    dense: list[tuple[str, float]],
    keyword: list[tuple[str, float]],
    *,
    k: int = default("rrf_k"),
    dense_weight: float = 1.0,
    keyword_weight: float = 1.0,
    other: Sequence[tuple[str, float]] = (),
    other_weight: float = 0.0,
) -> list[tuple[str, float, int | None, int | None, float | None]]:
    """Reciprocal rank fusion. Returns ``(id, score, dense_rank, keyword_rank, cosine)``.

    ``other`` is a third ranking (the other language's dense candidates, see
    :meth:`Retriever.search`); its ranks add to the score and are not reported.
    """
    table: dict[str, list] = {}
    for rank, (cid, sim) in enumerate(dense, start=1):
        table[cid] = [dense_weight / (k + rank), rank, None, sim]
    for rank, (cid, _) in enumerate(keyword, start=1):
        row = table.setdefault(cid, [0.0, None, None, None])
        row[0] += keyword_weight / (k + rank)
        row[2] = rank
    for rank, (cid, sim) in enumerate(other, start=1):
        row = table.setdefault(cid, [0.0, None, None, sim])
        row[0] += other_weight / (k + rank)
    fused = [(cid, r[0], r[1], r[2], r[3]) for cid, r in table.items()]
    fused.sort(key=lambda r: (-r[1], r[0]))
    return fused


def _term_coverage(question: str, texts: list[str], names: frozenset[str] = frozenset()) -> float:
    """Share of the question's content words (by stem) found in the best keyword hits.

    Keyword search rewards the question's own words. When a stakeholder paraphrases ("dirty
    water" for "wastewater"), its best hits match only a word or two, often generic ones,
    and its ranking is noise that would drown the dense ranking in the fusion; scaling the
    keyword weight by this share lets the dense ranking lead exactly then.
    """
    terms = set(content_terms(question, drop=names))
    if not terms or not texts:
        return 0.0
    return max(len(terms & set(content_terms(t))) for t in texts) / len(terms)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def diversify(
    candidates: list[ScoredChunk], k: int, *, lambda_: float = default("mmr_lambda"),
    max_per_document: int = default("max_per_document"),
) -> list[ScoredChunk]:
    """Greedy MMR on word overlap, with a cap on passages per source file.

    Relevance is the fused score rescaled to 0..1 over the candidates: raw RRF scores of
    the top candidates differ by a few percent, so unscaled they would let redundancy
    alone decide the order.
    """
    if not candidates:
        return []
    high = max(c.score for c in candidates)
    low = min(c.score for c in candidates)
    span = (high - low) or 1.0
    words = {c.chunk.id: set(_WORDS.findall(c.chunk.text.lower())) for c in candidates}
    chosen: list[ScoredChunk] = []
    per_doc: dict[str, int] = {}
    pool = list(candidates)
    while pool and len(chosen) < k:
        best, best_value = None, float("-inf")
        for cand in pool:
            if per_doc.get(cand.chunk.source, 0) >= max_per_document:
                continue
            redundancy = max((_jaccard(words[cand.chunk.id], words[c.chunk.id]) for c in chosen), default=0.0)
            value = lambda_ * (cand.score - low) / span - (1 - lambda_) * redundancy
            if value > best_value:
                best, best_value = cand, value
        if best is None:
            break
        chosen.append(best)
        per_doc[best.chunk.source] = per_doc.get(best.chunk.source, 0) + 1
        pool.remove(best)
    return chosen


def cross_language(dense: list[tuple[str, float]], chunks: dict[str, Chunk], question: str,
                   bonus: float) -> list[tuple[str, float]]:
    """Dense hits re-ranked with ``bonus`` added to passages not in the question's language.

    A multilingual model puts a question nearer to passages of its own language than to an
    equally relevant passage in the other one (multilingual-e5-small: a few hundredths of
    cosine), so a Khmer question would only ever see Khmer passages. The bonus offsets that
    bias; the cosines reported stay the model's own.
    """
    asked_in_khmer = is_khmer_text(question)

    def other_language(cid: str) -> bool:
        return cid in chunks and is_khmer_text(chunks[cid].text) != asked_in_khmer

    adjusted = [(cid, sim + (bonus if other_language(cid) else 0.0), sim) for cid, sim in dense]
    adjusted.sort(key=lambda row: -row[1])
    return [(cid, sim) for cid, _, sim in adjusted]


class Retriever:
    """Finds the passages for a question from an opened :class:`~assistant.storage.index.Index`."""

    def __init__(self, index: Index, settings: Settings, registry: ZoneRegistry | None = None) -> None:
        self.index = index
        self.settings = settings
        self.registry = registry
        # A cross-zone question searches every zone with one text, and drafting searches every
        # zone with each criterion's text: the query is embedded once.
        self._query_vector = functools.lru_cache(maxsize=_QUERY_CACHE)(self._embed_query)
        self._shares: tuple[int, dict[str, int]] | None = None  # (index size, passages per language)

    def _embed_query(self, text: str) -> NDArray[np.float32]:
        vector = self.index.embedder.embed_query(text)
        vector.setflags(write=False)  # shared by every search of this text
        return vector

    def _other_language(self, text: str, n: int, flt: Filter | None) -> list[tuple[str, float]]:
        """The ``n`` nearest passages in the language the question is not in.

        A multilingual model ranks passages of the question's own language first, so where
        most of the corpus is in that language the other language's passages can all fall
        below the ``n`` candidates, out of reach of the cross-language bonus. A second query,
        restricted by the chunks' ``language`` metadata, gives them candidates of their own.
        (An index built before chunks carried a language returns nothing here: rebuild it.)
        """
        others = tuple(lang for lang in LANGUAGES if lang != language(text))
        scoped = replace(flt or Filter(), languages=others)
        return self.index.store.query(self._query_vector(text), n, scoped)

    def _other_ranking(
        self, other: list[tuple[str, float]], chunks: dict[str, Chunk], text: str, flt: Filter | None,
    ) -> tuple[list[tuple[str, float]], float]:
        """The other language's own ranking for the fusion, and its weight.

        The keyword index ranks only passages that share the question's words, so passages
        in the other language have a dense rank alone and lose the fusion to any passage in
        the question's language with both. Their own dense ranking stands in for the keyword
        ranking, weighted by the other language's share of the index: the part of the corpus
        the keyword side cannot see (a Khmer question over mostly English documents leans on
        it fully, an English one hardly at all). Inside a zone's scope it ranks the zone's own
        documents: framework texts on Cambodia sit near every Khmer question about a
        Cambodian zone (docs/khmer.md, round 5).
        """
        if flt is not None and flt.zones is not None:
            other = [(cid, sim) for cid, sim in other
                     if cid in chunks and chunks[cid].doc_type != "framework"]
        share = 1.0 - self._language_share(language(text))
        return other, self.settings.keyword_weight * share

    def _language_share(self, lang: str) -> float:
        """Share of the index's passages in ``lang`` (recounted when the index size changes)."""
        total = self.index.store.count()
        if self._shares is None or self._shares[0] != total:
            counts = {code: self.index.store.count(Filter(languages=(code,))) for code in LANGUAGES}
            self._shares = (total, counts)
        counts = self._shares[1]
        return counts.get(lang, 0) / (sum(counts.values()) or 1)

    def search(
        self, text: str, *, k: int | None = None, flt: Filter | None = None, mode: Mode | None = None,
        names: frozenset[str] = frozenset(),
    ) -> list[ScoredChunk]:
        """One fused, diversified search; ``names`` are words of names (zones) the scope implies."""
        s = self.settings
        k = k or s.retrieval_k
        mode = mode or s.retrieval_mode
        if flt is not None and flt.matches_nothing:
            return []
        n = max(s.retrieval_candidates, k * 4)
        dense: list[tuple[str, float]] = []
        keyword: list[tuple[str, float]] = []
        other: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            dense = self.index.store.query(self._query_vector(text), n, flt)
            if s.cross_language_bonus:
                other = self._other_language(text, n, flt)
                merged = dict(dense)
                for cid, sim in other:
                    merged.setdefault(cid, sim)
                dense = sorted(merged.items(), key=lambda row: -row[1])
        if mode in ("hybrid", "keyword"):
            # Inside a zone's scope its name matches every title page and ranks nothing.
            scoped_text = " ".join(w for w in words(text) if w not in names) if names else text
            keyword = self.index.docs.keyword_search(scoped_text or text, n, flt)
        chunks = self.index.docs.get_chunks(dict.fromkeys(cid for cid, _ in dense + keyword + other))
        if dense and s.cross_language_bonus:
            dense = cross_language(dense, chunks, text, s.cross_language_bonus)
        keyword_weight = s.keyword_weight
        if dense and keyword and s.adaptive_keyword_weight:
            best_hits = [chunks[c].text for c, _ in keyword[:3] if c in chunks]
            keyword_weight *= min(1.0, _term_coverage(text, best_hits, names) / s.keyword_full_coverage)
        other_weight = 0.0
        if other and keyword:  # without a keyword ranking there is nothing to stand in for
            other, other_weight = self._other_ranking(other, chunks, text, flt)
        fused = rrf_fuse(dense, keyword, k=s.rrf_k, dense_weight=s.dense_weight,
                         keyword_weight=keyword_weight, other=other, other_weight=other_weight)
        candidates = [
            ScoredChunk(chunks[cid], score, d_rank, k_rank, sim)
            for cid, score, d_rank, k_rank, sim in fused
            if cid in chunks
        ]
        return diversify(candidates, k, lambda_=s.mmr_lambda, max_per_document=s.max_per_document)

    def retrieve(
        self, plan: QueryPlan, *, k: int | None = None, flt: Filter | None = None,
        mode: Mode | None = None, per_zone: int = 2,
    ) -> list[ScoredChunk]:
        """Retrieve for a planned question: zone-scoped, or per zone for cross-zone questions."""
        k = k or self.settings.retrieval_k
        if plan.zones:
            scoped = combine_filters(flt, tuple(z.id for z in plan.zones), frameworks=True)
            names = frozenset(w for z in plan.zones for n in z.names for w in words(n))
            return self.search(plan.text, k=k, flt=scoped, mode=mode, names=names)
        if plan.cross_zone and self.registry is not None and len(self.registry) > 0:
            results: list[ScoredChunk] = []
            for zone in self.registry:
                scoped = combine_filters(flt, (zone.id,), frameworks=False)
                names = frozenset(w for n in zone.names for w in words(n))
                results.extend(self.search(plan.text, k=per_zone, flt=scoped, mode=mode, names=names))
            results.sort(key=lambda c: -c.score)
            return results
        return self.search(plan.text, k=k, flt=flt, mode=mode)
