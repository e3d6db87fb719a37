"""The ``llm`` answerer: a langchain chat model writes the answer, the checker vets it.

Any OpenAI-compatible endpoint (vLLM, llama.cpp server, LM Studio, Ollama's /v1 API) or
Ollama's native API. The model sees numbered ``<passage>`` blocks and must cite them with
``[n]``; afterwards :class:`~assistant.citations.CitationChecker` drops invented markers
and unsupported sentences, and an answer with nothing valid left becomes the refusal.
langchain is imported only when a model is built, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from assistant.citations import CheckResult, CitationChecker
from assistant.errors import ConfigError, ModelUnavailableError
from assistant.prompts import CONDENSE_SYSTEM_PROMPT, SYSTEM_PROMPT, condense_message, user_message
from assistant.query import QueryPlan, Turn
from assistant.settings import default
from assistant.text import content_terms, overlap, split_sentences
from assistant.types import REFUSAL, Answer, Citation, ScoredChunk
from assistant.vocabulary import CITATION_MARKER

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import Settings
    from indexing.embed import Embedder

logger = logging.getLogger(__name__)

#: Retries of the HTTP client; a dead endpoint should fail fast, not after minutes.
MAX_RETRIES = 1
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
_NOTHING_RETRIEVED = "no passages were retrieved; the model was not asked"
_NO_KEY = "not-needed"  # local OpenAI-compatible servers accept any key, the client needs one

# "... wastewater. [2]" -> "... wastewater [2]." so the marker stays with its sentence.
_TRAILING_MARKERS = re.compile(rf"([.!?])((?:\s*{CITATION_MARKER.pattern})+)")


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the ``llm_*`` settings describe (ChatOpenAI or ChatOllama)."""
    if not settings.llm_model:
        raise ConfigError(
            "the llm answerer needs a model: set EIP_LLM_MODEL (and EIP_LLM_BASE_URL, "
            "e.g. http://127.0.0.1:8000/v1 for an OpenAI-compatible server)"
        )
    if settings.llm_provider == "ollama":
        from langchain_ollama import ChatOllama

        base = settings.llm_base_url or OLLAMA_DEFAULT_URL
        base = base[: -len("/v1")] if base.endswith("/v1") else base  # native API, not /v1
        return ChatOllama(
            model=settings.llm_model,
            base_url=base,
            temperature=settings.llm_temperature,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    if not settings.llm_base_url:
        raise ConfigError(
            "the llm answerer needs an endpoint: set EIP_LLM_BASE_URL to an OpenAI-compatible "
            "URL such as http://127.0.0.1:8000/v1 (vLLM, llama.cpp server, LM Studio, "
            "Ollama's http://127.0.0.1:11434/v1), or EIP_LLM_PROVIDER=ollama"
        )
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else _NO_KEY
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout,
        max_retries=MAX_RETRIES,
        # `streaming` is left unset on purpose: .stream() then streams (SSE) while
        # .invoke() sends one JSON request; streaming=False would disable .stream().
        use_responses_api=False,
    )


# --- errors ---------------------------------------------------------------------------
def describe_endpoint(chat_model: Any) -> str:
    """``<url> (model <name>)`` without credentials, for error messages."""
    url = (getattr(chat_model, "openai_api_base", None) or getattr(chat_model, "base_url", None)
           or "?")
    model = getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or "?"
    return f"{_public_url(str(url))} (model {model})"


def _public_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]  # drop user:password@
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _unavailable(exc: BaseException, endpoint: str) -> ModelUnavailableError:
    """Translate a client error into a message naming the endpoint and what to check."""
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    name = type(exc).__name__
    text = f"{name} {exc}".lower()
    if "timeout" in text or "timed out" in text:
        hint = ("the request timed out; check that the server is up and not overloaded, "
                "or raise EIP_LLM_TIMEOUT")
    elif isinstance(status, int) and status in (401, 403):
        hint = f"the server refused the credentials (HTTP {status}); check EIP_LLM_API_KEY"
    elif status == 404:
        hint = ("the server answered HTTP 404; check EIP_LLM_MODEL and that EIP_LLM_BASE_URL "
                "is the API root (usually ending in /v1)")
    elif isinstance(status, int) and status >= 500:
        hint = f"the server failed (HTTP {status}); check its logs and that the model is loaded"
    elif isinstance(status, int):
        hint = (f"the server rejected the request (HTTP {status}); check EIP_LLM_MODEL "
                "and the server's logs")
    elif "connect" in text or isinstance(exc, OSError):
        hint = "could not connect; check that the server is running and EIP_LLM_BASE_URL is right"
    else:
        hint = (f"the call failed ({name}); check EIP_LLM_BASE_URL, EIP_LLM_MODEL "
                "and the server's logs")
    return ModelUnavailableError(f"language model at {endpoint} is unavailable: {hint}")


