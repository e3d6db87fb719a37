"""Pure metric functions for scoring a retrieval-augmented assistant against gold data.

Nothing here does I/O or depends on the rest of the package. Retrieval metrics
(``hit_at_k``, ``recall_at_k``, ``reciprocal_rank``, ``ndcg_at_k``) raise ``ValueError``
when the gold list is empty: an unanswerable question has nothing to retrieve, so the
runner must skip it for those metrics and score it with ``abstention_correct`` instead.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from assistant.answer_type import YES_NO_QUESTION


@dataclass(frozen=True, slots=True)
class GoldSource:
    """Where a correct answer is found. ``page=None`` means anywhere in the file."""

    file: str
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Retrieved:
    """A retrieved or cited passage covering pages ``page`` to ``page_end`` (inclusive)."""

    file: str
    page: int | None
    page_end: int | None = None


def hits(item: Retrieved, gold: GoldSource) -> bool:
    """Whether ``item`` is evidence for ``gold`` (same file and, if set, a page in its span)."""
    if item.file != gold.file:
        return False
    if gold.page is None:
        return True
    if item.page is None:
        return False
    end = item.page if item.page_end is None else item.page_end
    return min(item.page, end) <= gold.page <= max(item.page, end)


def _check(gold: Sequence[GoldSource], k: int | None = None) -> None:
    if not gold:
        raise ValueError("gold is empty (unanswerable question): skip it for retrieval metrics")
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def hit_at_k(retrieved: Sequence[Retrieved], gold: Sequence[GoldSource], k: int) -> float:
    """1.0 if any of the first ``k`` items hits any gold source, else 0.0."""
    _check(gold, k)
    return float(any(hits(r, g) for r in retrieved[:k] for g in gold))


def recall_at_k(retrieved: Sequence[Retrieved], gold: Sequence[GoldSource], k: int) -> float:
    """Share of gold sources hit by at least one of the first ``k`` items."""
    _check(gold, k)
    top = retrieved[:k]
    return sum(any(hits(r, g) for r in top) for g in gold) / len(gold)


def reciprocal_rank(
    retrieved: Sequence[Retrieved], gold: Sequence[GoldSource], k: int | None = None
) -> float:
    """1/rank of the first of the top ``k`` items that hits a gold source; 0.0 if none does.

    Cross-zone questions retrieve a few passages per zone, so the list can be longer than
    ``k``; counting ranks past ``k`` would credit passages the answerer never weighs first.
    """
    _check(gold, k)
    for rank, r in enumerate(retrieved if k is None else retrieved[:k], start=1):
        if any(hits(r, g) for g in gold):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(retrieved: Sequence[Retrieved], gold: Sequence[GoldSource], k: int) -> float:
    """Binary-relevance nDCG over the first ``k`` items.

    An item is relevant only if it hits a gold source that no earlier item has hit, so
    repeated passages for the same source earn nothing. A relevant item credits every
    gold source it hits. The ideal ranking puts ``min(k, len(gold))`` relevant items first.
    """
    _check(gold, k)
    credited: set[int] = set()
    dcg = 0.0
    for rank, r in enumerate(retrieved[:k], start=1):
        new = {i for i, g in enumerate(gold) if i not in credited and hits(r, g)}
        if new:
            credited |= new
            dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(gold)) + 1))
    return dcg / ideal


_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
# A 1-3 digit head followed by groups of exactly three digits, all with the same separator.
# Whitespace is already collapsed to " " when this runs, so nbsp/thin spaces are covered.
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?P<sep>[, ])\d{3}(?:(?P=sep)\d{3})*(?!\d)")
_PERCENT = re.compile(r"(\d) ?(?:%|\uff05|percent\b|per cent\b)")
_CUBIC = re.compile(r"m(?:\u00b3|\^3)")


def normalise_text(s: str) -> str:
    """Normalise text for fact matching.

    Casefolds; collapses all (Unicode) whitespace to single spaces; drops thousands
    separators (``12,500`` / ``12 500`` -> ``12500``); writes percentages as ``62%``;
    turns Unicode dashes into ``-``; writes ``m³`` as ``m3``.
    """
    s = " ".join(s.casefold().split())
    s = _DASHES.sub("-", s)
    s = _CUBIC.sub("m3", s)
    s = _THOUSANDS.sub(lambda m: m.group(0).replace(m.group("sep"), ""), s)
    return _PERCENT.sub(r"\1%", s)


def _contains(haystack: str, needle: str) -> bool:
    # Word-bounded at alphanumeric ends, so "12500" is not found inside "125000".
    left = r"(?<!\w)" if needle[0].isalnum() else ""
    right = r"(?!\w)" if needle[-1].isalnum() else ""
    return re.search(left + re.escape(needle) + right, haystack) is not None


# Citation markers ("[3]", "[1, 2]") are not content: a bare-number fact "5" must not be
# found in the marker "[5]".
_MARKERS = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


def strip_markers(text: str) -> str:
    """``text`` without citation markers."""
    return _MARKERS.sub(" ", text)


def key_fact_recall(answer_text: str, key_facts: Sequence[str]) -> float | None:
    """Share of key facts found (after ``normalise_text``) in the answer; None if no facts.

    Citation markers are removed first. A fact with a unit ("1,850 m3/day", "92%") must be
    found with that unit: the bare number elsewhere in the answer does not count.
    Raises ``ValueError`` for a blank key fact, which would otherwise match every answer.
    """
    if not key_facts:
        return None
    answer = normalise_text(strip_markers(answer_text))
    facts = [normalise_text(f) for f in key_facts]
    if not all(facts):
        raise ValueError("key facts must not be blank")
    return sum(_contains(answer, f) for f in facts) / len(facts)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def figure_correct(figure: str | None, key_facts: Sequence[str]) -> bool | None:
    """Whether the figure an answer opens with is a number of a key fact.

    None when the answer states no figure or no key fact holds a number: only an opening
    that names a figure can name the wrong one.
    """
    if not figure:
        return None
    wanted = {n for f in key_facts for n in _NUMBER.findall(normalise_text(f))}
    if not wanted:
        return None
    return bool(set(_NUMBER.findall(normalise_text(figure))) & wanted)


_POLARITY = re.compile(r"^\W*(yes|no|not)\b", re.I)


def polarity(text: str) -> str | None:
    """"yes" or "no" when ``text`` opens with Yes, No or Not ("Not fully", "Not yet"); else None."""
    m = _POLARITY.match(text)
    if not m:
        return None
    return "yes" if m.group(1).lower() == "yes" else "no"


def yes_no_outcome(question: str, gold_answer: str, answer_text: str, abstained: bool) -> str | None:
    """"right", "wrong" or "none": whether a yes/no question's answer opens with the gold
    answer's yes or no, the other one, or neither (a refusal included).

    None when the question is not a yes/no question or the gold answer opens with neither
    ("Only some: ...").
    """
    gold = polarity(gold_answer)
    if gold is None or not YES_NO_QUESTION.match(question):
        return None
    said = None if abstained else polarity(answer_text)
    if said is None:
        return "none"
    return "right" if said == gold else "wrong"


def citation_precision(cited: Sequence[Retrieved], gold: Sequence[GoldSource]) -> float | None:
    """Share of cited passages that hit some gold source; None if nothing was cited.

    With empty gold every citation is wrong, so the result is 0.0.
    """
    if not cited:
        return None
    return sum(any(hits(c, g) for g in gold) for c in cited) / len(cited)


def citation_recall(cited: Sequence[Retrieved], gold: Sequence[GoldSource]) -> float | None:
    """Share of gold sources hit by at least one citation; None if gold is empty."""
    if not gold:
        return None
    return sum(any(hits(c, g) for c in cited) for g in gold) / len(gold)


def abstention_correct(answerable: bool, abstained: bool) -> bool:
    """True when the assistant answered an answerable question or abstained on an unanswerable one."""
    return answerable != abstained


def list_precision(predicted: Iterable[Hashable], expected: Iterable[Hashable]) -> float:
    """Share of the predicted items that are expected (an empty prediction scores 1 only when
    nothing was expected: saying nothing is not precise about a non-empty list)."""
    got, want = set(predicted), set(expected)
    if not got:
        return 1.0 if not want else 0.0
    return len(got & want) / len(got)


def list_recall(predicted: Iterable[Hashable], expected: Iterable[Hashable]) -> float:
    """Share of the expected items that were predicted (1 when nothing was expected)."""
    got, want = set(predicted), set(expected)
    return len(got & want) / len(want) if want else 1.0


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation, as numpy's default."""
    data = sorted(values)
    if not data:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within [0, 100], got {q}")
    pos = (len(data) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean ignoring None; None when no value is left."""
    kept = [v for v in values if v is not None]
    return math.fsum(kept) / len(kept) if kept else None


def _check_pairs(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"length mismatch: {len(gold)} gold vs {len(pred)} predicted labels")
    if not gold:
        raise ValueError("no labels to compare")


def agreement(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Share of positions where both label sequences agree."""
    _check_pairs(gold, pred)
    return sum(g == p for g, p in zip(gold, pred, strict=False)) / len(gold)


def cohen_kappa(
    gold_labels: Sequence[Hashable],
    predicted_labels: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
) -> float:
    """Unweighted Cohen's kappa between two raters.

    When chance agreement is 1 (both raters used one and the same class throughout) the
    raters agree perfectly and 1.0 is returned. ``labels``, if given, is the allowed label
    set; any other label raises ``ValueError``.
    """
    _check_pairs(gold_labels, predicted_labels)
    if labels is not None:
        unknown = (set(gold_labels) | set(predicted_labels)) - set(labels)
        if unknown:
            raise ValueError(f"labels not in the label set: {sorted(map(str, unknown))}")
    n = len(gold_labels)
    # Integer arithmetic, scaled by n*n, keeps the chance-agreement == 1 test exact.
    observed = n * sum(g == p for g, p in zip(gold_labels, predicted_labels, strict=False))
    gold_counts, pred_counts = Counter(gold_labels), Counter(predicted_labels)
    chance = sum(c * pred_counts[label] for label, c in gold_counts.items())
    if chance == n * n:
        return 1.0
    return (observed - chance) / (n * n - chance)


def confusion_matrix(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Counts as ``matrix[gold_label][predicted_label]``, with every label as row and column."""
    if len(gold) != len(pred):
        raise ValueError(f"length mismatch: {len(gold)} gold vs {len(pred)} predicted labels")
    order = list(dict.fromkeys(labels))
    unknown = (set(gold) | set(pred)) - set(order)
    if unknown:
        raise ValueError(f"labels not in the label set: {sorted(unknown)}")
    matrix = {g: {p: 0 for p in order} for g in order}
    for g, p in zip(gold, pred, strict=False):
        matrix[g][p] += 1
    return matrix


_SOFT_HYPHEN = "\u00ad"


def _flatten(text: str, join_hyphenated: bool) -> str:
    text = _DASHES.sub("-", text.replace(_SOFT_HYPHEN, ""))
    # A hyphen at a line end is either a word split ("recy-\ncling") or a real compound
    # ("eco-\nindustrial"); the caller tries both readings.
    text = re.sub(r"(\w)-[ \t]*\r?\n\s*(?=\w)", r"\1" if join_hyphenated else r"\1-", text)
    return " ".join(text.casefold().split())


def quote_on_page(quote: str, page_text: str) -> bool:
    """Whether ``quote`` appears on the page, ignoring case, whitespace and line-break hyphens."""
    quotes = {_flatten(quote, join) for join in (True, False)} - {""}
    pages = {_flatten(page_text, join) for join in (True, False)}
    return any(q in p for q in quotes for p in pages)
