"""The ranking-ceiling diagnostic (evals/ceiling.py) on the sample corpus."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evals.ceiling import TOPS, ranking_ceiling, render
from evals.runner import Question


def _question(text: str, facts: tuple[str, ...], *, answerable: bool = True) -> Question:
    return Question(id="c", question=text, zone=None, answerable=answerable, answer="",
                    key_facts=facts, sources=())


@pytest.fixture(name="assistant")
def fixture_assistant(sample_assistant):
    return sample_assistant


def test_facts_are_counted_in_the_passages_and_by_rank(assistant) -> None:
    questions = [
        # Stated in Prey Nob Coastal's documents: found in the passages and ranked.
        _question("How large is Prey Nob Coastal SEZ in hectares?", ("780 ha",)),
        # No document says this: in neither.
        _question("How many golf courses does Prey Nob Coastal have?", ("17 golf courses",)),
        # Unanswerable questions have nothing to find and are skipped.
        _question("What is the rent at Prey Nob Coastal?", ("USD 9",), answerable=False),
    ]
    ceiling = ranking_ceiling(assistant, questions, k=5)
    assert ceiling.facts == 2
    assert ceiling.in_passages == 1
    counts = [ceiling.within[t] for t in TOPS]
    assert counts == sorted(counts) and counts[-1] == 1  # within the first 30, never more than found
    shares = ceiling.shares()
    assert shares["in passages"] == 0.5 and shares["top 30"] == 0.5
    assert "| sample | 5 | 2 | 0.500 |" in render([("sample", 5, ceiling)])


def test_needs_the_extractive_answerer(assistant) -> None:
    class Quoting:
        mode = "other"

    with pytest.raises(TypeError, match="extractive"):
        ranking_ceiling(replace(assistant, answerer=Quoting()), [_question("Any?", ("1 ha",))])
