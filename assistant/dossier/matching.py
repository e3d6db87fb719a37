"""Criterion matching: what to search for a criterion, which sentences are about it.

:class:`CriterionQuery` holds the search text and the weighted terms of one criterion;
:func:`evidence_sentences` cuts a chunk into quotable units: prose sentences and table
rows (a PDF or HTML table comes out one cell per line; a row is rebuilt from its label
cell to its value cell, so "Renewable share of electricity consumed / 2024 / 41%" becomes
one quotable row that is found on the page with whitespace collapsed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.catalogue import Criterion
from assistant.text import STOPWORDS, content_terms, split_sentences, stem, words
from assistant.types import Chunk

# Words of indicators that say nothing about the topic ("share of ...", "number of ...").
_GENERIC_TERMS = frozenset(
    stem(w)
    for w in (
        "share total applicable level rate rates number used use based available exists "
        "place defined documented current"
    ).split()
)


def term_weights(criteria: Sequence[Criterion]) -> dict[str, float]:
    """Inverse document frequency of criterion terms over the catalogue, scaled to 0.25..1.

    A term most criteria share ("management", "plan") says little about any one of them.
    """
    if not criteria:
        return {}
    df: dict[str, int] = {}
    for c in criteria:
        for t in set(content_terms(f"{c.title} {c.indicator} {c.requirement} {' '.join(c.keywords)}")):
            df[t] = df.get(t, 0) + 1
    n = len(criteria)
    top = math.log(max(n, 4) / 3)
    return {t: 1.0 if d <= 3 else max(0.25, min(1.0, math.log(n / d) / top)) for t, d in df.items()}


@dataclass(frozen=True)
class CriterionQuery:
    """What the drafter searches and matches for one criterion."""

    text: str  # title, indicator and keywords: what is searched
    terms: tuple[str, ...]  # stems of title, indicator and keywords
    core_terms: tuple[str, ...]  # stems of title and indicator (anchor the figures)
    phrases: tuple[re.Pattern[str], ...]  # keyword phrases, whole-word
    weights: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    focus: str = ""  # title and indicator alone: the keywords dilute a sentence's similarity

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts a sentence is compared with (its similarity is the highest)."""
        return (self.text, self.focus) if self.focus else (self.text,)

    @classmethod
    def of(cls, criterion: Criterion, weights: dict[str, float] | None = None) -> CriterionQuery:
        keywords = ", ".join(criterion.keywords)
        text = f"{criterion.title}. {criterion.indicator}. {keywords}"
        core = [
            t for t in content_terms(f"{criterion.title} {criterion.indicator}") if t not in _GENERIC_TERMS
        ]
        terms = list(dict.fromkeys([*core, *(t for t in content_terms(keywords) if t not in _GENERIC_TERMS)]))
        phrases = tuple(
            re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, k.split())) + r"(?!\w)", re.IGNORECASE)
            for k in criterion.keywords
        )
        focus = f"{criterion.title}. {criterion.indicator}."
        return cls(text, tuple(terms), tuple(core), phrases, dict(weights or {}), focus)

    def lexical(self, sentence: str) -> float:
        """Shared content terms (title/indicator count double) plus keyword-phrase hits."""
        have = {stem(w) for w in words(sentence) if w not in STOPWORDS}
        w = self.weights
        core = sum(w.get(t, 1.0) for t in self.core_terms if t in have)
        other = sum(w.get(t, 1.0) for t in self.terms if t in have and t not in self.core_terms)
        phrase = sum(1 for p in self.phrases if p.search(sentence))
        return 1.0 * core + 0.5 * other + 0.5 * phrase


def relevance(similarity: float, lexical: float, measured: bool = False) -> float:
    """Embedding similarity plus a capped lexical bonus (and one for the threshold's figure)."""
    if lexical <= 0:
        return similarity - 0.15  # no shared word: only a very close paraphrase passes
    return similarity + 0.15 * min(lexical, 3.0) + (0.1 if measured else 0.0)


_PROSE_END = re.compile(r"[.!?][)\"”']?$")
_FOOTER = re.compile(r"\bPage \d+\s*$|\s-\s+page \d+\s*$", re.IGNORECASE)
_ABBREVIATION_END = re.compile(r"\b(?:No|Nos|Art|Co|approx|e\.g|i\.e|etc|vs|St|Dr|Mr|Ms|Fig)\.$")
_CELL_END = re.compile(r"[.!?:;,]$")
_FIGURE = re.compile(r"\d")
_MIN_RUN = 4  # consecutive short lines that make a table (a heading is one, a list has bullets)


def _is_cell(line: str) -> bool:
    return (
        bool(line)
        and len(line.split()) <= 8
        and not _CELL_END.search(line)
        and not line.startswith(("- ", "• ", "* "))
    )


def _cell_runs(lines: Sequence[str]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_cell(lines[j]):
            j += 1
        if j - i >= _MIN_RUN:
            runs.append((i, j))
        i = max(j, i + 1)
    return runs


def table_rows(text: str) -> list[str]:
    """Rows rebuilt from one-cell-per-line tables (label ... value), and ``|`` rows."""
    lines = [ln.strip() for ln in text.splitlines()]
    rows: list[str] = []
    for a, b in _cell_runs(lines):
        for i in range(a, b):
            if not _FIGURE.search(lines[i]) or re.fullmatch(r"(?:19|20)\d\d", lines[i]):
                continue
            start = i
            while start > a and i - start < 3:
                start -= 1
                if len(re.findall(r"[A-Za-z]{2,}", lines[start])) >= 2 and not _FIGURE.search(lines[start]):
                    break
            row = " ".join(lines[start : i + 1])
            if start < i and len(row.split()) >= 3:
                rows.append(row)
    rows += [ln for ln in lines if ln.count("|") >= 1 and _FIGURE.search(ln)]
    return list(dict.fromkeys(rows))


def _prose_text(text: str) -> str:
    """The chunk text with table cell runs blanked out (so prose is not glued to cells)."""
    lines = text.splitlines()
    stripped = [ln.strip() for ln in lines]
    for a, b in _cell_runs(stripped):
        for i in range(a, b):
            lines[i] = ""
    return "\n".join(lines)


def evidence_sentences(chunk: Chunk, *, rows: bool = True) -> list[str]:
    """Units of a chunk that can stand as quotes: prose sentences, then table rows.

    ``rows=False`` leaves the table rows out (a row is a figure without its context: it
    answers a numeric threshold, not whether a measure is in place).

    Each is a run of the chunk text with only whitespace normalised, so it is found on
    the chunk's page.
    """
    units: list[str] = []
    for unit in split_sentences(_prose_text(chunk.text)):
        unit = unit.strip()
        if units and _ABBREVIATION_END.search(units[-1]) and unit[:1].isdigit():
            units[-1] = f"{units[-1]} {unit}"
        else:
            units.append(unit)
    out: list[str] = []
    for i, unit in enumerate(units):
        if i == 0 and chunk.ordinal > 0 and unit[:1].islower():
            continue  # the overlap with the previous chunk: a cut sentence
        if len(unit.split()) < 4 or _FOOTER.search(unit) or not _PROSE_END.search(unit):
            continue
        if "|" in unit:
            continue
        out.append(unit)
    if not rows:
        return out
    return out + [r for r in table_rows(chunk.text) if r not in out]


__all__ = [
    "CriterionQuery",
    "evidence_sentences",
    "relevance",
    "table_rows",
    "term_weights",
]
