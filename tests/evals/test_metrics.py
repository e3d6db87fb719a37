"""Hand-made cases for evals.metrics."""

from __future__ import annotations

import math

import pytest

from evals.metrics import (
    GoldSource,
    Retrieved,
    abstention_correct,
    agreement,
    citation_precision,
    citation_recall,
    cohen_kappa,
    confusion_matrix,
    figure_correct,
    hit_at_k,
    hits,
    key_fact_recall,
    mean,
    ndcg_at_k,
    normalise_text,
    percentile,
    polarity,
    quote_on_page,
    recall_at_k,
    reciprocal_rank,
    yes_no_outcome,
)

G = GoldSource
R = Retrieved


# --- matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "gold", "expected"),
    [
        pytest.param(R("a.pdf", 3), G("a.pdf", 3), True, id="same-page"),
        pytest.param(R("a.pdf", 4), G("a.pdf", 3), False, id="other-page"),
        pytest.param(R("b.pdf", 3), G("a.pdf", 3), False, id="other-file"),
        pytest.param(R("a.pdf", 9), G("a.pdf", None), True, id="gold-no-page-file-only"),
        pytest.param(R("a.md", None), G("a.md", None), True, id="both-no-page"),
        pytest.param(R("a.pdf", None), G("a.pdf", 3), False, id="retrieved-no-page-vs-gold-page"),
        pytest.param(R("a.pdf", 2, 4), G("a.pdf", 3), True, id="span-includes-page"),
        pytest.param(R("a.pdf", 2, 4), G("a.pdf", 4), True, id="span-end-inclusive"),
        pytest.param(R("a.pdf", 2, 4), G("a.pdf", 5), False, id="span-excludes-page"),
    ],
)
def test_hits(item: Retrieved, gold: GoldSource, expected: bool) -> None:
    assert hits(item, gold) is expected


# --- retrieval metrics ----------------------------------------------------------------

GOLD_TWO = [G("a.pdf", 3), G("b.pdf", None)]


@pytest.mark.parametrize(
    ("retrieved", "gold", "k", "hit", "recall"),
    [
        pytest.param([], GOLD_TWO, 5, 0.0, 0.0, id="empty-retrieval"),
        pytest.param([R("x.pdf", 1), R("a.pdf", 3)], GOLD_TWO, 1, 0.0, 0.0, id="hit-beyond-k"),
        pytest.param([R("x.pdf", 1), R("a.pdf", 3)], GOLD_TWO, 2, 1.0, 0.5, id="one-of-two"),
        pytest.param([R("b.pdf", 7), R("a.pdf", 2, 3)], GOLD_TWO, 2, 1.0, 1.0, id="both-gold"),
        pytest.param([R("a.pdf", 3), R("a.pdf", 3)], GOLD_TWO, 5, 1.0, 0.5, id="duplicates"),
        pytest.param([R("b.pdf", None)], [G("b.pdf", None)], 1, 1.0, 1.0, id="file-only"),
    ],
)
def test_hit_and_recall_at_k(
    retrieved: list[Retrieved], gold: list[GoldSource], k: int, hit: float, recall: float
) -> None:
    assert hit_at_k(retrieved, gold, k) == hit
    assert recall_at_k(retrieved, gold, k) == pytest.approx(recall)


@pytest.mark.parametrize(
    ("retrieved", "expected"),
    [
        pytest.param([], 0.0, id="empty"),
        pytest.param([R("x.pdf", 1), R("y.pdf", 1)], 0.0, id="no-hit"),
        pytest.param([R("a.pdf", 3)], 1.0, id="first"),
        pytest.param([R("x.pdf", 1), R("y.pdf", 1), R("b.pdf", 2)], 1 / 3, id="third"),
    ],
)
def test_reciprocal_rank(retrieved: list[Retrieved], expected: float) -> None:
    assert reciprocal_rank(retrieved, GOLD_TWO) == pytest.approx(expected)


def _dcg(*ranks: int) -> float:
    return sum(1 / math.log2(r + 1) for r in ranks)


