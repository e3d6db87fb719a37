"""Word overlap that also counts a word of the same meaning.

Stakeholders ask in their own words and the documents answer in a report's words: "vendors
in their own region" against "suppliers based in the province", "green sources" against
"renewable". The answerer's word overlap (``text.overlap``) counts a question word only when
a sentence has the same stem; :class:`WordOverlap` also counts it, at its similarity, when the
sentence has a word whose embedding is at least ``floor`` similar. Single words are short
texts, so the embedder's cache keeps them after the first question that needs them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

from assistant.text import STOPWORDS, content_terms, has_number, stem, term_overlap, term_weight, words
from indexing.embed import Embedder

# Only Latin-script words are compared by meaning: the bundled English model gives Khmer
# script near-identical vectors, which would make any two Khmer words "synonyms".
_LATIN_WORD = re.compile(r"[a-z][a-z\-]*[a-z]")


def _comparable(word: str) -> bool:
    return (
        len(word) > 2 and word not in STOPWORDS and not has_number(word)
        and bool(_LATIN_WORD.fullmatch(word))
    )


class WordOverlap:
    """Share of a question's content words found in each sentence, same stem or same meaning."""

    def __init__(self, embedder: Embedder, floor: float) -> None:
        self.embedder = embedder
        # Below this cosine two words are not taken for synonyms; 0 or less counts stems only.
        self.floor = floor

    def scores(
        self, question: str, sentences: Sequence[str], drop: Collection[str] = frozenset()
    ) -> list[float]:
        """For each sentence, ``text.overlap`` of the question's terms, synonyms counted.

        A question term missing from a sentence counts by the best similarity of its word
        to a word of the sentence when that reaches ``floor``. Figures count double and only
        when written the same, as in ``text.overlap``.
        """
        drop = frozenset(drop)
        terms = content_terms(question, drop=drop)
        have = [set(content_terms(s)) for s in sentences]
        exact = [term_overlap(terms, h) for h in have]
        if self.floor <= 0 or not terms or not sentences:
            return exact
        # The question's words by stem, the form they are embedded in.
        asked = {stem(w): w for w in words(question) if w not in drop and _comparable(w)}
        missing = sorted({w for t, w in asked.items() if t in terms and any(t not in h for h in have)})
        own = [[w for w in dict.fromkeys(words(s)) if _comparable(w)] for s in sentences]
        vocabulary = sorted({w for ws in own for w in ws})
        if not missing or not vocabulary:
            return exact
        vectors = self.embedder.embed_documents([*missing, *vocabulary])
        similar = vectors[: len(missing)] @ vectors[len(missing):].T
        column = {w: i for i, w in enumerate(vocabulary)}
        row = {w: i for i, w in enumerate(missing)}
        total = sum(term_weight(t) for t in terms)
        out: list[float] = []
        for score, present, sentence_words in zip(exact, have, own, strict=True):
            gained = 0.0
            if sentence_words:
                columns = [column[w] for w in sentence_words]
                for t, w in asked.items():
                    if t in terms and t not in present and w in row:
                        best = float(np.max(similar[row[w], columns]))
                        if best >= self.floor:
                            gained += best
            out.append(score + gained / total)
        return out
