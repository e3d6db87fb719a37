"""The citation checker: every claim must point at a passage that supports it.

Used on language-model answers and extractive ones alike. A ``[n]`` marker must name a
passage that was given; a sentence whose cited passages do not support it (neither
lexically nor by embedding similarity) is removed; an answer left with no valid citation
becomes the refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.settings import default
from assistant.text import content_terms, numbers, overlap, split_sentences
from assistant.types import REFUSAL, ScoredChunk
from assistant.vocabulary import CITATION_MARKER
from indexing.embed import Embedder

MARKER = CITATION_MARKER  # the checker's name for it
# A claim ends after its citation marker(s) (and any closing punctuation), or at a line break.
_CLAIM_END = re.compile(r"(\[\d+(?:\s*,\s*\d+)*\](?:\s*\[\d+(?:\s*,\s*\d+)*\])*[.!?;:]?)\s+|\n+")


@dataclass(frozen=True)
class CheckedSentence:
    text: str
    markers: tuple[int, ...]
    supported: bool
    support: float
    reason: str = ""


@dataclass(frozen=True)
class CheckResult:
    """What survived the check, what was dropped, and why."""

    text: str
    used_markers: tuple[int, ...]
    sentences: tuple[CheckedSentence, ...]
    invalid_markers: tuple[int, ...] = ()
    removed: tuple[str, ...] = field(default=())

    @property
    def refused(self) -> bool:
        return self.text == REFUSAL

    @property
    def faithfulness(self) -> float | None:
        """Share of claim sentences supported by their cited passage."""
        claims = [s for s in self.sentences if s.markers or s.reason]
        if not claims:
            return None
        return sum(s.supported for s in claims) / len(claims)


def claims_of(text: str) -> list[str]:
    """Split an answer into claims: each runs up to and including its ``[n]`` markers.

    Splitting at markers rather than at full stops keeps abbreviations ("H.E.", "Co.,
    Ltd.") and quoted sentences whole; text after the last marker is an uncited claim.
    """
    claims: list[str] = []
    start = 0
    for match in _CLAIM_END.finditer(text):
        end = match.end(1) if match.group(1) else match.start()
        piece = text[start:end].strip()
        if piece:
            claims.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        claims.append(tail)
    return claims


def markers_in(sentence: str) -> tuple[int, ...]:
    found: list[int] = []
    for group in MARKER.findall(sentence):
        found.extend(int(x) for x in group.split(","))
    return tuple(dict.fromkeys(found))


class CitationChecker:
    """Validates ``[n]`` citations of an answer against the numbered passages it was given."""

    def __init__(
        self, embedder: Embedder | None, *, threshold: float = default("support_threshold"),
        lexical_threshold: float = 0.6,
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.lexical_threshold = lexical_threshold

    def support(self, claim: str, passage: str) -> float:
        """How well a passage supports a claim, 0..1 (max of lexical and semantic evidence)."""
        bare = MARKER.sub("", claim).strip()
        terms = content_terms(bare)
        lexical = overlap(terms, passage)
        claim_numbers = numbers(bare)
        if claim_numbers and not claim_numbers <= numbers(passage):
            lexical *= 0.5  # a figure the passage does not contain is a red flag
        semantic = 0.0
        if self.embedder is not None and lexical < self.lexical_threshold:
            units = split_sentences(passage) or [passage]
            vectors = self.embedder.embed_documents([bare, *units])
            semantic = float(np.max(vectors[1:] @ vectors[0]))
            if claim_numbers and not claim_numbers <= numbers(passage):
                semantic *= 0.5
        return max(lexical / self.lexical_threshold * self.threshold if lexical else 0.0, semantic)

    def check(self, answer: str, passages: dict[int, ScoredChunk]) -> CheckResult:
        """Keep supported, validly cited sentences; an answer left uncited becomes REFUSAL."""
        if answer.strip() == REFUSAL or REFUSAL.lower() in answer.lower():
            return CheckResult(REFUSAL, (), ())
        kept: list[str] = []
        checked: list[CheckedSentence] = []
        invalid: list[int] = []
        removed: list[str] = []
        used: list[int] = []
        for claim in claims_of(answer):
            marks = markers_in(claim)
            if not marks:
                # Connective text without a citation is dropped rather than trusted.
                removed.append(claim)
                checked.append(CheckedSentence(claim, (), False, 0.0, "no citation"))
                continue
            bad = [m for m in marks if m not in passages]
            invalid.extend(bad)
            good = [m for m in marks if m in passages]
            if not good:
                removed.append(claim)
                checked.append(
                    CheckedSentence(claim, marks, False, 0.0, "cites a passage that was not given")
                )
                continue
            score = max(self.support(claim, passages[m].chunk.text) for m in good)
            ok = score >= self.threshold
            checked.append(CheckedSentence(claim, tuple(good), ok, score, "" if ok else "not supported"))
            if ok:
                text = claim
                for m in bad:
                    text = text.replace(f"[{m}]", "")
                kept.append(text.strip())
                used.extend(m for m in good if m not in used)
            else:
                removed.append(claim)
        if not kept:
            return CheckResult(REFUSAL, (), tuple(checked), tuple(invalid), tuple(removed))
        return CheckResult(" ".join(kept), tuple(used), tuple(checked), tuple(invalid), tuple(removed))
