"""The extractive answerer's parts on hand-made passages (deterministic hashing embedder).

Figures and disagreements alone (assistant/conflicts.py): test_conflicts.py.
"""

from __future__ import annotations

import pytest

from assistant.catalogue import Criterion, Threshold, Zone
from assistant.compose import _is_cut
from assistant.extractive import ExtractiveAnswerer
from assistant.query import QueryPlan
from assistant.types import Chunk, ScoredChunk
from indexing.embed import HashingEmbedder


def _passage(n: int, text: str, *, source: str, date: str, page: int = 1,
             dense_rank: int | None = None) -> ScoredChunk:
    chunk = Chunk(id=f"c{n}", text=text, source=source, page=page, section=None,
                  doc_type="zone_document", zone="demo-zone", title=source, date=date,
                  file_hash="h", ordinal=n)
    return ScoredChunk(chunk, score=1.0 / (60 + n), dense_rank=dense_rank, similarity=0.5)


def _answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(HashingEmbedder(), min_score=0.05)


def test_older_document_repeating_a_figure_is_not_called_a_disagreement() -> None:
    report = _passage(1, "The central effluent treatment plant has a capacity of 2,000 m3/day and "
                         "treated 1,440 m3/day in 2023.", source="report-2024.pdf", date="2024-04-22")
    profile = _passage(2, "Water treatment plant capacity 3,600 m3/day. Central effluent treatment plant "
                          "capacity 2,000 m3/day.", source="profile-2023.pdf", date="2023-07-14")
    question = "What is the capacity of the central effluent treatment plant?"
    answer = _answerer().answer(question, QueryPlan(question), [report, profile])
    assert not answer.abstained
    assert "disagree" not in answer.text


def test_newer_figure_first_when_documents_disagree() -> None:
    report = _passage(1, "Share of industrial wastewater treated at the CETP, 2024 100%.",
                      source="report-2024.pdf", date="2024-08-20")
    profile = _passage(2, "In 2022 the CETP is treating about 85% of the industrial wastewater produced.",
                       source="profile-2022.pdf", date="2022-06-30")
    question = "What share of industrial wastewater is treated at the CETP?"
    answer = _answerer().answer(question, QueryPlan(question), [profile, report])
    assert "disagree" in answer.text
    assert answer.text.index("100%") < answer.text.index("85%")
    assert {c.file for c in answer.citations} == {"report-2024.pdf", "profile-2022.pdf"}


def test_answers_cite_at_most_max_passages() -> None:
    passages = [
        _passage(n, f"The zone treats {n}0 m3/day of wastewater in plant number {n}.",
                 source=f"doc-{n}.pdf", date="2024-01-01", page=n)
        for n in range(1, 5)
    ]
    question = "How much wastewater does the zone treat?"
    answerer = ExtractiveAnswerer(HashingEmbedder(), min_score=0.05, max_passages=2,
                                  other_passage_ratio=0.0)
    answer = answerer.answer(question, QueryPlan(question), passages)
    assert 1 <= len({c.file for c in answer.citations}) <= 2


def test_a_question_sentence_is_never_quoted_as_an_answer() -> None:
    passage = _passage(1, "How many requirements are there? The catalogue lists 64 requirements.",
                       source="guide.pdf", date="2021-01-31")
    question = "How many requirements are there?"
    answer = _answerer().answer(question, QueryPlan(question), [passage])
    assert "?" not in answer.text and "64 requirements" in answer.text


def _scored_pair(answerer: ExtractiveAnswerer, question: str, passages: list[ScoredChunk]) -> list:
    return answerer.score_sentences(question, passages, set())


def test_a_nearly_as_good_sentence_from_a_newer_document_answers_first() -> None:
    text = "The central plant treats the industrial wastewater of the connected firms."
    older = _passage(1, text, source="profile-2022.pdf", date="2022-08-30")
    newer = _passage(2, text, source="report-2024.pdf", date="2024-08-20")
    question = "Which industrial wastewater does the central plant treat?"
    scored = _scored_pair(_answerer(), question, [older, newer])
    # Precondition: the older profile ranks first (retrieval order), the newer one close behind.
    assert scored[0].passage == 0 and scored[1].passage == 1
    assert 0.9 * scored[0].score <= scored[1].score < scored[0].score
    first_cited = _answerer().answer(question, QueryPlan(question), [older, newer]).citations[0]
    assert first_cited.file == "report-2024.pdf"
    strict = ExtractiveAnswerer(HashingEmbedder(), min_score=0.05, recency_ratio=1.0)
    assert strict.answer(question, QueryPlan(question), [older, newer]).citations[0].file == "profile-2022.pdf"


