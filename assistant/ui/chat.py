"""Chat page: streamed answers with numbered citations that open the passage they quote.

Handlers are plain functions of ``(services, ...)``; ``build`` lays out the page and binds
them to components with :func:`functools.partial`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import EIPError
from assistant.types import Answer, Citation
from assistant.ui.common import (
    DOC_TYPE_LABELS,
    empty_state,
    esc,
    highlight,
    md_escape,
    notice,
    page_label,
    pill,
    public,
    short_file,
)
from assistant.ui.services import Services
from assistant.vocabulary import PORTFOLIO_MODE

logger = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"

ALL_ZONES = ""
SEARCHING = "_Searching the indexed documents…_"
PASSAGE_HINT = empty_state(
    "Sources", "Ask a question, then click a numbered source to read the passage it quotes, "
    "with the cited sentence highlighted.")
REFUSAL_HINT = ("_Nothing in the indexed documents supports an answer. Try naming the zone or "
                "criterion, widening the filters, or rephrasing._")

Turns = list[dict[str, Any]]  # one dict per answered question (see _turn_record)
ChatHistory = list[dict[str, Any]]  # gradio "messages" format


# ----------------------------------------------------------------------------- helpers
def doc_type_choices(services: Services) -> list[tuple[str, str]]:
    """Document types present in the index (framework, zone documents, reports, other)."""
    present = {rec.doc_type for rec in services.documents()
               if rec.status == "indexed" and rec.doc_type}
    order = [t for t in DOC_TYPE_LABELS if t in present] or list(DOC_TYPE_LABELS)[:3]
    return [(DOC_TYPE_LABELS[t] + "s", t) for t in order]


def zone_filter_choices(services: Services) -> list[tuple[str, str]]:
    return [("All zones", ALL_ZONES), *services.zone_choices()]


def example_questions(services: Services) -> list[str]:
    """Questions a first-time user can click; they name real zones of the corpus."""
    questions = ["What does the framework require for industrial wastewater?"]
    zones = services.zones()
    if zones:
        questions.append(f"What share of industrial wastewater is treated at {zones[0].name}?")
    if len(zones) > 1:
        questions.append(f"Does {zones[1].name} have a grievance mechanism for workers?")
    if len(zones) > 2:
        questions.append("Which zones treat all of their industrial wastewater?")
    return questions


def mode_badge_html(services: Services) -> str:
    label, explanation = services.answer_mode()
    return (f'<div class="eip-mode">{pill("Answer mode: " + label, "mode", explanation)}'
            f'<div class="eip-muted" style="margin-top:6px">{esc(explanation)}</div></div>')


def build_filter(services: Services, doc_types: Sequence[str] | None) -> Any:
    """``None`` when every type is selected (or none given); a doc-type filter otherwise."""
    from assistant.storage.vectors import Filter

    if doc_types is None:
        return None
    available = {value for _, value in doc_type_choices(services)}
    chosen = tuple(t for t in (doc_types or ()) if t in available)
    if set(chosen) >= available:
        return None
    return Filter(doc_types=chosen)


def _turn_record(question: str, zone: str | None, answer: Answer,
                 services: Services) -> dict[str, Any]:
    chunks = services.passages(c.chunk_id for c in answer.citations if c.chunk_id)
    return {
        "question": question,
        "zone": zone,
        "answer": answer.text,
        "abstained": answer.abstained,
        "mode": answer.mode,
        "warnings": list(answer.warnings),
        "citations": [_citation_record(c, chunks.get(c.chunk_id)) for c in answer.citations],
    }


def _citation_record(c: Citation, chunk: Any) -> dict[str, Any]:
    return {
        "marker": c.marker, "file": c.file, "page": c.page, "quote": c.quote,
        "doc_type": c.doc_type, "zone": c.zone, "date": c.date, "chunk_id": c.chunk_id,
        "title": getattr(chunk, "title", None) or short_file(c.file),
        "text": getattr(chunk, "text", None) or c.quote,
        "section": getattr(chunk, "section", None),
        # Text read by OCR from a scan (issue 20): shown as such beside the source.
        "ocr_confidence": c.ocr_confidence if c.ocr_confidence is not None
        else getattr(chunk, "ocr_confidence", None),
    }


def source_choices(turns: Turns, turn_index: int | None) -> list[tuple[str, str]]:
    """``(label, "turn:marker")`` for the citations of one answer."""
    if turn_index is None or not (0 <= turn_index < len(turns)):
        return []
    return [(f"[{c['marker']}] {short_file(c['file'])} · {page_label(c['page'])}",
             f"{turn_index}:{c['marker']}") for c in turns[turn_index]["citations"]]


def render_answer(record: dict[str, Any]) -> str:
    """The assistant message: answer text, then a compact list of its sources.

    Only the framing is Markdown; the answer (document quotes or checked model output), file
    names and warnings are escaped, so a document's ``![](https://tracker)`` or
    ``[verify](https://phish)`` shows as text and loads nothing.
    """
    if record["abstained"] and record.get("mode") != PORTFOLIO_MODE:
        return f"{md_escape(record['answer'])}\n\n{REFUSAL_HINT}"
    parts = [md_escape(record["answer"])]
    if record["citations"]:
        refs = " · ".join(f"**\\[{c['marker']}\\]** {md_escape(short_file(c['file']))}, "
                          f"{md_escape(page_label(c['page']))}"
                          + (" (OCR of a scan)" if c.get("ocr_confidence") is not None else "")
                          for c in record["citations"])
        parts.append(f"<small>Sources: {refs}</small>")
    for warning in record.get("warnings", ()):
        parts.append(f"<small>⚠ {md_escape(warning)}</small>")
    return "\n\n".join(parts)


def question_zone(services: Services, question: str, zone: str | None, turns: Turns) -> str | None:
    """The zone a question is about: the filter, a zone it names, else the previous turn's."""
    if zone:
        return zone
    registry = services.registry
    named = registry.find_in_text(question) if registry is not None else []
    if len(named) == 1:
        return named[0].id
    if not named and turns:
        return turns[-1].get("zone")
    return None


# ----------------------------------------------------------------------------- handlers
def stream_answer(services: Services, question: str, chat: ChatHistory | None,
                  turns: Turns | None, zone: str | None = None,
                  doc_types: Sequence[str] | None = None
                  ) -> Iterator[tuple[ChatHistory, Turns, Any, str, str]]:
    """Yield ``(chat, turns, sources update, passage html, textbox)`` while the answer streams."""
    from assistant.query import Turn

    chat = list(chat or [])
    turns = list(turns or [])
    question = (question or "").strip()
    if not question:
        yield [*chat], [*turns], gr.update(), gr.update(), ""
        return
    zone = zone or None
    limit = services.settings.max_question_chars
    if len(question) > limit:
        from assistant.query import QuestionTooLongError, check_question

        try:
            check_question(question, limit)
        except QuestionTooLongError as exc:
            chat += [{"role": "user", "content": md_escape(question[:200]) + " …"},
                     {"role": "assistant", "content": f"⚠ {md_escape(str(exc))}"}]
            yield [*chat], [*turns], gr.update(), gr.update(), question
            return
    chat += [{"role": "user", "content": md_escape(question)},
             {"role": "assistant", "content": SEARCHING}]
    yield [*chat], [*turns], gr.update(choices=[], value=None), PASSAGE_HINT, ""
    flt = build_filter(services, doc_types)
    if flt is not None and flt.matches_nothing:
        chat[-1] = {"role": "assistant",
                    "content": "Select at least one document type to search in."}
        yield [*chat], [*turns], gr.update(choices=[], value=None), PASSAGE_HINT, ""
        return
    history = [Turn(t["question"], t.get("zone")) for t in turns]
    text = ""
    answer: Answer | None = None
    try:
        for piece in services.assistant.stream(question, zone=zone, flt=flt, history=history):
            if isinstance(piece, Answer):
                answer = piece
                break
            text += piece
            # The unchecked draft streams as plain text; only the checked answer is rendered.
            chat[-1] = {"role": "assistant", "content": md_escape(text) + "▌"}
            yield [*chat], [*turns], gr.update(), gr.update(), ""
    except EIPError as exc:
        chat[-1] = {"role": "assistant", "content": f"⚠ {md_escape(public(services, exc))}"}
        yield [*chat], [*turns], gr.update(choices=[], value=None), PASSAGE_HINT, ""
        return
    except Exception:
        logger.exception("answering %r failed", question)
        chat[-1] = {"role": "assistant",
                    "content": "⚠ Something went wrong while answering; the error is in the "
                               "server log. Please try again."}
        yield [*chat], [*turns], gr.update(choices=[], value=None), PASSAGE_HINT, ""
        return
    if answer is None:  # a streamer that ended without its final answer
        answer = Answer(question, text, abstained=not text)
    record = _turn_record(question, question_zone(services, question, zone, turns), answer,
                          services)
    turns.append(record)
    chat[-1] = {"role": "assistant", "content": render_answer(record)}
    choices = source_choices(turns, len(turns) - 1)
    hint = PASSAGE_HINT if choices else empty_state(
        "No sources", "This answer cites no passage.")
    yield [*chat], [*turns], gr.update(choices=choices, value=None), hint, ""


def show_citation(turns: Turns | None, choice: str | None) -> str:
    """The passage behind a source chip, with the quoted sentence highlighted."""
    if not choice or not turns:
        return PASSAGE_HINT
    try:
        turn_no, marker = (int(x) for x in str(choice).split(":", 1))
        record = turns[turn_no]
        cite = next(c for c in record["citations"] if c["marker"] == marker)
    except (ValueError, IndexError, StopIteration):
        return PASSAGE_HINT
    meta = [pill(DOC_TYPE_LABELS.get(cite["doc_type"], cite["doc_type"] or "document"))]
    if cite.get("zone"):
        meta.append(pill(cite["zone"]))
    meta.append(pill(page_label(cite["page"])))
    if cite.get("date"):
        meta.append(pill(cite["date"]))
    if cite.get("ocr_confidence") is not None:
        meta.append(pill(f"OCR text, confidence {cite['ocr_confidence']:.0f}%"))
    section = f'<div class="eip-muted">Section: {esc(cite["section"])}</div>' \
        if cite.get("section") else ""
    return (
        f'<div class="eip-passage" id="eip-passage">'
        f'<div class="eip-passage-head"><div><div class="eip-passage-title">[{marker}] '
        f'{esc(cite["title"])}</div><div class="eip-passage-file">{esc(cite["file"])}'
        f'{" · " + esc(page_label(cite["page"])) if cite["page"] is not None else ""}</div></div>'
        f'<div>{" ".join(meta)}</div></div>{section}'
        f'<div class="eip-passage-text">{highlight(cite["text"], [cite["quote"]])}</div>'
        f'<div class="eip-muted" style="margin-top:8px">Highlighted: the sentence the answer '
        f"quotes.</div></div>"
    )


def select_message(turns: Turns | None, index: Any) -> tuple[Any, str]:
    """Clicking an earlier answer shows that answer's sources."""
    turns = turns or []
    position = index[0] if isinstance(index, (list, tuple)) else index
    if not isinstance(position, int):
        return gr.update(), gr.update()
    turn_index = position // 2
    choices = source_choices(turns, turn_index)
    if not choices:
        return gr.update(), gr.update()
    return gr.update(choices=choices, value=None), PASSAGE_HINT


def record_feedback(services: Services, turns: Turns | None, rating: int, comment: str = "",
                    user: str = "") -> tuple[str, str]:
    """Store a thumbs up (1) / down (-1) on the latest answer; returns (message, comment box)."""
    if not turns:
        return notice("Ask a question first; feedback is about an answer.", "warn"), comment
    last = turns[-1]
    try:
        services.reviews.activity.feedback(last["question"], last["answer"], rating, comment or "",
                                  user=user or "")
    except EIPError as exc:
        return notice(esc(public(services, exc)), "error"), comment
    thanks = "Thanks, marked as helpful." if rating > 0 else \
        "Thanks, noted as not helpful; the team reviews these answers."
    return notice(esc(thanks), "ok"), ""


def clear_chat() -> tuple[ChatHistory, Turns, Any, str, str]:
    return [], [], gr.update(choices=[], value=None), PASSAGE_HINT, ""


# ----------------------------------------------------------------------------- layout
def _username(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""


def _icon(name: str) -> str | None:
    path = ASSETS / name
    return str(path) if path.exists() else None  # a wheel built without the SVGs still works


def build(services: Services) -> None:
    """Lay out the Chat page inside the current Blocks context and wire its events."""
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=480):
            chatbot = gr.Chatbot(
                elem_id="eip-chat", show_label=False, height=540, layout="bubble",
                placeholder=("**Ask about the indexed zones and the EIP framework.**<br>"
                             "Every answer cites its document and page. Try an example:"),
                examples=[{"text": q} for q in example_questions(services)],
                feedback_options=None, buttons=["copy"], latex_delimiters=[],
            )
            with gr.Row():
                box = gr.Textbox(placeholder="Ask a question, e.g. which zones treat all of "
                                 "their wastewater?", show_label=False, scale=8, lines=1,
                                 max_lines=4, elem_id="eip-question", autofocus=True,
                                 max_length=services.settings.max_question_chars)
                send = gr.Button("Ask", variant="primary", scale=1, min_width=90,
                                 elem_id="eip-ask")
            with gr.Row(equal_height=True):
                up = gr.Button("Helpful", icon=_icon("thumbs-up.svg"), size="sm",
                               scale=0, min_width=110, elem_id="eip-thumbs-up")
                down = gr.Button("Not helpful", icon=_icon("thumbs-down.svg"), size="sm",
                                 scale=0, min_width=130, elem_id="eip-thumbs-down")
                comment = gr.Textbox(placeholder="Optional comment on the last answer",
                                     show_label=False, scale=4, lines=1, container=False)
                clear = gr.Button("New conversation", size="sm", scale=0, min_width=150)
            feedback_msg = gr.HTML("")
        with gr.Column(scale=2, min_width=340):
            gr.HTML(mode_badge_html(services))
            with gr.Group():
                zone = gr.Dropdown(zone_filter_choices(services), value=ALL_ZONES, label="Zone",
                                   info="Limit the answer to one zone (framework documents "
                                        "stay in scope).", elem_id="eip-zone-filter")
                types = doc_type_choices(services)
                doc_types = gr.CheckboxGroup(types, value=[v for _, v in types],
                                             label="Document types")
            sources = gr.Radio([], label="Sources: click one to open the passage",
                               elem_classes=["eip-sources-radio"], elem_id="eip-sources")
            passage = gr.HTML(PASSAGE_HINT, elem_id="eip-passage-panel")

    outputs = [chatbot, turns, sources, passage, box]
    ask = partial(stream_answer, services)
    send.click(ask, [box, chatbot, turns, zone, doc_types], outputs, concurrency_limit=4,
               concurrency_id="chat")
    box.submit(ask, [box, chatbot, turns, zone, doc_types], outputs, concurrency_limit=4,
               concurrency_id="chat")

    def _example(evt: gr.SelectData) -> str:
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    chatbot.example_select(_example, None, box, queue=False).then(
        ask, [box, chatbot, turns, zone, doc_types], outputs, concurrency_id="chat")
    sources.change(show_citation, [turns, sources], passage, queue=False)

    def _select(turns_value: Turns, evt: gr.SelectData) -> tuple[Any, str]:
        return select_message(turns_value, evt.index)

    chatbot.select(_select, [turns], [sources, passage], queue=False)

    def _rate(rating: int) -> Any:
        def handler(turns_value: Turns, text: str, request: gr.Request) -> tuple[str, str]:
            return record_feedback(services, turns_value, rating, text, _username(request))
        return handler

    up.click(_rate(1), [turns, comment], [feedback_msg, comment])
    down.click(_rate(-1), [turns, comment], [feedback_msg, comment])
    clear.click(clear_chat, None, outputs, queue=False).then(lambda: "", None, feedback_msg)