@pytest.mark.parametrize(
    ("retrieved", "gold", "k", "expected"),
    [
        pytest.param([], GOLD_TWO, 3, 0.0, id="empty"),
        pytest.param([R("a.pdf", 3), R("b.pdf", 1)], GOLD_TWO, 3, 1.0, id="ideal"),
        # Only rank 2 is relevant; ideal has two relevant items at ranks 1-2.
        pytest.param(
            [R("x.pdf", 1), R("a.pdf", 3)], GOLD_TWO, 3, _dcg(2) / _dcg(1, 2), id="late-hit"
        ),
        # The repeat of a.pdf p3 earns nothing, so b.pdf at rank 3 is the second gain.
        pytest.param(
            [R("a.pdf", 3), R("a.pdf", 3), R("b.pdf", 1)],
            GOLD_TWO,
            3,
            _dcg(1, 3) / _dcg(1, 2),
            id="duplicates-not-counted-twice",
        ),
        pytest.param(
            [R("a.pdf", 3), R("a.pdf", 3)], GOLD_TWO, 2, _dcg(1) / _dcg(1, 2), id="only-dupes"
        ),
        # k=1 caps the ideal at one relevant item, so a top hit is perfect.
        pytest.param([R("b.pdf", 4)], GOLD_TWO, 1, 1.0, id="ideal-capped-by-k"),
        # A span covering both gold pages credits both; the later duplicate earns nothing.
        pytest.param(
            [R("c.pdf", 1, 2), R("c.pdf", 2)],
            [G("c.pdf", 1), G("c.pdf", 2)],
            2,
            _dcg(1) / _dcg(1, 2),
            id="span-credits-all-its-gold",
        ),
    ],
)
def test_ndcg_at_k(
    retrieved: list[Retrieved], gold: list[GoldSource], k: int, expected: float
) -> None:
    assert ndcg_at_k(retrieved, gold, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: hit_at_k([R("a.pdf", 1)], [], 3), id="hit"),
        pytest.param(lambda: recall_at_k([], [], 3), id="recall"),
        pytest.param(lambda: reciprocal_rank([R("a.pdf", 1)], []), id="rr"),
        pytest.param(lambda: ndcg_at_k([R("a.pdf", 1)], [], 3), id="ndcg"),
        pytest.param(lambda: hit_at_k([], GOLD_TWO, 0), id="k-zero"),
    ],
)
def test_retrieval_metrics_reject_empty_gold_and_bad_k(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        call()


# --- text normalisation and key facts -----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("  Water\n\tREUSE  ", "water reuse", id="casefold-whitespace"),
        pytest.param("12,500 jobs", "12500 jobs", id="comma-thousands"),
        pytest.param("1,250,000", "1250000", id="comma-millions"),
        pytest.param("12 500", "12500", id="space-thousands"),
        pytest.param("12\u00a0500", "12500", id="nbsp-thousands"),
        pytest.param("12\u202f500", "12500", id="narrow-nbsp-thousands"),
        pytest.param("12\u2009500", "12500", id="thin-space-thousands"),
        pytest.param("3,14159", "3,14159", id="not-a-thousands-group"),
        pytest.param("2019 500 firms", "2019 500 firms", id="four-digit-head-kept"),
        pytest.param("0.125 500", "0.125 500", id="decimal-not-merged"),
        pytest.param("62 %", "62%", id="percent-space"),
        pytest.param("62 percent", "62%", id="percent-word"),
        pytest.param("62 Per Cent", "62%", id="per-cent-words"),
        pytest.param("62%", "62%", id="percent-already"),
        pytest.param("2019\u20132023 \u2014 a\u2212b", "2019-2023 - a-b", id="dashes"),
        pytest.param("1,200 m\u00b3/day", "1200 m3/day", id="cubic-superscript"),
        pytest.param("1200 m3/day", "1200 m3/day", id="cubic-plain"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("answer", "facts", "expected"),
    [
        pytest.param("Anything.", [], None, id="no-facts"),
        pytest.param(
            "The park treats 12 500 m\u00b3 per day and reuses 62 per cent.",
            ["12,500 m3", "62%"],
            1.0,
            id="all-after-normalisation",
        ),
        pytest.param("Solar covers 40 %.", ["40 percent", "ISO 14001"], 0.5, id="half"),
        pytest.param("It reported 125,000 tonnes.", ["12,500"], 0.0, id="no-partial-number"),
    ],
)
def test_key_fact_recall(answer: str, facts: list[str], expected: float | None) -> None:
    assert key_fact_recall(answer, facts) == expected


def test_key_fact_recall_rejects_blank_fact() -> None:
    with pytest.raises(ValueError):
        key_fact_recall("text", ["  "])


@pytest.mark.parametrize(("question", "gold", "text", "abstained", "expected"), [
    ("Is there a clinic?", "No. There is no clinic.", "No for X, according to ...", False, "right"),
    ("Is there a clinic?", "No. There is no clinic.", "Yes for X, according to ...", False, "wrong"),
    ("Is there a clinic?", "Not yet: it opens in 2025.", "Not fully for X, ...", False, "right"),
    ("Is there a clinic?", "Yes. A clinic opened in 2020.", "The zone has a clinic. [1]", False, "none"),
    ("Is there a clinic?", "Yes. A clinic opened in 2020.", "The indexed documents ...", True, "none"),
    ("Is there a clinic?", "Only some firms have one.", "Yes for X", False, None),  # no gold yes/no
    ("How many clinics are there?", "No clinic.", "No for X", False, None),         # not a yes/no question
])
def test_yes_no_outcome(question: str, gold: str, text: str, abstained: bool, expected: str | None) -> None:
    assert yes_no_outcome(question, gold, text, abstained) == expected


def test_polarity_reads_only_the_first_word() -> None:
    assert polarity("**Yes**, according to") == "yes"
    assert polarity("Nothing was found") is None and polarity("Notably, ...") is None


@pytest.mark.parametrize(("figure", "facts", "expected"), [
    ("2,300", ["2,300 households", "14 cooperatives"], True),
    ("14", ["2,300 households"], False),
    ("1,850 m3/day", ["1850 m3/day"], True),
    (None, ["2,300 households"], None),       # no figure given: nothing to be wrong about
    ("64", ["hotline", "grievance committee"], None),  # no figure asked for
])
def test_figure_correct(figure: str | None, facts: list[str], expected: bool | None) -> None:
    assert figure_correct(figure, facts) is expected


# --- citations and abstention ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cited", "gold", "precision", "recall"),
    [
        pytest.param([], GOLD_TWO, None, 0.0, id="nothing-cited"),
        pytest.param([R("a.pdf", 3)], [], 0.0, None, id="unanswerable-but-cited"),
        pytest.param([], [], None, None, id="both-empty"),
        pytest.param([R("a.pdf", 3), R("x.pdf", 1)], GOLD_TWO, 0.5, 0.5, id="half-half"),
        pytest.param(
            [R("a.pdf", 3), R("a.pdf", 3), R("b.pdf", None)], GOLD_TWO, 1.0, 1.0, id="all"
        ),
        pytest.param([R("a.pdf", None)], GOLD_TWO, 0.0, 0.0, id="pageless-citation"),
    ],
)
def test_citations(
    cited: list[Retrieved],
    gold: list[GoldSource],
    precision: float | None,
    recall: float | None,
) -> None:
    assert citation_precision(cited, gold) == precision
    assert citation_recall(cited, gold) == recall


