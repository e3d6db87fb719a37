"""The sentence an answering quote refers back to (a context rule of the extractive answerer)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.text import STOPWORDS, content_terms, stem

if TYPE_CHECKING:
    from assistant.extractive import ScoredSentence

_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
# Prepositions that are not stop words: they end a noun phrase as stop words do.
_PREPOSITIONS = frozenset("within across along around beside beyond inside outside onto toward towards "
                          "upon via per since among near".split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z\-]*|\S")


def described_nouns(sentence: str) -> set[str]:
    """Stems of the nouns ``sentence`` names by a definite description ("the roof" -> roof).

    The head of "the central effluent treatment plant" is its last word before a
    function word, a figure or punctuation.
    """
    heads: set[str] = set()
    tokens = _TOKEN.findall(sentence)
    for i, token in enumerate(tokens):
        if token.lower() not in _DETERMINERS:
            continue
        run: list[str] = []
        for word in tokens[i + 1:]:
            lower = word.lower()
            if not word[0].isalpha() or lower in STOPWORDS or lower in _DETERMINERS | _PREPOSITIONS:
                break
            run.append(lower)
        if run:
            heads.add(stem(run[-1]))
    return heads


def with_antecedents(chosen: list[ScoredSentence], scored: list[ScoredSentence],
                     answering: set[ScoredSentence], wanted: set[str]) -> list[ScoredSentence]:
    """``chosen`` with the sentence before each answering one that it refers back to.

    "The office must repair the roof within 60 days." answers "what must be repaired, and by
    when?" only with the sentence before it, which says which roof. A sentence that holds the
    kind of answer asked for refers back when it names by a definite description a noun the
    question does not use and the sentence just before it (same passage) does. That sentence
    scores low (it shares no word with the question), so it is added, not ranked.
    """
    by_place = {(s.passage, s.position): s for s in scored}
    out = list(chosen)
    for s in chosen:
        before = by_place.get((s.passage, s.position - 1))
        if s not in answering or before is None or before in out:
            continue
        if (described_nouns(s.text) - wanted) & set(content_terms(before.text)):
            out.append(before)
    return out


# A sentence that opens with a pronoun goes on about what the sentence before it named.
_REFERS_BACK = re.compile(r"^(?:it|its|they|their|them|this|these|those|such|he|she|his|her)\b", re.I)


def with_continuations(chosen: list[ScoredSentence], scored: list[ScoredSentence],
                       answering: set[ScoredSentence]) -> list[ScoredSentence]:
    """``chosen`` with the sentence after each answering one when it goes on about the same thing.

    "UNIDO has turned the framework into an assessment tool. It is meant for service providers
    ..." answers "who is the tool for?" only with its second sentence, which names the tool by
    a pronoun and so shares no word with the question. It is added, not ranked.
    """
    by_place = {(s.passage, s.position): s for s in scored}
    out = list(chosen)
    for s in chosen:
        after = by_place.get((s.passage, s.position + 1))
        if s in answering and after is not None and after not in out and _REFERS_BACK.match(after.text):
            out.append(after)
    return out