def _guarded(calls: Iterable[Any], endpoint: str) -> Iterator[Any]:
    """Iterate a model stream, turning client errors into ModelUnavailableError."""
    iterator = iter(calls)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - the boundary to an external service
            logger.debug("llm call failed", exc_info=True)
            raise _unavailable(exc, endpoint) from exc
        yield item


def invoke_chat(chat_model: BaseChatModel, messages: list[Any]) -> str:
    endpoint = describe_endpoint(chat_model)
    try:
        reply = chat_model.invoke(messages)
    except Exception as exc:  # noqa: BLE001
        logger.debug("llm call failed", exc_info=True)
        raise _unavailable(exc, endpoint) from exc
    return _content_text(reply.content)


def _content_text(content: Any) -> str:
    """Text of a message or chunk ``content`` (a string or a list of content blocks)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


# --- condensing follow-ups -------------------------------------------------------------
def condense_question(chat_model: BaseChatModel, question: str, history: Sequence[Turn]) -> str:
    """Rewrite a follow-up into a standalone question using the earlier turns."""
    if not history:
        return question
    from langchain_core.messages import HumanMessage, SystemMessage

    messages = [
        SystemMessage(content=CONDENSE_SYSTEM_PROMPT),
        HumanMessage(content=condense_message(question, [(t.question, t.zone) for t in history])),
    ]
    reply = invoke_chat(chat_model, messages)
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    standalone = lines[0] if lines else ""
    standalone = re.sub(r"^(standalone question|question)\s*:\s*", "", standalone, flags=re.I)
    standalone = standalone.strip().strip('"\'“”').strip()
    if not standalone or len(standalone) > 4 * len(question) + 400:
        logger.info("condense reply unusable; keeping the question as asked")
        return question
    logger.debug("condensed %r -> %r", question, standalone)
    return standalone


# --- the answerer ---------------------------------------------------------------------
class LLMAnswerer:
    """Answers with a chat model and keeps only what the citation checker accepts."""

    mode = "llm"

    def __init__(self, chat_model: BaseChatModel, embedder: Embedder | None, *,
                 support_threshold: float = default("support_threshold")) -> None:
        self.chat_model = chat_model
        self.embedder = embedder
        self.checker = CitationChecker(embedder, threshold=support_threshold)

    @property
    def endpoint(self) -> str:
        return describe_endpoint(self.chat_model)

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """Hook used by :meth:`Assistant.plan` for follow-up questions."""
        return condense_question(self.chat_model, question, history)

    def number(self, passages: list[ScoredChunk],
               framework_passages: dict[str, ScoredChunk] | None = None
               ) -> list[tuple[int, ScoredChunk, str | None]]:
        """Passages numbered from 1; criterion passages follow unless already present."""
        numbered: list[tuple[int, ScoredChunk, str | None]] = []
        seen: dict[str, int] = {}
        for p in passages:
            if p.chunk.id in seen:
                continue
            seen[p.chunk.id] = len(numbered)
            numbered.append((len(numbered) + 1, p, None))
        for criterion_id, p in (framework_passages or {}).items():
            if p.chunk.id in seen:
                n, q, crit = numbered[seen[p.chunk.id]]
                numbered[seen[p.chunk.id]] = (n, q, crit or criterion_id)
                continue
            seen[p.chunk.id] = len(numbered)
            numbered.append((len(numbered) + 1, p, criterion_id))
        return numbered

    def messages(self, question: str, plan: QueryPlan,
                 numbered: Sequence[tuple[int, ScoredChunk, str | None]]) -> list[Any]:
        """System prompt (verbatim) and the user message with the passage blocks."""
        from langchain_core.messages import HumanMessage, SystemMessage

        # After condensing, plan.text is the standalone form of a follow-up.
        asked = plan.text if plan.text and plan.text != question else question
        return [SystemMessage(content=SYSTEM_PROMPT),
                HumanMessage(content=user_message(asked, numbered))]

    def answer(self, question: str, plan: QueryPlan, passages: list[ScoredChunk],
               framework_passages: dict[str, ScoredChunk] | None = None) -> Answer:
        """Ask the model once (no streaming) and return the checked answer."""
        numbered = self.number(passages, framework_passages)
        if not numbered:
            return self._refusal(question, passages, (_NOTHING_RETRIEVED,))
        reply = invoke_chat(self.chat_model, self.messages(question, plan, numbered))
        return self.finish(question, reply, numbered, passages)

    def stream(self, question: str, plan: QueryPlan, passages: list[ScoredChunk],
               framework_passages: dict[str, ScoredChunk] | None = None) -> Iterator[str | Answer]:
        """Yield the model's text deltas as they arrive, then the checked :class:`Answer`.

        The deltas are the raw, unchecked reply; the final Answer is what to keep.
        """
        numbered = self.number(passages, framework_passages)
        if not numbered:
            yield REFUSAL
            yield self._refusal(question, passages, (_NOTHING_RETRIEVED,))
            return
        pieces: list[str] = []
        chunks = self.chat_model.stream(self.messages(question, plan, numbered))
        for chunk in _guarded(chunks, self.endpoint):
            delta = _content_text(getattr(chunk, "content", ""))
            if delta:
                pieces.append(delta)
                yield delta
        yield self.finish(question, "".join(pieces), numbered, passages)

    # -- checking -------------------------------------------------------------------
    def finish(self, question: str, reply: str,
               numbered: Sequence[tuple[int, ScoredChunk, str | None]],
               passages: list[ScoredChunk]) -> Answer:
        """Run the citation checker on a raw reply and build the final Answer."""
        by_marker = {n: p for n, p, _ in numbered}
        given = tuple(p for _, p, _ in numbered)
        result = self.checker.check(normalise_markers(reply), by_marker)
        warnings = _warnings(result, reply)
        if result.refused:
            return self._refusal(question, given or tuple(passages), warnings)
        citations = tuple(self._citation(m, by_marker[m], result) for m in result.used_markers)
        return Answer(question, result.text, False, citations, self.mode, given, warnings)

    def _citation(self, marker: int, passage: ScoredChunk, result: CheckResult) -> Citation:
        claims = [s.text for s in result.sentences if s.supported and marker in s.markers]
        chunk = passage.chunk
        return Citation(
            marker=marker, file=chunk.source, page=chunk.page,
            quote=self._best_quote(claims, chunk.text),
            score=passage.similarity if passage.similarity is not None else passage.score,
            doc_type=chunk.doc_type, zone=chunk.zone, chunk_id=chunk.id, date=chunk.date,
        )

    def _best_quote(self, claims: list[str], text: str) -> str:
        """The sentence of the passage that best supports the claims citing it."""
        units = [u for u in split_sentences(text) if u.strip()]
        if not units:
            return text.strip()[:300]
        if len(units) == 1 or not claims:
            return units[0]
        terms = content_terms(" ".join(claims))
        scores = [overlap(terms, u) for u in units]
        if self.embedder is not None:
            vectors = self.embedder.embed_documents([" ".join(claims), *units])
            sims = vectors[1:] @ vectors[0]
            scores = [s + float(sim) for s, sim in zip(scores, sims, strict=True)]
        return units[max(range(len(units)), key=scores.__getitem__)]

    def _refusal(self, question: str, passages: Sequence[ScoredChunk],
                 warnings: Sequence[str] = ()) -> Answer:
        return Answer(question, REFUSAL, True, (), self.mode, tuple(passages), tuple(warnings))


def normalise_markers(reply: str) -> str:
    """Move markers written after the full stop back in front of it."""
    return _TRAILING_MARKERS.sub(lambda m: f" {m.group(2).strip()}{m.group(1)}", reply.strip())


def _warnings(result: CheckResult, reply: str) -> tuple[str, ...]:
    out: list[str] = []
    for n in dict.fromkeys(result.invalid_markers):
        out.append(f"removed citation [{n}]: no passage {n} was given")
    for s in result.sentences:
        if not s.supported:
            out.append(f"removed sentence ({s.reason or 'not supported'}): {s.text}")
    model_refused = REFUSAL.lower() in reply.lower()
    if result.refused and not model_refused:
        out.append("no sentence of the model's reply was supported by a given passage; "
                   "answered with the refusal instead")
    return tuple(out)


__all__ = [
    "LLMAnswerer",
    "build_chat_model",
    "condense_question",
]
