"""The drafter: one zone against one criterion -> a cited, reviewable draft.

For a (zone, criterion) pair the :class:`Drafter` searches the zone's own documents with the
answerer's retrieval path (:meth:`Retriever.search`, zone filter; chunks of another zone are
dropped again, so a filter bug cannot leak evidence), keeps the sentences and table rows
about the criterion, reads them (:func:`~assistant.dossier.rules.read_sentence`), decides
(:func:`~assistant.dossier.rules.decide`) and words the draft
(:mod:`assistant.dossier.wording`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.catalogue import Criterion
from assistant.dossier.matching import CriterionQuery, evidence_sentences, relevance, term_weights
from assistant.dossier.rules import Decision, Finding, Rules, decide, read_sentence
from assistant.dossier.signals import DECISIVE
from assistant.dossier.thresholds import Scoring, Target, parse_target
from assistant.dossier.wording import STATUS_PHRASE, gaps, justification_text, rationale
from assistant.retrieve import Retriever
from assistant.storage.vectors import Filter
from assistant.types import Chunk, CriterionDraft, Dossier, EvidenceItem, ScoredChunk
from assistant.vocabulary import INSUFFICIENT

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.service import Assistant

logger = logging.getLogger(__name__)

ChatModelLike = Any  # a langchain BaseChatModel; kept loose so langchain stays optional
_MAX_CACHED_SENTENCES = 50_000  # sentence vectors kept between drafts (about 75 MB)


def rules_from(settings: Any) -> Rules:
    """The decision rules configured in Settings' drafter group."""
    ceiling = settings.drafter_partial_ceiling
    return Rules(
        min_relevance=settings.drafter_min_relevance,
        plan_status=settings.drafter_plan_status,
        scoring=Scoring(settings.drafter_partial_floor, math.inf if ceiling is None else ceiling),
    )


