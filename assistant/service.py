"""The assistant service: question -> plan -> retrieval -> answerer -> checked Answer.

``build_assistant(settings)`` is the one place where real implementations are chosen;
tests build :class:`Assistant` directly with fakes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.catalogue import Catalogue, ZoneRegistry, load_catalogue, load_zones
from assistant.query import QueryPlan, Turn, check_question, plan_query
from assistant.retrieve import Mode, Retriever
from assistant.settings import Settings
from assistant.storage.index import Index, open_index
from assistant.storage.vectors import Filter
from assistant.types import REFUSAL, Answer, ScoredChunk
from indexing import khmer

if TYPE_CHECKING:
    from assistant.portfolio.answers import PortfolioReply
    from assistant.portfolio.intent import PortfolioQuestion

logger = logging.getLogger(__name__)

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


class PortfolioDesk(Protocol):
    """Answers portfolio questions from the dossiers (``None``: not one it can answer)."""

    def reply(self, question: str, intent: PortfolioQuestion) -> PortfolioReply | None: ...
    def close(self) -> None: ...


class Answerer(Protocol):
    """Turns a question and its passages into an :class:`Answer`."""

    mode: str

    def answer(self, question: str, plan: QueryPlan, passages: list[ScoredChunk],
               framework_passages: dict[str, ScoredChunk] | None = None) -> Answer: ...


def load_registry_and_catalogue(corpus_dir: Path | None) -> tuple[ZoneRegistry | None, Catalogue | None]:
    """The indexed corpus's ``zones.yaml``/``criteria.yaml``; the sample catalogue as fallback."""
    registry = catalogue = None
    if corpus_dir is not None and (corpus_dir / "zones.yaml").exists():
        registry = load_zones(corpus_dir / "zones.yaml")
    for candidate in (corpus_dir, SAMPLE_CORPUS):
        if candidate is not None and (candidate / "criteria.yaml").exists():
            catalogue = load_catalogue(candidate / "criteria.yaml")
            break
    return registry, catalogue


@dataclass
class Assistant:
    """Answers questions over an index. Collaborators are injected."""

    settings: Settings
    index: Index
    answerer: Answerer
    registry: ZoneRegistry | None = None
    catalogue: Catalogue | None = None
    portfolio: PortfolioDesk | None = None
    retriever: Retriever = field(init=False)

    def __post_init__(self) -> None:
        self.retriever = Retriever(self.index, self.settings, self.registry)

    def plan(self, question: str, *, zone: str | None = None,
             history: Sequence[Turn] = ()) -> QueryPlan:
        condense = getattr(self.answerer, "condense", None)
        if history and condense is not None:
            # The answerer rewrites a follow-up into a standalone question (llm mode);
            # history still lends its zone when the rewrite names none.
            standalone = condense(question, tuple(history))
            plan = plan_query(standalone, self.registry, self.catalogue, zone=zone,
                              history=tuple(history))
            return replace(plan, text=standalone)
        return plan_query(question, self.registry, self.catalogue, zone=zone, history=tuple(history))

    def passages(self, plan: QueryPlan, *, k: int | None = None, flt: Filter | None = None,
                 mode: Mode | None = None) -> list[ScoredChunk]:
        return self.retriever.retrieve(plan, k=k, flt=flt, mode=mode)

    def framework_passages(self, plan: QueryPlan) -> dict[str, ScoredChunk]:
        """For each criterion named in the question, the framework passage that states it."""
        found: dict[str, ScoredChunk] = {}
        for criterion in plan.criteria[:2]:
            hits = self.retriever.search(
                f"{criterion.id} {criterion.title}", k=1,
                flt=Filter(doc_types=("framework",)), mode="keyword",
            )
            if hits:
                found[criterion.id] = hits[0]
        return found

    def ask(self, question: str, *, zone: str | None = None, flt: Filter | None = None,
            k: int | None = None, history: Sequence[Turn] = (), mode: Mode | None = None) -> Answer:
        """Answer a question with cited evidence (or the refusal phrase)."""
        check_question(question, self.settings.max_question_chars)
        plan = self.plan(question, zone=zone, history=history)
        if (reply := self.portfolio_reply(question, plan)) is not None:
            return finish_answer(reply.answer)
        passages = self.passages(plan, k=k, flt=flt, mode=mode)
        return finish_answer(self.answerer.answer(question, plan, passages, self.framework_passages(plan)))

    def portfolio_reply(self, question: str, plan: QueryPlan) -> PortfolioReply | None:
        """The dossiers' answer to a portfolio question (``None`` for any other question)."""
        if plan.portfolio is None or self.portfolio is None:
            return None
        return self.portfolio.reply(question, plan.portfolio)

    def stream(self, question: str, **kwargs: object) -> Iterator[str | Answer]:
        """Yield text pieces as they come, then the final checked :class:`Answer`."""
        check_question(question, self.settings.max_question_chars)
        streamer = getattr(self.answerer, "stream", None)
        if streamer is None:
            answer = self.ask(question, **kwargs)  # type: ignore[arg-type]
            yield answer.text
            yield answer
            return
        zone = kwargs.get("zone")
        history = kwargs.get("history", ())
        plan = self.plan(question, zone=zone, history=history)  # type: ignore[arg-type]
        if (reply := self.portfolio_reply(question, plan)) is not None:
            answer = finish_answer(reply.answer)
            yield answer.text
            yield answer
            return
        passages = self.passages(plan, k=kwargs.get("k"), flt=kwargs.get("flt"))  # type: ignore[arg-type]
        for piece in streamer(question, plan, passages, self.framework_passages(plan)):
            yield finish_answer(piece) if isinstance(piece, Answer) else piece

    def close(self) -> None:
        if self.portfolio is not None:
            self.portfolio.close()
        self.index.close()