def _criterion() -> Criterion:
    return Criterion(id="SOC-4", category="social", subcategory="Social management systems",
                     title="Worker grievance mechanism", requirement="Workers can use a grievance mechanism.",
                     level="park+firm", indicator="Grievance mechanism available; cases received and resolved",
                     threshold=Threshold("present"))


def test_criterion_lead_states_level_and_indicator_and_stands_alone_when_nothing_adds_to_it() -> None:
    framework = _passage(1, "SOC-4 Worker grievance mechanism park+firm Grievance mechanism available.",
                         source="guide.pdf", date="2021-01-31", page=7)
    other = _passage(2, "Level Requirements park 35 firm 8 park+firm 21 SOC-2 SOC-4 SOC-5 worker grievance.",
                     source="guide.pdf", date="2021-01-31", page=9, dense_rank=1)
    question = "What does SOC-4 require for a worker grievance mechanism?"
    plan = QueryPlan(question, criteria=(_criterion(),))
    answer = _answerer().answer(question, plan, [other], {"SOC-4": framework})
    assert answer.text.startswith("SOC-4 (Worker grievance mechanism) requires:")
    assert "Level: park+firm." in answer.text and "cases received and resolved" in answer.text
    # The other page only repeats what the catalogue states: it is not quoted or cited.
    assert [c.page for c in answer.citations] == [7]


@pytest.mark.parametrize(
    ("unit", "first", "last", "cut"),
    [
        pytest.param("followed by activated sludge) with a capacity of 2,000 m3/day", True, False, True,
                     id="opens-inside"),
        pytest.param("The plant has moved from study to a signed contract, but", False, True, True,
                     id="stops-inside"),
        pytest.param("All wastewater passes through the plant, and about a third of the", False, False, True,
                     id="split-at-the-length-limit"),
        pytest.param("Distance to the industrial park", False, True, False, id="ends-with-a-noun"),
        pytest.param("firm: the firms must deliver it", False, False, False,
                     id="lower-case-inside-the-passage"),
    ],
)
def test_a_sentence_cut_by_the_chunk_boundary_is_recognised(unit: str, first: bool, last: bool,
                                                             cut: bool) -> None:
    assert _is_cut(unit, first=first, last=last) is cut


def test_answers_mark_a_quote_that_starts_inside_a_sentence() -> None:
    passage = _passage(1, "treated at the central plant, which has a capacity of 2,000 m3/day. It runs "
                          "at 72% of capacity.", source="report.pdf", date="2024-01-01")
    question = "What capacity does the central plant have?"
    answer = _answerer().answer(question, QueryPlan(question), [passage])
    assert "…treated at the central plant" in answer.text
    # The citation's quote stays verbatim, so it can be found on its page.
    assert answer.citations[0].quote.startswith("treated at the central plant")


class _SameLanguageBias:
    """A stand-in for a multilingual model: a Khmer question sits nearer to Khmer sentences
    (cosine 0.90) than to the English sentence that answers it (0.85)."""

    name = "bias-fake"
    dimension = 2

    def embed_documents(self, texts: list[str]):
        import numpy as np

        from indexing.khmer import is_khmer_text

        def vector(text: str, first: bool) -> list[float]:
            cos = 1.0 if first else (0.90 if is_khmer_text(text) else 0.85)
            return [cos, (1 - cos * cos) ** 0.5]

        return np.array([vector(t, i == 0) for i, t in enumerate(texts)], dtype=np.float32)

    def embed_query(self, text: str):
        return self.embed_documents([text])[0]


