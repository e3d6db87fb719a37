"""Portfolio answers from a review store built here: statuses in force, provenance, citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.portfolio.answers import PortfolioAnswerer
from assistant.portfolio.matching import CriterionMatcher
from assistant.query import plan_query
from assistant.reviews import ReviewStore
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer
from indexing.embed import HashingEmbedder


@pytest.fixture(name="store")
def fixture_store(portfolio_store: ReviewStore) -> ReviewStore:
    return portfolio_store


SETTINGS = Settings()


def answerer(store, catalogue, registry) -> PortfolioAnswerer:  # type: ignore[no-untyped-def]
    return PortfolioAnswerer(lambda: store, catalogue, registry, SETTINGS,
                             CriterionMatcher(HashingEmbedder(dimension=4096), catalogue))


def ask(desk: PortfolioAnswerer, question: str, registry, catalogue, **kw):  # type: ignore[no-untyped-def]
    intent = plan_query(question, registry, catalogue, **kw).portfolio
    assert intent is not None, question
    return desk.reply(question, intent)


def cited_files(answer: Answer) -> set[str]:
    return {c.file for c in answer.citations}


def test_ranking_names_the_scorecards_top_zone_with_citations(store, catalogue, registry) -> None:
    reply = ask(answerer(store, catalogue, registry),
                "Which zone is most ready to become a green industrial park pilot?", registry, catalogue)
    assert reply.zones == ("mekong-riverside",)
    assert reply.answer.text.startswith("Mekong Riverside ranks first")
    assert "readiness" in reply.answer.text and "No prerequisite blocks it" in reply.answer.text
    assert len(reply.answer.citations) >= 2
    assert cited_files(reply.answer) == {"zones/mekong-riverside/reports/baseline-assessment-2024.pdf"}
    assert "Koh Kong Bay" in reply.answer.text and "Thnal Dach" in reply.answer.text  # the ranking
    assert "Not drafted yet" in reply.answer.warnings[0]  # five sample zones are not in the store


def test_criterion_across_zones_lists_exactly_the_matching_zones(store, catalogue, registry) -> None:
    desk = answerer(store, catalogue, registry)
    meets = ask(desk, "Which zones meet ENV-12?", registry, catalogue)
    assert set(meets.zones) == {"mekong-riverside", "koh-kong-bay"} and meets.criteria == ("ENV-12",)
    assert {c.zone for c in meets.answer.citations} >= {"mekong-riverside", "koh-kong-bay"}
    fails = ask(desk, "Which zones fail ENV-12?", registry, catalogue)
    assert fails.zones == ("thnal-dach",)
    semantic = ask(desk, "who has a worker grievance mechanism", registry, catalogue)
    assert semantic.criteria == ("SOC-4",) and semantic.zones == ("mekong-riverside",)


def test_reviewed_status_wins_and_says_by_whom(store, catalogue, registry) -> None:
    store.review("thnal-dach", "ENV-12", action="edit", reviewer="A. Sok", status="meets",
                 comment="the 2025 plant treats it all")
    reply = ask(answerer(store, catalogue, registry), "Which zones meet ENV-12?", registry, catalogue)
    assert "thnal-dach" in reply.zones
    line = next(x for x in reply.answer.text.splitlines() if x.startswith("- Thnal Dach"))
    assert "reviewed by A. Sok" in line and "the 2025 plant treats it all" in line
    assert "1 of 21 cells are reviewed" in reply.answer.text


def test_stale_cells_are_marked(store, catalogue, registry) -> None:
    store.mark_stale("koh-kong-bay", ["ENV-12"])
    reply = ask(answerer(store, catalogue, registry), "Which zones meet ENV-12?", registry, catalogue)
    line = next(x for x in reply.answer.text.splitlines() if x.startswith("- Koh Kong Bay"))
    assert "stale" in line


def test_zone_gaps_list_every_criterion_not_met_with_a_reason(store, catalogue, registry) -> None:
    reply = ask(answerer(store, catalogue, registry), "What are Thnal Dach's main gaps?",
                registry, catalogue)
    expected = {cid for cid, s in store.statuses["thnal-dach"].items() if s != "meets"}
    assert set(reply.criteria) == expected
    lines = [x for x in reply.answer.text.splitlines() if x.startswith("- ")]
    assert len(lines) == len(expected)
    for cid in expected:
        line = next(x for x in lines if x.startswith(f"- {cid} "))
        assert "decided by" in line and "To close it:" in line
    assert reply.answer.text.index("Blocking prerequisites") < reply.answer.text.index("ENV-12")


def test_comparison_says_which_zone_does_better(store, catalogue, registry) -> None:
    reply = ask(answerer(store, catalogue, registry),
                "Compare Mekong Riverside and Thnal Dach on ENV-12 and SOC-4", registry, catalogue)
    assert reply.zones == ("mekong-riverside",) and set(reply.criteria) == {"ENV-12", "SOC-4"}
    assert "Mekong Riverside does better" in reply.answer.text


def test_nothing_drafted_says_so_and_offers_drafting(tmp_path: Path, catalogue, registry) -> None:
    with ReviewStore(tmp_path / "empty.db") as empty:
        reply = ask(answerer(empty, catalogue, registry), "Which zones meet ENV-12?", registry, catalogue)
    assert reply.answer.abstained and "No zone has been drafted yet" in reply.answer.text
    assert "eip draft --all" in reply.answer.text and reply.answer.citations == ()


def test_before_drafting_a_which_zones_have_question_goes_to_the_documents(
    tmp_path: Path, catalogue, registry
) -> None:
    """"Which zones have a grievance mechanism?" asks no status: with nothing drafted, the
    dossiers decline it (``None``) and the answerer reads the documents; asking for a status
    still gets the offer to draft."""
    with ReviewStore(tmp_path / "empty.db") as empty:
        desk = answerer(empty, catalogue, registry)
        assert ask(desk, "Which zones have a worker grievance mechanism?", registry, catalogue) is None
        reply = ask(desk, "Which zones meet SOC-4?", registry, catalogue)
    assert reply is not None and "No zone has been drafted yet" in reply.answer.text


def test_a_question_naming_no_known_criterion_falls_back(store, catalogue, registry) -> None:
    desk = answerer(store, catalogue, registry)
    intent = plan_query("Which zones meet the zzqx qqzx requirement?", registry, catalogue).portfolio
    assert intent is not None and desk.reply("q", intent) is None


class FixedAnswerer:
    mode = "extractive"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def answer(self, question, plan, passages, framework_passages=None) -> Answer:  # type: ignore[no-untyped-def]
        self.asked.append(question)
        return Answer(question, "from the passages", abstained=False)


def test_the_assistant_routes_portfolio_questions_and_keeps_the_answer_shape(
        store, catalogue, registry, settings) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    index = SimpleNamespace(close=lambda: None, corpus_dir=None)
    passages = FixedAnswerer()
    assistant = Assistant(settings=settings, index=index, answerer=passages,  # type: ignore[arg-type]
                          registry=registry, catalogue=catalogue,
                          portfolio=answerer(store, catalogue, registry))
    answer = assistant.ask("Which zones meet ENV-12?")
    assert passages.asked == [] and set(answer.as_dict()) == {"question", "answer", "abstained",
                                                               "figure", "citations"}
    assert all(c["file"].startswith("zones/") for c in answer.as_dict()["citations"])
    streamed = list(assistant.stream("Which zones meet ENV-12?"))
    assert streamed[-1].text == answer.text and passages.asked == []
