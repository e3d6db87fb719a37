"""The citation checker: supported claims stay, unsupported or wrongly cited ones go."""

from __future__ import annotations

import pytest

from assistant.citations import CitationChecker, claims_of, markers_in
from assistant.types import REFUSAL, Chunk, ScoredChunk

PLANT = "The central effluent treatment plant treats 1,440 m3/day of industrial wastewater."
SOLAR = "A rooftop solar system of 0.8 MWp was installed in 2023."


def _passages(*texts: str) -> dict[int, ScoredChunk]:
    return {
        n: ScoredChunk(Chunk(f"c{n}", text, f"doc{n}.pdf", n, None, "zone_document", "z", "t", None, "h", 0),
                       0.5)
        for n, text in enumerate(texts, start=1)
    }


@pytest.fixture(name="checker")
def fixture_checker(hashing_embedder) -> CitationChecker:
    return CitationChecker(hashing_embedder)


def test_claims_run_to_their_markers_and_keep_abbreviations_whole() -> None:
    assert claims_of("H.E. Mr. Sok of Co., Ltd. said it [1]. Then [2], [3] more; and a tail") == [
        "H.E. Mr. Sok of Co., Ltd. said it [1].", "Then [2], [3]", "more; and a tail"]
    assert markers_in("see [1, 2] and [2][3]") == (1, 2, 3)
    assert markers_in("no marker, [a] or [ ]") == ()


def test_supported_claims_are_kept_with_their_markers(checker: CitationChecker) -> None:
    answer = ("The plant treats 1,440 m3/day of industrial wastewater [1]. "
              "A solar system of 0.8 MWp was installed [2].")
    result = checker.check(answer, _passages(PLANT, SOLAR))
    assert result.text == answer and not result.refused
    assert result.used_markers == (1, 2) and result.removed == () and result.faithfulness == 1.0


def test_a_claim_its_passage_does_not_support_is_removed(checker: CitationChecker) -> None:
    answer = "The plant treats 1,440 m3/day [1]. Solar panels were installed in 2023 [1]."
    result = checker.check(answer, _passages(PLANT, SOLAR))
    assert result.text == "The plant treats 1,440 m3/day [1]."
    assert result.removed == ("Solar panels were installed in 2023 [1].",)
    assert [s.reason for s in result.sentences] == ["", "not supported"]
    assert result.faithfulness == 0.5


def test_a_figure_missing_from_the_passage_fails_the_claim(checker: CitationChecker) -> None:
    passage = _passages(PLANT)[1].chunk.text
    right = checker.support("The plant treats 1,440 m3/day of industrial wastewater", passage)
    wrong = checker.support("The plant treats 9,999 m3/day of industrial wastewater", passage)
    assert right >= checker.threshold > wrong
    result = checker.check("The plant treats 9,999 m3/day of industrial wastewater [1].", _passages(PLANT))
    assert result.refused and result.text == REFUSAL and result.used_markers == ()


def test_markers_out_of_range_are_reported_and_stripped(checker: CitationChecker) -> None:
    result = checker.check("The plant treats 1,440 m3/day [1][7]. Tenants love the zone [9].",
                           _passages(PLANT))
    assert result.text == "The plant treats 1,440 m3/day [1]."
    assert result.invalid_markers == (7, 9) and result.used_markers == (1,)
    assert result.sentences[1].reason == "cites a passage that was not given"
    only_bad = checker.check("The plant treats 1,440 m3/day [3].", _passages(PLANT))
    assert only_bad.refused and only_bad.invalid_markers == (3,)


def test_uncited_text_is_dropped_and_nothing_left_is_the_refusal(checker: CitationChecker) -> None:
    result = checker.check("The plant treats 1,440 m3/day [1].\nThe zone is the best in Asia.",
                           _passages(PLANT))
    assert result.text == "The plant treats 1,440 m3/day [1]."
    assert result.removed == ("The zone is the best in Asia.",)
    assert result.sentences[-1].reason == "no citation"
    assert checker.check("The zone is the best in Asia.", _passages(PLANT)).refused


def test_a_refusal_in_the_answer_refuses_the_whole_answer(checker: CitationChecker) -> None:
    result = checker.check(f"The plant treats 1,440 m3/day [1]. {REFUSAL}", _passages(PLANT))
    assert result.refused and result.sentences == () and result.faithfulness is None


def test_embedding_similarity_supports_a_claim_without_content_words(hashing_embedder) -> None:
    passage = "Soil samples were tested. It was there before all of them."
    claim = "It was there before all of them [1]."
    assert CitationChecker(None).support(claim, passage) == 0.0  # no content word to match
    assert CitationChecker(hashing_embedder).support(claim, passage) == pytest.approx(1.0)