def test_the_same_language_bias_is_offset_for_sentences_in_the_other_language() -> None:
    question = "តើការត្រួតពិនិត្យបន្ទាប់គ្រោងធ្វើនៅពេលណា?"  # when is the next inspection planned?
    passages = [
        _passage(1, "ការិយាល័យគ្រប់គ្រងតំបន់បានចេញរបាយការណ៍ប្រចាំឆ្នាំ២០២៣ដល់ក្រសួង។", source="km.md",
                 date="2023-05-01"),
        _passage(2, "The next inspection of the treatment plant is planned for August 2024.", source="en.pdf",
                 date="2024-02-12"),
    ]
    plain = ExtractiveAnswerer(_SameLanguageBias(), cross_language_bonus=0.0)
    offset = ExtractiveAnswerer(_SameLanguageBias(), cross_language_bonus=0.08)

    def semantic(answerer: ExtractiveAnswerer) -> dict[str, float]:
        return {s.text[:3]: s.semantic for s in answerer.score_sentences(question, passages, set())}

    assert semantic(plain) == pytest.approx({"ការ": 0.90, "The": 0.85}, abs=1e-3)
    # Offset, the English sentence that answers is the closest (and the floor sees it so).
    assert semantic(offset) == pytest.approx({"ការ": 0.90, "The": 0.93}, abs=1e-3)


class _Cosines:
    """Embeds each sentence at a fixed cosine to the question (first text)."""

    name = "cosine-fake"
    dimension = 2

    def __init__(self, cosines: dict[str, float]) -> None:
        self.cosines = cosines

    def embed_documents(self, texts: list[str]):
        import numpy as np

        def vector(text: str, first: bool) -> list[float]:
            cos = 1.0 if first else self.cosines.get(text.strip(), 0.1)
            return [cos, (1 - cos * cos) ** 0.5]

        return np.array([vector(t, i == 0) for i, t in enumerate(texts)], dtype=np.float32)

    def embed_query(self, text: str):
        return self.embed_documents([text])[0]


def test_two_chunks_of_one_page_are_quoted_as_one_passage() -> None:
    top = "The pump station was inspected by the provincial team in March."
    rest = "The station must replace its broken valve within 30 days of the visit."
    fillers = [f"Filler sentence number {n} talks about the office building and parking." for n in range(4)]
    cos = {top: 0.9, rest: 0.6, **{f: 0.45 for f in fillers}}
    first = _passage(1, " ".join([top, *fillers]), source="letter.pdf", date="2024-03-20")
    second = _passage(2, rest, source="letter.pdf", date="2024-03-20")  # the same page, cut in two
    question = "What did the inspection of the pump station find, and what must be fixed?"
    answer = ExtractiveAnswerer(_Cosines(cos), min_score=0.05).answer(question, QueryPlan(question),
                                                                      [first, second])
    assert "broken valve" in answer.text
    # Chunks of different pages stay separate passages: the second page must add to the first.
    other_page = _passage(2, rest, source="letter.pdf", date="2024-03-20", page=2)
    apart = ExtractiveAnswerer(_Cosines(cos), min_score=0.05).answer(question, QueryPlan(question),
                                                                     [first, other_page])
    assert "broken valve" not in apart.text


def test_an_answer_that_names_a_thing_by_the_sentence_before_it_quotes_that_sentence() -> None:
    found = "The auditors found that the gate of the north loading dock was broken, so trucks queue outside."
    order = "The park operator must fix the gate within 30 days of the audit."
    fillers = [f"The audit team number {n} visited the park operator office on a weekday." for n in range(4)]
    cos = {order: 0.7, found: 0.1, **{f: 0.6 for f in fillers}}
    letter = _passage(1, " ".join([found, order, *fillers]), source="audit.pdf", date="2024-03-20")
    question = "What must the park operator fix after the audit, and by when?"
    answer = ExtractiveAnswerer(_Cosines(cos), min_score=0.05).answer(question, QueryPlan(question), [letter])
    assert "30 days" in answer.text and "north loading dock" in answer.text
    assert answer.text.index("north loading dock") < answer.text.index("30 days")  # reading order
    # Nothing is added when the sentence before names no noun of the answer's description.
    unrelated = "The auditors counted the trucks queuing outside the north loading dock."
    plain = _passage(1, " ".join([unrelated, order, *fillers]), source="audit.pdf", date="2024-03-20")
    cos[unrelated] = 0.1
    answer = ExtractiveAnswerer(_Cosines(cos), min_score=0.05).answer(question, QueryPlan(question), [plain])
    assert "30 days" in answer.text and "north loading dock" not in answer.text