@pytest.mark.parametrize(
    ("answerable", "abstained", "expected"),
    [
        pytest.param(True, False, True, id="answered-answerable"),
        pytest.param(False, True, True, id="abstained-unanswerable"),
        pytest.param(True, True, False, id="abstained-answerable"),
        pytest.param(False, False, False, id="answered-unanswerable"),
    ],
)
def test_abstention_correct(answerable: bool, abstained: bool, expected: bool) -> None:
    assert abstention_correct(answerable, abstained) is expected


# --- statistics -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        pytest.param([1, 2, 3, 4], 50, 2.5, id="median-even"),
        pytest.param([3, 1, 2], 50, 2.0, id="median-odd-unsorted"),
        pytest.param([1, 2, 3, 4], 0, 1.0, id="min"),
        pytest.param([1, 2, 3, 4], 100, 4.0, id="max"),
        # position (4-1)*0.9 = 2.7 -> 3 + 0.7*(4-3)
        pytest.param([1, 2, 3, 4], 90, 3.7, id="p90"),
        # position (5-1)*0.95 = 3.8 -> 40 + 0.8*(100-40)
        pytest.param([10, 20, 30, 40, 100], 95, 88.0, id="p95"),
        pytest.param([7.5], 95, 7.5, id="single"),
    ],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("values", "q"),
    [pytest.param([], 50, id="empty"), pytest.param([1.0], 101, id="q-too-big")],
)
def test_percentile_rejects(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([1.0, None, 2.0], 1.5, id="skips-none"),
        pytest.param([None, None], None, id="all-none"),
        pytest.param([], None, id="empty"),
    ],
)
def test_mean(values: list[float | None], expected: float | None) -> None:
    assert mean(values) == expected


