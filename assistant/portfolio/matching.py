"""Which catalogue criterion a question means, by meaning: the embedder compares the question
with each criterion's title and requirement (no word list to keep in step with the catalogue).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.catalogue import Catalogue, Criterion
from assistant.vocabulary import ZONE_NOUN

# Assessment wording says how, not what: left out before the topic is embedded.
_FRAME = re.compile(
    rf"\b(?:which|what|who|where|for|in|at|of|the|{ZONE_NOUN}|do|does|did"
    r"|is|are|there|has|have|a|an|any|not|enough|evidence|to|judge|only|partly|partially|fully"
    r"|meet|meets|fail|fails|outright|requirement|criterion|standard|satisfy|comply|with)\b",
    re.IGNORECASE)


class EmbedderLike(Protocol):
    def embed_documents(self, texts: list[str]) -> np.ndarray: ...
    def embed_query(self, text: str) -> np.ndarray: ...


def criterion_text(criterion: Criterion) -> str:
    """What a criterion is about, as the matcher reads it."""
    return f"{criterion.title}. {criterion.requirement} {criterion.indicator}".strip()


def topic_words(text: str) -> str:
    """``text`` without the assessment wording (the subject words remain)."""
    stripped = " ".join(_FRAME.sub(" ", text).split())
    return stripped or text


@dataclass
class CriterionMatcher:
    """Ranks a catalogue's criteria by similarity to a question's topic."""

    embedder: EmbedderLike
    catalogue: Catalogue
    _vectors: np.ndarray | None = field(default=None, init=False, repr=False)

    def _matrix(self) -> np.ndarray:
        if self._vectors is None:  # embedded on first use, once per process
            vecs = np.asarray(self.embedder.embed_documents(
                [criterion_text(c) for c in self.catalogue]), dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            self._vectors = vecs / np.where(norms == 0, 1.0, norms)
        return self._vectors

    def rank(self, text: str) -> list[tuple[Criterion, float]]:
        """Every criterion with its cosine similarity to ``text``'s topic, best first."""
        query = np.asarray(self.embedder.embed_query(topic_words(text)), dtype=np.float32)
        norm = float(np.linalg.norm(query)) or 1.0
        scores = self._matrix() @ (query / norm)
        order = np.argsort(-scores, kind="stable")
        crits = list(self.catalogue)
        return [(crits[i], float(scores[i])) for i in order]

    def best(self, text: str, *, floor: float, margin: float = 0.0, limit: int = 1
             ) -> Sequence[Criterion]:
        """Up to ``limit`` criteria at least ``floor`` similar and within ``margin`` of the best."""
        ranked = self.rank(text)
        if not ranked or ranked[0][1] < floor:
            return []
        top = ranked[0][1]
        return [c for c, s in ranked[:limit] if s >= floor and top - s <= margin]