def test_words_that_cannot_overlap_across_scripts_do_not_decide_against_the_other_language() -> None:
    """A Khmer question shares words with a Khmer sentence that lacks the date; the English
    sentence that has it can share none. Its similarity above the floor stands in for word
    overlap, so the answer quotes it instead of refusing as a near miss."""
    question = "តើការត្រួតពិនិត្យបន្ទាប់គ្រោងធ្វើនៅពេលណា?"  # when is the next inspection planned?
    passages = [
        _passage(1, "ការត្រួតពិនិត្យបន្ទាប់ត្រូវធ្វើដោយមន្ទីរបរិស្ថានខេត្ត។", source="km.md", date="2021-03-01"),
        _passage(2, "The next inspection of the treatment plant is planned for August 2024.", source="en.pdf",
                 date="2024-02-12"),
    ]
    answerer = ExtractiveAnswerer(_SameLanguageBias(), min_score=0.80, cross_language_bonus=0.08)
    scored = {s.text[:3]: s for s in answerer.score_sentences(question, passages, set())}
    assert scored["ការ"].lexical > 0.5  # same script: words counted
    # Other script: (0.93 - 0.80) / (1 - 0.80), times the one passage in two that is English.
    assert scored["The"].lexical == pytest.approx(0.5 * 0.65, abs=1e-3)
    answer = answerer.answer(question, QueryPlan(question), passages)
    assert not answer.abstained
    assert "August 2024" in answer.text and "en.pdf" in {c.file for c in answer.citations}
    # Without the offset (a model that matches within one language) nothing stands in.
    plain = ExtractiveAnswerer(_SameLanguageBias(), min_score=0.80, cross_language_bonus=0.0)
    assert {s.text[:3]: s.lexical for s in plain.score_sentences(question, passages, set())}["The"] == 0.0


def test_a_khmer_sentence_ends_with_its_own_mark() -> None:
    from assistant.compose import as_quoted

    assert as_quoted("ការត្រួតពិនិត្យធ្វើឡើងរៀងរាល់ឆ្នាំ។", first=True, last=True).endswith("ឆ្នាំ។")
    assert not _is_cut("ការត្រួតពិនិត្យធ្វើឡើងរៀងរាល់ឆ្នាំ។", first=False, last=True)


def test_a_question_that_asks_two_things_quotes_an_answer_to_each() -> None:
    # Scored against the whole question, the tonnage sentence ranks far above the reuse one;
    # the second part ("is any of it reused?") still gets its own answer.
    waste = _passage(1, "Tenants produced 118 tonnes of hazardous waste in 2023. "
                        "The hazardous waste store holds drums from the paint shops.",
                     source="report-2024.pdf", date="2024-05-01")
    reuse = _passage(2, "About 20 tonnes are reused by a cement kiln as fuel.",
                     source="plan-2023.pdf", date="2023-02-01")
    question = "How many tonnes of hazardous waste did tenants produce in 2023, and is any of it reused?"
    answerer = _answerer()
    whole = answerer.score_sentences(question, [waste, reuse], set())
    assert whole[0].text.startswith("Tenants produced 118 tonnes")
    assert next(s for s in whole if s.passage == 1).score < 0.95 * whole[0].score
    answer = answerer.answer(question, QueryPlan(question), [waste, reuse])
    assert "118 tonnes" in answer.text and "cement kiln" in answer.text
    assert {c.file for c in answer.citations} == {"report-2024.pdf", "plan-2023.pdf"}


def test_a_question_asked_once_gets_no_extra_quotes() -> None:
    waste = _passage(1, "Tenants produced 118 tonnes of hazardous waste in 2023.",
                     source="report-2024.pdf", date="2024-05-01")
    other = _passage(2, "About 20 tonnes are reused by a cement kiln as fuel.",
                     source="plan-2023.pdf", date="2023-02-01")
    question = "How many tonnes of hazardous waste did tenants produce in 2023?"
    answer = _answerer().answer(question, QueryPlan(question), [waste, other])
    assert "cement kiln" not in answer.text


