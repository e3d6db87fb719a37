"""Optional model-judged correctness: a language model compares an answer with the reference.

Off by default and never used in CI (no model is reachable there); enabled with
``eip eval --judge`` when an LLM endpoint is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

JUDGE_SYSTEM = (
    "You grade answers to questions about eco-industrial park documents. Compare the "
    "candidate answer with the reference answer. Reply with exactly one word: CORRECT if the "
    "candidate states the reference's facts without contradicting them, otherwise INCORRECT."
)


def judge_prompt(question: str, reference: str, candidate: str) -> str:
    return f"Question: {question}\nReference answer: {reference}\nCandidate answer: {candidate}\nVerdict:"


def parse_verdict(reply: str) -> bool | None:
    """``True``/``False`` for CORRECT/INCORRECT; ``None`` when the reply is neither."""
    word = reply.strip().split()[0].strip(".:!").upper() if reply.strip() else ""
    return {"CORRECT": True, "INCORRECT": False}.get(word)


def judge_rows(chat_model: Any, rows: Sequence[dict[str, Any]], references: dict[str, str]) -> float | None:
    """Share of answered, answerable questions the model judges correct (adds ``judged`` to rows)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.llm import invoke_chat

    verdicts: list[bool] = []
    for row in rows:
        if not row["answerable"] or row["abstained"]:
            continue
        reply = invoke_chat(
            chat_model,
            [
                SystemMessage(JUDGE_SYSTEM),
                HumanMessage(judge_prompt(row["question"], references[row["id"]], row["answer"])),
            ],
        )
        verdict = parse_verdict(reply)
        row["judged_correct"] = verdict
        if verdict is not None:
            verdicts.append(verdict)
    return sum(verdicts) / len(verdicts) if verdicts else None
