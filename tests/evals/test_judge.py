"""Model-judged correctness parses verdicts strictly."""

import pytest

from evals.judge import judge_prompt, parse_verdict


@pytest.mark.parametrize(
    "reply, verdict",
    [
        pytest.param("CORRECT", True, id="correct"),
        pytest.param("incorrect.", False, id="incorrect-lowercase"),
        pytest.param("Correct: the figure matches", True, id="with-explanation"),
        pytest.param("maybe", None, id="neither"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_verdict(reply: str, verdict: bool | None) -> None:
    assert parse_verdict(reply) is verdict


def test_prompt_carries_all_three_texts() -> None:
    prompt = judge_prompt("Q?", "ref 62%", "cand 62%")
    assert "Q?" in prompt and "ref 62%" in prompt and "cand 62%" in prompt