def test_a_figure_for_other_years_does_not_answer_a_question_about_one_year() -> None:
    report = _passage(1, "Lost-time injuries recorded by tenants: 27 in 2022 and 22 in 2023.",
                      source="report-2024.pdf", date="2024-06-10")
    asked = "How many lost-time injuries did tenants record in 2021?"
    assert _answerer().answer(asked, QueryPlan(asked), [report]).abstained
    in_2023 = asked.replace("2021", "2023")
    answered = _answerer().answer(in_2023, QueryPlan(in_2023), [report])
    assert not answered.abstained and "22" in answered.text


@pytest.mark.parametrize(("sentence", "date", "asked", "fact"), [
    # Assessments report the previous year's figures without always naming the year.
    ("Water withdrawn from the river: 2.59 million m3.", "2024-04-18",
     "How much water was withdrawn from the river in 2023?", "2.59 million m3"),
    # A year that bounds a period asks for no figure of that year.
    ("The developer has invested about USD 97 million in roads and utilities.", "2022-11-08",
     "How much has the developer invested since 2015?", "USD 97 million"),
])
def test_a_figure_answers_a_question_about_its_reports_year_or_a_period(
    sentence: str, date: str, asked: str, fact: str
) -> None:
    passage = _passage(1, sentence, source="doc.pdf", date=date)
    answer = _answerer().answer(asked, QueryPlan(asked), [passage])
    assert not answer.abstained and fact in answer.text


def _framework(n: int, text: str) -> ScoredChunk:
    chunk = Chunk(id=f"f{n}", text=text, source="frameworks/primer.pdf", page=4, section=None,
                  doc_type="framework", zone=None, title="Primer", date="2024-02-01",
                  file_hash="h", ordinal=n)
    return ScoredChunk(chunk, score=1.0 / 60, dense_rank=1, similarity=0.6)


def test_a_zone_question_is_not_answered_by_the_frameworks_definition() -> None:
    # "What share of the workforce is local?" - the framework defines the indicator; only a
    # zone document can say what the share is.
    definition = _framework(1, "Local employment: the share of the workforce resident in the host "
                               "province, as a percentage of all workers.")
    zone_doc = _passage(2, "The canteen beside the gate is open to workers of each tenant.",
                        source="zones/demo-zone/profile.pdf", date="2024-01-01")
    question = "What share of the workforce at the demo zone is local?"
    plan = QueryPlan(question, zones=(Zone("demo-zone", "Demo Zone", "Kampot"),))
    assert _answerer().answer(question, plan, [definition, zone_doc]).abstained
    figure = _passage(3, "At the demo zone 88% of the workforce is local, resident in the host province.",
                      source="zones/demo-zone/report-2024.pdf", date="2024-06-01")
    answer = _answerer().answer(question, plan, [definition, figure])
    assert not answer.abstained and answer.citations[0].file == "zones/demo-zone/report-2024.pdf"
    # Without a zone, or when the question names a criterion, the framework may answer.
    unscoped = _answerer().answer(question, QueryPlan(question), [definition, zone_doc])
    assert not unscoped.abstained and unscoped.citations[0].file == "frameworks/primer.pdf"


def test_each_part_of_a_question_is_answered_for_the_year_it_asks_about() -> None:
    injuries = _passage(1, "Tenants recorded 31 lost-time injuries in 2021.",
                        source="report-2022.pdf", date="2022-03-01")
    later = _passage(2, "Fatalities recorded by tenants: 2 in 2023.",
                     source="note-2024.pdf", date="2024-05-01")
    question = "How many lost-time injuries did tenants record in 2021, and how many fatalities?"
    answer = _answerer().answer(question, QueryPlan(question), [injuries, later])
    assert "31 lost-time injuries" in answer.text
    assert "2 in 2023" not in answer.text  # the second part asks about 2021 too


