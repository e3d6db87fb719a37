"""Security of the web app's pages (issue 18): inert document text (M1), long questions (H3)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from assistant.types import Answer, Citation

pytest.importorskip("gradio")

from assistant.ui import chat  # noqa: E402

HOSTILE = ("Treated ![](https://tracker.example/x.png) see [verify](https://phish.example) "
           "<img src=x onerror=alert(1)> https://bare.example www.bare.example **bold** "
           "<script>alert(1)</script>")


def _rendered(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def _inert(markdown: str) -> None:
    html = _rendered(markdown)
    assert "<img" not in html and "<a " not in html and "<script" not in html, html
    assert "<strong>bold" not in html
    # GFM autolinks need a literal "://" or "www." in the source; both are broken up.
    assert "://" not in markdown and "www." not in markdown


class _HostileStreamer:
    """An LLM answerer whose draft and checked answer carry document-borne markup."""

    mode = "llm"

    def __init__(self, question: str) -> None:
        self.final = Answer(question, HOSTILE + " [1]", abstained=False, mode="llm",
                            citations=(Citation(1, "zones/x/[a](https:evil).pdf", 2, HOSTILE,
                                                0.9, "zone_document", "x"),),
                            warnings=(f"note {HOSTILE}",))

    def answer(self, *args: Any) -> Answer:
        return self.final

    def stream(self, question: str, plan: Any, passages: Any, fw: Any) -> Any:
        yield HOSTILE[:40]
        yield HOSTILE[40:]
        yield self.final


def test_document_markup_in_answers_streams_and_warnings_is_inert(services: Any) -> None:
    fake = copy.copy(services.assistant)
    fake.answerer = _HostileStreamer("q")
    services._assistant = fake
    states = list(chat.stream_answer(services, "What is treated? ![](https://x.example/q)", [], []))
    messages = [m["content"] for state in states for m in state[0]]
    assert any("tracker" in m for m in messages[2:])  # the draft was shown while streaming
    for message in messages:
        if message != chat.SEARCHING:
            _inert(message)
    final = states[-1][0][-1]["content"]
    assert "Sources:" in final and "note" in final


def test_a_200kb_question_gets_the_length_message_at_once(services: Any) -> None:
    class Untouchable:
        mode = "extractive"

        def answer(self, *args: Any) -> Answer:
            raise AssertionError("a too-long question must not reach the answerer")

    fake = copy.copy(services.assistant)
    fake.answerer = Untouchable()
    services._assistant = fake
    states = list(chat.stream_answer(services, "why?" * 50_000, [], []))
    assert len(states) == 1
    history, turns, _, _, box = states[0]
    assert re.search(r"200,000 characters long; the limit is 2,000", history[-1]["content"]
                     .replace("\\", ""))
    assert turns == [] and box  # the question stays in the box to be shortened