# Textbook-style case: 50 items rated yes/no by two raters.
#   gold yes & pred yes: 20   gold yes & pred no: 5
#   gold no  & pred yes: 10   gold no  & pred no: 15
# observed p_o = (20 + 15) / 50 = 0.70
# gold yes 25/50 = 0.5, pred yes 30/50 = 0.6
# chance p_e = 0.5*0.6 + 0.5*0.4 = 0.50
# kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
_TEXTBOOK_GOLD = ["yes"] * 25 + ["no"] * 25
_TEXTBOOK_PRED = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        pytest.param(["a", "b", "c"], ["a", "b", "c"], 1.0, id="perfect"),
        pytest.param(["x", "x", "x"], ["x", "x", "x"], 1.0, id="perfect-single-class"),
        # p_o = 0.5, p_e = 0.5*0.5 + 0.5*0.5 = 0.5 -> 0
        pytest.param(["a", "a", "b", "b"], ["a", "b", "a", "b"], 0.0, id="chance"),
        # p_o = 0, p_e = 0.5 -> (0 - 0.5) / 0.5 = -1
        pytest.param(["a", "b"], ["b", "a"], -1.0, id="systematic-disagreement"),
        # Gold is all "a": p_e = 1 * (2/3) = 2/3, p_o = 2/3 -> 0
        pytest.param(["a", "a", "a"], ["a", "a", "b"], 0.0, id="one-rater-single-class"),
        pytest.param(_TEXTBOOK_GOLD, _TEXTBOOK_PRED, 0.4, id="textbook"),
    ],
)
def test_cohen_kappa(gold: list[str], pred: list[str], expected: float) -> None:
    assert cohen_kappa(gold, pred) == pytest.approx(expected)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: cohen_kappa(["a"], ["a", "b"]), id="kappa-length"),
        pytest.param(lambda: cohen_kappa([], []), id="kappa-empty"),
        pytest.param(lambda: cohen_kappa(["a"], ["z"], labels=["a", "b"]), id="kappa-unknown"),
        pytest.param(lambda: agreement([], []), id="agreement-empty"),
        pytest.param(lambda: confusion_matrix(["a"], ["z"], ["a"]), id="matrix-unknown"),
        pytest.param(lambda: confusion_matrix(["a"], [], ["a"]), id="matrix-length"),
    ],
)
def test_label_functions_reject_bad_input(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        call()


def test_agreement() -> None:
    assert agreement(_TEXTBOOK_GOLD, _TEXTBOOK_PRED) == pytest.approx(0.7)


def test_confusion_matrix_rows_gold_columns_predicted() -> None:
    matrix = confusion_matrix(_TEXTBOOK_GOLD, _TEXTBOOK_PRED, ["yes", "no", "maybe"])
    assert matrix == {
        "yes": {"yes": 20, "no": 5, "maybe": 0},
        "no": {"yes": 10, "no": 15, "maybe": 0},
        "maybe": {"yes": 0, "no": 0, "maybe": 0},
    }


# --- quotes ---------------------------------------------------------------------------

PAGE = (
    "The zone operates a central waste-\nwater treatment plant. Over 60% of\n"
    "process water is recy-\ncled, and the eco-\nindustrial park  hosts 42 firms."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        pytest.param("central waste-water treatment plant", True, id="real-hyphen-kept"),
        pytest.param("process water is recycled", True, id="split-word-joined"),
        pytest.param("the ECO-INDUSTRIAL park hosts", True, id="compound-and-case"),
        pytest.param("over 60% of   process water", True, id="whitespace"),
        pytest.param("hosts 43 firms", False, id="absent"),
        pytest.param("   ", False, id="blank-quote"),
    ],
)
def test_quote_on_page(quote: str, expected: bool) -> None:
    assert quote_on_page(quote, PAGE) is expected