def test_a_which_zone_question_is_answered_by_a_zone_not_by_a_page_that_names_none() -> None:
    pilot = _framework(1, "The ministry and UNIDO will choose one SEZ to host the green park pilot.")
    question = "Which SEZ was chosen to host the green park pilot?"
    plan = QueryPlan(question, zone_names=(("demo-zone", "Demo Zone"),))
    assert _answerer().answer(question, plan, [pilot]).abstained
    chosen = _framework(2, "The ministry chose Demo Zone to host the green park pilot.")
    assert "Demo Zone" in _answerer().answer(question, plan, [pilot, chosen]).text


@pytest.mark.parametrize(("question", "figure"), [
    # The counted noun names the figure: 2,300 households, not 14 cooperatives.
    ("How many households sell their harvest?", "2,300"),
    ("How many cooperatives sell their harvest?", "14"),
    # A year between a row's label and its value does not cut the label off.
    ("How much rice husk was burned in 2023?", "68,000 t"),
])
def test_the_opening_figure_is_the_one_the_question_names(question: str, figure: str) -> None:
    from assistant.compose import _asked_figure
    sentences = {
        "households": "The mills buy through contract farming with 14 farmer cooperatives representing "
                      "about 2,300 households in three provinces.",
        "cooperatives": "The mills buy through contract farming with 14 farmer cooperatives representing "
                        "about 2,300 households in three provinces.",
        "rice husk": "Wood chips bought: 2,100 t; Rice husk burned in the boiler in 2023: 68,000 t.",
    }
    sentence = next(s for key, s in sentences.items() if key in question)
    assert _asked_figure(question, sentence) == figure


def test_a_figure_the_question_states_is_not_its_answer() -> None:
    from assistant.answer_type import expected_answer, fits
    from assistant.compose import _asked_figure
    asked = "How many of the 64 requirements sit at park level?"
    assert not fits(expected_answer(asked), "The framework sets out 64 requirements.")
    assert fits(expected_answer(asked), "Of the 64 requirements, 35 sit at park level.")
    assert _asked_figure(asked, "Of the 64 requirements, 35 sit at park level.") == "35"


def test_the_sentence_that_goes_on_about_the_answer_by_a_pronoun_is_quoted_with_it() -> None:
    text = ("UNIDO has turned the framework into a spreadsheet-based assessment tool. It is meant for "
            "development agencies and service providers working with park management. The zone has "
            "a canteen.")
    passage = _passage(1, text, source="guide.pdf", date="2021-01-01")
    asked = "Who is UNIDO's spreadsheet assessment tool for?"
    answer = _answerer().answer(asked, QueryPlan(asked), [passage])
    assert "It is meant for development agencies" in answer.text
    assert "canteen" not in answer.text


def _quoted(text: str, passage: int, position: int, lexical: float):  # type: ignore[no-untyped-def]
    from assistant.extractive import ScoredSentence
    return ScoredSentence(text, passage, position, score=0.5, semantic=0.5, lexical=lexical)


@pytest.mark.parametrize(("asked", "quotes", "opening"), [
    # A quote about the question that negates says no, whichever quote comes first.
    ("Does the zone offer business services for small firms?",
     [("Small firms can lease ready-built factories.", 0.5),
      ("The zone offers no business services for small firms.", 0.8)], "No"),
    # A share under 100% in any deciding quote, for a question about all of something.
    ("Is all hazardous waste handled by licensed contractors?",
     [("Licensed contractors collect hazardous waste.", 0.6),
      ("In 2023, 92% of hazardous waste went to licensed contractors.", 0.6)], "Not fully"),
    # Quotes about something else give no verdict: they speak for themselves.
    ("Is there a clinic for workers?", [("The zone has a canteen and a bus station.", 0.1)],
     "The zone has a canteen"),
])
def test_a_yes_or_no_rests_on_the_quotes_about_the_question(
    asked: str, quotes: list[tuple[str, float]], opening: str
) -> None:
    from assistant.compose import compose
    passage = _passage(1, " ".join(t for t, _ in quotes), source="report-2024.pdf", date="2024-05-01")
    chosen = [_quoted(t, 0, i, lexical) for i, (t, lexical) in enumerate(quotes)]
    assert compose("extractive", asked, [], chosen, [passage], yes_no_overlap=0.3).text.startswith(opening)
