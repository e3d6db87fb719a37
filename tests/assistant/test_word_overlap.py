"""Word overlap that counts a word of the same meaning (assistant/word_overlap.py)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from assistant.text import overlap
from assistant.word_overlap import WordOverlap
from indexing.embed import HashingEmbedder


class _Synonyms:
    """Hashing vectors, except that each group of words shares one vector (cosine 1)."""

    name = "synonyms"
    dimension = 256

    def __init__(self, *groups: tuple[str, ...]) -> None:
        self._base = HashingEmbedder(self.dimension)
        self._alias = {w: group[0] for group in groups for w in group}
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        self.calls.append(list(texts))
        return self._base.embed_documents([self._alias.get(t, t) for t in texts])

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self.embed_documents([text])[0]


_QUESTION = "Which vendors deliver cement to the estate?"
_SENTENCES = ["Two suppliers deliver cement by barge.", "Cement prices rose in 2023."]


def test_a_word_of_the_same_meaning_counts_as_present() -> None:
    matcher = WordOverlap(_Synonyms(("vendors", "suppliers")), floor=0.55)
    by_stem = [overlap(["vendo", "deliv", "cemen", "estat"], s) for s in _SENTENCES]
    scores = matcher.scores(_QUESTION, _SENTENCES)
    # "suppliers" stands in for "vendors": one more of the four question words is present.
    assert scores[0] == pytest.approx(by_stem[0] + 0.25)
    assert scores[1] == pytest.approx(by_stem[1])
    assert scores[0] > scores[1]


def test_floor_zero_is_the_plain_stem_overlap_and_embeds_nothing() -> None:
    embedder = _Synonyms(("vendors", "suppliers"))
    scores = WordOverlap(embedder, floor=0.0).scores(_QUESTION, _SENTENCES)
    assert scores == [overlap(["vendo", "deliv", "cemen", "estat"], s) for s in _SENTENCES]
    assert embedder.calls == []


def test_words_below_the_floor_are_not_synonyms() -> None:
    # Hashing vectors of two different words are close to orthogonal.
    scores = WordOverlap(HashingEmbedder(), floor=0.55).scores(_QUESTION, _SENTENCES)
    assert scores == [overlap(["vendo", "deliv", "cemen", "estat"], s) for s in _SENTENCES]


def test_zone_names_figures_and_khmer_words_are_never_matched_by_meaning() -> None:
    class _AllAlike(_Synonyms):
        def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
            self.calls.append(list(texts))
            return np.ones((len(texts), self.dimension), dtype=np.float32) / np.sqrt(self.dimension)

    embedder = _AllAlike()
    question = "How much did Riverbend spend in 2023 on \u1791\u17b9\u1780?"
    WordOverlap(embedder, floor=0.55).scores(question, ["Outlays of 2024 reached \u1797\u17d2\u179b\u17be\u1784."],
                                             drop={"riverbend"})
    asked = {w for batch in embedder.calls for w in batch}
    assert asked and not asked & {"riverbend", "2023", "2024", "\u1791\u17b9\u1780", "\u1797\u17d2\u179b\u17be\u1784"}


@pytest.mark.model
def test_the_bundled_model_takes_vendors_for_suppliers_but_not_donors_for_agencies(real_embedder) -> None:
    matcher = WordOverlap(real_embedder, floor=0.55)
    vendors, donors = matcher.scores("Which vendors deliver?", ["Suppliers deliver.", "Agencies deliver."])
    assert vendors > donors == pytest.approx(overlap(["vendo", "deliv"], "Agencies deliver."))