def finish_answer(answer: Answer) -> Answer:
    """Flag citations of OCR text; frame answers to Khmer questions in Khmer.

    A citation whose chunk came from a scanned page gets the page's OCR confidence. For a
    question written in Khmer the framing sentence (or the refusal) is Khmer, followed by
    the English one for the refusal; quotes stay in their document's language.
    """
    chunks = {p.chunk.id: p.chunk for p in answer.passages}
    citations = tuple(
        replace(c, ocr_confidence=chunks[c.chunk_id].ocr_confidence)
        if c.chunk_id in chunks and chunks[c.chunk_id].ocr_confidence is not None else c
        for c in answer.citations
    )
    text = answer.text
    if khmer.is_khmer_text(answer.question):
        if answer.abstained or text.strip() == REFUSAL:
            text = f"{khmer.KHMER_REFUSAL} ({REFUSAL})"
        elif not text.startswith(khmer.KHMER_FRAMING):
            text = f"{khmer.KHMER_FRAMING} {text}"
    if citations == answer.citations and text == answer.text:
        return answer
    return replace(answer, text=text, citations=citations)


def build_answerer(settings: Settings, index: Index) -> Answerer:
    """The answerer the settings ask for."""
    if settings.answerer == "llm":
        from assistant.llm import LLMAnswerer, build_chat_model

        return LLMAnswerer(build_chat_model(settings), index.embedder,
                           support_threshold=settings.support_threshold)
    from assistant.extractive import extractive_answerer

    return extractive_answerer(index.embedder, settings)


def build_assistant(settings: Settings, *, index: Index | None = None,
                    answerer: Answerer | None = None) -> Assistant:
    """Open the index and wire the real parts chosen by ``settings``."""
    if index is None:
        index = open_index(settings)
        index.warm_up()  # a fresh process: the model loads while the catalogue and store open
    registry, catalogue = load_registry_and_catalogue(index.corpus_dir)
    return Assistant(
        settings=settings,
        index=index,
        answerer=answerer or build_answerer(settings, index),
        registry=registry,
        catalogue=catalogue,
        portfolio=build_portfolio(settings, index, registry, catalogue),
    )


def build_portfolio(settings: Settings, index: Index, registry: ZoneRegistry | None,
                    catalogue: Catalogue | None, *,
                    cells: Callable[[], object] | None = None) -> PortfolioDesk:
    """Portfolio answers from the review store, criteria matched with the index's embedder.

    Without ``cells`` the configured store is opened on the first portfolio question (and
    closed with the assistant); ``cells`` lends a store someone else owns (the web app's).
    """
    from assistant.portfolio.answers import PortfolioAnswerer
    from assistant.portfolio.matching import CriterionMatcher

    def open_store() -> object:
        from assistant.reviews import ReviewStore

        return ReviewStore.from_settings(settings)

    matcher = CriterionMatcher(index.embedder, catalogue) if catalogue is not None else None
    return PortfolioAnswerer(cells or open_store, catalogue, registry, settings, matcher,  # type: ignore[arg-type]
                             owns_source=cells is None)
