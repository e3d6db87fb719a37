"""Is a question answered by the evidence? Word-by-word support, judged by meaning.

A question is answerable from retrieved passages when every word that carries what is
asked (a "focus term") has a counterpart in them: the same stem, or a word the embedding
model places close to it ("dirty water" ~ "wastewater", "complain" ~ "grievance",
"relocated" ~ "resettled"). A plausible question about something no document states (a
"tariff", a "lender", a "salinity" limit) usually has one focus term with no such
counterpart, however close the passages are in topic.

This replaces a rarity test on exact words, which on a small corpus treated almost every
word as rare and refused ordinary paraphrases.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.text import QUESTION_WORDS, STOPWORDS, stem, words
from indexing.embed import Embedder


@dataclass(frozen=True, slots=True)
class TermMatch:
    """A focus term of the question and its closest word in the evidence."""

    term: str
    closest: str | None
    similarity: float


def focus_terms(question: str, *, drop: Iterable[str] = ()) -> list[str]:
    """The words of a question that name what is asked.

    Not focus terms: stop words, words that ask rather than name (``QUESTION_WORDS``),
    words of names in ``drop`` (zones, criteria), words shorter than three letters and
    anything with a digit (years and figures are matched by the retriever, and a question's
    "2023" is often stated in a passage as "last year").
    """
    dropped = set(drop)
    out: list[str] = []
    for word in words(question):
        if (
            word in STOPWORDS
            or word in QUESTION_WORDS
            or word in dropped
            or len(word) < 3
            or any(ch.isdigit() for ch in word)
            or word in out
        ):
            continue
        out.append(word)
    return out


class TermSupport:
    """Measures how well evidence text covers a question's focus terms, by meaning.

    Single-word vectors come from the same embedder as retrieval and are cached, so a
    corpus's vocabulary is embedded once per process, a few hundred words at a time.
    """

    def __init__(self, embedder: Embedder, *, threshold: float, cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def _vectors(self, vocabulary: Sequence[str]) -> np.ndarray:
        missing = [w for w in vocabulary if w not in self._cache]
        if missing:
            for word, vector in zip(missing, self.embedder.embed_documents(missing), strict=True):
                self._cache[word] = np.asarray(vector, dtype=np.float32)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack([self._cache[w] for w in vocabulary])

    def matches(self, terms: Sequence[str], evidence: str) -> list[TermMatch]:
        """For each term, the closest evidence word and its similarity (1.0 for the same stem)."""
        if not terms:
            return []
        vocabulary = [w for w in dict.fromkeys(words(evidence)) if w not in STOPWORDS and len(w) >= 2]
        stems = {stem(w) for w in vocabulary}
        out: list[TermMatch] = []
        open_terms = []
        for term in terms:
            if stem(term) in stems:
                out.append(TermMatch(term, term, 1.0))
            else:
                open_terms.append(term)
        if open_terms and vocabulary:
            sims = self._vectors(open_terms) @ self._vectors(vocabulary).T
            for row, term in enumerate(open_terms):
                best = int(np.argmax(sims[row]))
                out.append(TermMatch(term, vocabulary[best], float(sims[row, best])))
        else:
            out.extend(TermMatch(term, None, 0.0) for term in open_terms)
        order = {t: i for i, t in enumerate(terms)}
        return sorted(out, key=lambda m: order[m.term])

    def unsupported(self, terms: Sequence[str], evidence: str) -> list[TermMatch]:
        """The terms whose closest evidence word is below the support threshold."""
        return [m for m in self.matches(terms, evidence) if m.similarity < self.threshold]