class Drafter:
    """Drafts criterion cells for a zone from that zone's documents only."""

    def __init__(
        self,
        assistant: Assistant,
        *,
        llm: ChatModelLike | None = None,
        k: int | None = None,
        rules: Rules | None = None,
        max_evidence: int = 5,
    ) -> None:
        self.assistant = assistant
        self.index = assistant.index
        self.settings = s = assistant.settings
        if llm is None and s.answerer == "llm":
            llm = getattr(assistant.answerer, "chat_model", None)
        self.llm = llm
        self.k = k or s.drafter_k
        self.rules = rules or rules_from(s)
        self.max_evidence = max_evidence
        self.retriever = Retriever(
            self.index,
            s.model_copy(update={"max_per_document": s.drafter_max_per_document}),
            assistant.registry,
        )
        self._query_vectors: dict[str, NDArray[np.float32]] = {}
        self._sentence_vectors: dict[str, NDArray[np.float32]] = {}
        self._checker: Any = None
        self._passage_cache: dict[tuple[str, str], list[ScoredChunk]] | None = None
        catalogue = assistant.catalogue
        self._weights = term_weights(tuple(catalogue)) if catalogue is not None else {}

    # -- public ----------------------------------------------------------------------
    def draft(self, zone_id: str, criterion: Criterion) -> CriterionDraft:
        """Draft one cell: evidence, status, rationale, justification and gaps."""
        target = parse_target(criterion.threshold)
        findings = self.findings(zone_id, criterion)
        decision = decide(findings, target, self.rules)
        evidence, numbered = self._evidence(decision, findings)
        searched = () if decision.deciding else zone_documents(self.index, zone_id)
        justification, mode = self._justification(zone_id, criterion, decision, evidence, numbered, target)
        return CriterionDraft(
            zone=zone_id,
            criterion_id=criterion.id,
            category=criterion.category,
            title=criterion.title,
            requirement=criterion.requirement,
            status=decision.status,
            confidence=decision.confidence,
            rationale=rationale(criterion, decision, target),
            justification=justification,
            evidence=tuple(evidence),
            gaps=gaps(criterion, decision, target, searched),
            conflict=decision.conflict,
            mode=mode,
        )

    def draft_zone(self, zone_id: str, criteria: Sequence[Criterion] | None = None,
                   on_progress: Callable[[int, int], None] | None = None) -> Dossier:
        """Every criterion (default: the whole catalogue) drafted for one zone."""
        catalogue = self.assistant.catalogue
        if criteria is None:
            criteria = tuple(catalogue) if catalogue is not None else ()
        drafts: list[CriterionDraft] = []
        with self.batch(zone_id, criteria):
            for i, criterion in enumerate(criteria, start=1):
                drafts.append(self.draft(zone_id, criterion))
                if on_progress is not None:
                    on_progress(i, len(criteria))
        return Dossier(
            zone=zone_id,
            zone_name=self._zone_name(zone_id),
            framework=catalogue.framework.title if catalogue is not None else "",
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            drafts=tuple(drafts),
        )

    @contextmanager
    def batch(self, zone_id: str, criteria: Sequence[Criterion]) -> Iterator[None]:
        """Draft many cells of one zone: passages are searched once, sentences embedded at once."""
        self._passage_cache = {}
        try:
            self.warm(zone_id, criteria)
            yield
        finally:
            self._passage_cache = None

    def warm(self, zone_id: str, criteria: Sequence[Criterion]) -> None:
        """Embed the queries and candidate sentences of many criteria in two batches."""
        self.prepare(criteria)
        pending: dict[str, None] = {}
        for criterion in criteria:
            for text in self._candidates(zone_id, criterion, self.query(criterion)):
                if text not in self._sentence_vectors:
                    pending[text] = None
        if pending:
            self._embed_sentences(list(pending))

    def query(self, criterion: Criterion) -> CriterionQuery:
        return CriterionQuery.of(criterion, self._weights)

    def prepare(self, criteria: Sequence[Criterion]) -> None:
        """Embed the query texts of many criteria in one batch: one column per text."""
        todo = [c for c in criteria if c.id not in self._query_vectors]
        queries = [CriterionQuery.of(c).texts for c in todo]
        vectors = iter(self.index.embedder.embed_documents([t for q in queries for t in q]) if todo else ())
        for c, q in zip(todo, queries, strict=True):
            self._query_vectors[c.id] = np.asarray([next(vectors) for _ in q], dtype=np.float32).T

    # -- retrieval -------------------------------------------------------------------
    def passages(self, zone_id: str, criterion: Criterion, query: CriterionQuery) -> list[ScoredChunk]:
        """The zone's passages for a criterion, from :meth:`Retriever.search`."""
        key = (zone_id, criterion.id)
        if self._passage_cache is not None and key in self._passage_cache:
            return self._passage_cache[key]
        found = self.retriever.search(query.text, k=self.k, flt=Filter(zones=(zone_id,)))
        out: list[ScoredChunk] = []
        for p in found:
            if p.chunk.zone != zone_id:  # fail closed even if a store ignored the filter
                logger.warning(
                    "dropped chunk %s of zone %r from a %r search", p.chunk.id, p.chunk.zone, zone_id
                )
                continue
            out.append(p)
        if self._passage_cache is not None:
            self._passage_cache[key] = out
        return out

    def document_date(self, chunk: Chunk) -> str:
        """The chunk's document date (sidecar, its own title or "as of" line, its name)."""
        return chunk.date or ""

    def findings(
        self, zone_id: str, criterion: Criterion, query: CriterionQuery | None = None
    ) -> list[Finding]:
        """Candidate sentences from the zone's passages, scored and read."""
        query = query or self.query(criterion)
        target = parse_target(criterion.threshold)
        candidates = self._candidates(zone_id, criterion, query)
        if not candidates:
            return []
        self.prepare([criterion])
        texts = list(candidates)
        sims = (self._embed_sentences(texts) @ self._query_vectors[criterion.id]).max(axis=1)
        out: list[Finding] = []
        for text, sim in zip(texts, sims, strict=True):
            chunk, lex = candidates[text]
            reading = read_sentence(text, target, query.core_terms, query.terms, self.rules.scoring)
            rel = relevance(float(sim), lex, reading.verdict is not None)
            out.append(Finding(text, chunk, rel, reading, float(sim), lex, self.document_date(chunk)))
        out.sort(key=lambda f: -f.relevance)
        return out

    def _candidates(
        self, zone_id: str, criterion: Criterion, query: CriterionQuery
    ) -> dict[str, tuple[Chunk, float]]:
        """``{sentence: (chunk, lexical score)}`` for the sentences worth embedding."""
        out: dict[str, tuple[Chunk, float]] = {}
        numeric = parse_target(criterion.threshold) is not None
        for p in self.passages(zone_id, criterion, query):
            for sentence in evidence_sentences(p.chunk, rows=numeric):
                if sentence not in out and (lex := query.lexical(sentence)) > 0:
                    out[sentence] = (p.chunk, lex)
        return out

    def _embed_sentences(self, texts: list[str]) -> NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._sentence_vectors))
        if missing:
            if len(self._sentence_vectors) > _MAX_CACHED_SENTENCES:
                self._sentence_vectors.clear()
            for t, v in zip(missing, self.index.embedder.embed_documents(missing), strict=True):
                self._sentence_vectors[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self._sentence_vectors[t] for t in texts])

    # -- writing ---------------------------------------------------------------------
    def _evidence(
        self, decision: Decision, findings: Sequence[Finding]
    ) -> tuple[list[EvidenceItem], list[Finding]]:
        """Deciding findings first, then superseded ones, then further relevant support."""
        chosen: list[Finding] = list(dict.fromkeys((*decision.deciding, *decision.superseded)))
        if decision.status == INSUFFICIENT:
            extra = list(decision.unknown[:2])
        else:
            extra = [f for f in findings if f.relevance >= self.rules.min_relevance and f.stance in DECISIVE]
        for f in extra:
            if len(chosen) >= self.max_evidence:
                break
            if f not in chosen:
                chosen.append(f)
        return [evidence_item(f) for f in chosen], chosen

    def _justification(
        self,
        zone_id: str,
        criterion: Criterion,
        decision: Decision,
        evidence: Sequence[EvidenceItem],
        numbered: Sequence[Finding],
        target: Target | None,
    ) -> tuple[str, str]:
        text = justification_text(self._zone_name(zone_id), criterion, decision, evidence, target)
        if self.llm is None or not evidence:
            return text, "extractive"
        written = self._llm_justification(zone_id, criterion, decision, numbered)
        return (written, "llm") if written else (text, "extractive")

    def _zone_name(self, zone_id: str) -> str:
        registry = self.assistant.registry
        zone = registry.get(zone_id) if registry is not None else None
        return zone.name if zone else zone_id

    def _llm_justification(
        self, zone_id: str, criterion: Criterion, decision: Decision, numbered: Sequence[Finding]
    ) -> str | None:
        """A paragraph by the chat model, vetted by the citation checker (``None`` if refused)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        from assistant.citations import CitationChecker
        from assistant.llm import invoke_chat, normalise_markers
        from assistant.prompts import DOSSIER_SYSTEM_PROMPT, dossier_message

        passages = {i: ScoredChunk(f.chunk, f.relevance) for i, f in enumerate(numbered, start=1)}
        message = dossier_message(
            zone=self._zone_name(zone_id),
            criterion_id=criterion.id,
            title=criterion.title,
            requirement=criterion.requirement,
            indicator=criterion.indicator,
            threshold=str(criterion.threshold) if criterion.threshold else "present",
            status=STATUS_PHRASE[decision.status],
            numbered=list(passages.items()),
        )
        reply = invoke_chat(
            self.llm, [SystemMessage(content=DOSSIER_SYSTEM_PROMPT), HumanMessage(content=message)]
        )
        if self._checker is None:
            self._checker = CitationChecker(self.index.embedder, threshold=self.settings.support_threshold)
        result = self._checker.check(normalise_markers(reply), passages)
        if result.refused:
            logger.info("llm justification for %s/%s failed the citation check", zone_id, criterion.id)
            return None
        return result.text


def zone_documents(index: Any, zone_id: str) -> list[str]:
    """The zone's indexed files (named in the gaps of a draft that found no evidence)."""
    return [src for src, rec in index.docs.files().items() if rec.zone == zone_id]


def evidence_item(f: Finding) -> EvidenceItem:
    """The :class:`EvidenceItem` of a finding (quote verbatim from the chunk)."""
    c = f.chunk
    return EvidenceItem(
        file=c.source,
        page=c.page,
        quote=f.text,
        score=round(f.similarity, 4),
        date=f.date or c.date,
        value=f.reading.quantity.text if f.reading.quantity else None,
        doc_type=c.doc_type,
        chunk_id=c.id,
        file_hash=c.file_hash,
    )


__all__ = ["Drafter", "evidence_item", "rules_from"]
