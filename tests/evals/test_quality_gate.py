"""The quality gate: each question set must stay above its section of evals/thresholds.toml.

Two sets are gated: the sample corpus's held-out ``test`` split (the ``dev`` split is what
the answerer is tuned on) and the frozen independent set (evals/independent/), written
apart from the heuristics and never tuned on.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from assistant.service import build_assistant
from assistant.settings import Settings
from evals.assessments import run_assessment_eval
from evals.portfolio import load_portfolio_items, run_portfolio_eval
from evals.runner import load_questions, run_eval

REPO = Path(__file__).resolve().parents[2]
THRESHOLDS = tomllib.loads((REPO / "evals" / "thresholds.toml").read_text())
INDEPENDENT = REPO / "evals" / "independent"


@pytest.fixture(name="assistant", scope="module")
def fixture_assistant(sample_index_template: Path):
    assistant = build_assistant(Settings(data_dir=sample_index_template, corpus_dir=REPO / "corpus"))
    yield assistant
    assistant.close()


@pytest.fixture(name="independent_assistant", scope="module")
def fixture_independent_assistant(independent_index_template: Path):
    """The frozen independent corpus, with the scoring rule its own framework states."""
    rule = THRESHOLDS["assessments_independent"]["settings"]
    assistant = build_assistant(Settings(data_dir=independent_index_template, corpus_dir=INDEPENDENT / "corpus",
                                         **rule))
    yield assistant
    assistant.close()


def _check(report, gate: dict) -> None:  # type: ignore[no-untyped-def]
    for name, floor in gate["retrieval"].items():
        assert report.retrieval[name] >= floor, f"retrieval {name} {report.retrieval[name]:.3f} < {floor}"
    for name, floor in gate["answer"].items():
        value = report.answer[name]
        assert value is not None and value >= floor, f"answer {name} {value} < {floor}"


@pytest.mark.slow
def test_sample_test_split_meets_thresholds(assistant) -> None:
    questions = [q for q in load_questions(REPO / "evals" / "questions.jsonl") if q.split == "test"]
    report = run_eval(assistant, questions, k=5, compare=True)
    _check(report, THRESHOLDS["sample"])
    assert set(report.as_json()) == {"n", "config", "retrieval", "answer", "latency_ms", "per_question"}
    assert set(report.as_json()["answer"]) == {
        "key_fact_recall", "citation_precision", "citation_recall", "abstention_accuracy", "faithfulness",
        "answered_rate", "unanswerable_abstention", "paraphrase_agreement", "opening_figure_accuracy",
        "yes_no_accuracy", "yes_no_precision"}
    hybrid, dense, keyword = (report.compare[m]["hit@k"] for m in ("hybrid", "dense", "keyword"))
    assert hybrid >= dense and hybrid >= keyword, f"hybrid {hybrid} must match dense {dense}, keyword {keyword}"


@pytest.mark.slow
def test_sample_dev_split_meets_thresholds(assistant) -> None:
    questions = [q for q in load_questions(REPO / "evals" / "questions.jsonl") if q.split == "dev"]
    _check(run_eval(assistant, questions, k=5), THRESHOLDS["dev"])


@pytest.mark.slow
def test_independent_set_meets_thresholds(independent_assistant) -> None:
    report = run_eval(independent_assistant, load_questions(INDEPENDENT / "questions.jsonl"), k=5)
    _check(report, THRESHOLDS["independent"])


@pytest.mark.slow
def test_drafter_meets_thresholds(assistant) -> None:
    result = run_assessment_eval(assistant, REPO / "evals" / "assessments.yaml")
    gate = THRESHOLDS["assessments"]
    assert result["agreement"] >= gate["agreement"], result["agreement"]
    assert result["kappa"] >= gate["kappa"], result["kappa"]
    assert result["high_confidence_agreement"]["agreement"] >= gate["high_confidence_agreement"]
    assert result["leaks"] <= gate["leaks"], "evidence leaked across zones"
    assert result["quotes_not_on_page"] <= gate["quotes_not_on_page"], "quotes not on their page"
    assert result["threshold_contradictions"] <= gate["threshold_contradictions"]


@pytest.mark.slow
def test_drafter_meets_thresholds_on_the_independent_set(independent_assistant) -> None:
    result = run_assessment_eval(independent_assistant, INDEPENDENT / "assessments.yaml")
    gate = {k: v for k, v in THRESHOLDS["assessments_independent"].items() if k != "settings"}
    assert result["n"] >= 36
    assert result["agreement"] >= gate["agreement"], result["agreement"]
    assert result["kappa"] >= gate["kappa"], result["kappa"]
    assert result["high_confidence_agreement"]["agreement"] >= gate["high_confidence_agreement"]
    assert result["leaks"] <= gate["leaks"], "evidence leaked across zones"
    assert result["quotes_not_on_page"] <= gate["quotes_not_on_page"], "quotes not on their page"
    assert result["threshold_contradictions"] <= gate["threshold_contradictions"]


def _check_portfolio(result: dict, gate: dict) -> None:  # type: ignore[type-arg]
    for name, floor in gate.items():
        assert result[name] >= floor, f"portfolio {name} {result[name]:.3f} < {floor}"


@pytest.mark.slow
def test_sample_portfolio_test_split_meets_thresholds(assistant) -> None:
    items = [i for i in load_portfolio_items(REPO / "evals" / "portfolio.jsonl") if i.split == "test"]
    result = run_portfolio_eval(assistant, items, assessments=REPO / "evals" / "assessments.yaml")
    _check_portfolio(result, THRESHOLDS["portfolio"])


@pytest.mark.slow
def test_independent_portfolio_meets_thresholds(independent_assistant) -> None:
    result = run_portfolio_eval(independent_assistant, load_portfolio_items(INDEPENDENT / "portfolio.jsonl"),
                                assessments=INDEPENDENT / "assessments.yaml")
    _check_portfolio(result, THRESHOLDS["portfolio_independent"])
