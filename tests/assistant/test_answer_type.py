"""What a question asks for, and whether a sentence can hold it (sentences written for the test)."""

from __future__ import annotations

import pytest

from assistant.answer_type import clauses, expected_answer, fits


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What does a cubic metre of tap water cost here?", "rate"),  # a price per something
        ("How much do tenants pay in rent each month?", "rate"),
        ("What land and service fee did the zone charge in 2022?", "money"),
        ("What share of the workforce is female?", "share"),
        ("What proportion of sludge is composted?", "share"),
        ("When was the permit signed?", "date"),
        ("In which year did the plant open?", "date"),
        ("What time does the first bus leave?", "clock"),
        ("How many cubic metres are pumped each day?", "volume"),
        ("How big is the rooftop array, in peak kilowatts?", "power"),
        # An amount of electricity is energy, not a plant's power (round 11).
        ("How much grid electricity did the zone consume in 2021?", "energy"),
        ("What was the zone's total energy use in 2023?", "energy"),
        ("How much burnt residue from the power station was sold?", "open"),
        ("How many hectares of forest are protected?", "area"),
        ("How far is the estate from the airport?", "duration+length"),
        ("How many tenants are there?", "count"),
        ("Who is the general manager of the operator?", "person"),
        ("How is hazardous waste handled?", "open"),
        # A conditional "when" is not a question about a date.
        ("When a report is late, what does the operator do?", "open"),
        # Two questions in one: either part may be answered.
        ("How many people work in the team, and what roles do they hold?", "open"),
    ],
)
def test_the_kind_of_answer_follows_the_question(question: str, kind: str) -> None:
    assert expected_answer(question).kind == kind


@pytest.mark.parametrize(
    ("question", "sentence", "ok"),
    [
        ("What electricity tariff do factories pay?", "Power is sold to tenants at USD 0.16 per kWh.", True),
        ("What electricity tariff do factories pay?", "Factories draw power from a 22 kV grid line.", False),
        ("What share of water is reused?", "Nine of the 20 tenants reuse their rinse water.", True),
        ("What share of water is reused?", "All treated water goes back to the cooling towers.", True),
        ("What share of water is reused?", "Reuse started at the dye house in 2021.", False),
        ("What share of firms buy locally?", "Firms buying from local shops: 12 of 40.", True),
        ("What share of firms buy locally?", "Rooftop panels on 12 out of 40 roofs.", True),
        ("What share of firms buy locally?", "Local shops opened 12 stalls in 2024.", False),
        ("When was the permit signed?", "The discharge permit was signed in March 2023.", True),
        ("When was the permit signed?", "The discharge permit covers the outfall.", False),
        ("How many cubic metres are pumped daily?", "The wells deliver 640 m3/day.", True),
        ("How many cubic metres are pumped daily?", "The wells deliver 64% of the supply.", False),
        ("How far is the estate from the airport?", "The airport is a 40-minute drive away.", True),
        ("How far is the estate from the airport?", "The airport is 35 km to the north.", True),
        # A span of time may carry one qualifying word (round 11).
        ("How long does an assessment take?", "A first assessment takes about 2 to 3 person-days.", True),
        ("How long does an assessment take?", "The review took 10 working days.", True),
        ("How long does an assessment take?", "The assessment covered 3 zones and 64 items.", False),
        ("What time does the first bus leave?", "The first bus leaves the depot at 5:30.", True),
        ("What time does the first bus leave?", "Buses leave the depot every day.", False),
        ("Who is the general manager of the operator?", "The operator is run by Mr. Dara Sok.", True),
        ("Who is the general manager of the operator?", "The operator employs 18 staff.", False),
        ("How is hazardous waste handled?", "Hazardous waste goes to a licensed contractor.", True),
    ],
)
def test_a_sentence_fits_only_if_it_holds_that_kind_of_answer(question: str, sentence: str, ok: bool) -> None:
    assert fits(expected_answer(question), sentence) is ok


# --- Khmer questions: the interrogative says what is wanted (written for the test) ----------
@pytest.mark.parametrize(("question", "kind"), [
    ("តើរោងចក្រនេះបើកនៅពេលណា?", "date"),            # when does the plant open?
    ("តើច្បាប់នេះចេញនៅឆ្នាំណា?", "date"),             # which year was the rule issued?
    ("តើអ្នកណាជាប្រធានការិយាល័យ?", "person"),          # who heads the office?
    ("តើកម្មករប៉ុន្មាននាក់ធ្វើការនៅទីនោះ?", "count"),    # how many workers work there?
    ("តើហាងបើកម៉ោងប៉ុន្មាន?", "clock"),                # at what hour does the shop open?
    ("តើមានសួនច្បារដែរឬទេ?", "open"),                  # is there a garden?
    ("តើប្រធានការិយាល័យមានឈ្មោះអ្វី?", "person"),        # what is the name of the office's head?
    ("តើការជួសជុលស្ពានចំណាយប៉ុន្មានដុល្លារ?", "money"),   # how many dollars did the bridge repair cost?
    ("តើទឹកមួយម៉ែត្រគូបថ្លៃប៉ុន្មាន?", "money"),          # what does a cubic metre of water cost?
])
def test_khmer_question_words_give_the_kind_of_answer(question: str, kind: str) -> None:
    assert expected_answer(question).kind == kind


def test_khmer_sentences_are_read_with_khmer_digits_and_month_names() -> None:
    when = expected_answer("តើរោងចក្រនេះបើកនៅពេលណា?")
    assert fits(when, "រោងចក្របើកនៅខែមីនា។")          # names a month
    assert fits(when, "រោងចក្របើកនៅឆ្នាំ២០២៥។")          # a year in Khmer digits
    assert not fits(when, "រោងចក្រមានទំហំធំ។")            # no date at all
    count = expected_answer("តើកម្មករប៉ុន្មាននាក់ធ្វើការនៅទីនោះ?")
    assert fits(count, "កម្មករ ៤៥០ នាក់ធ្វើការនៅទីនោះ។")
    assert not fits(count, "កម្មករជាច្រើនធ្វើការនៅទីនោះ។")
    money = expected_answer("តើការជួសជុលស្ពានចំណាយប៉ុន្មានដុល្លារ?")
    assert fits(money, "ការជួសជុលស្ពានចំណាយ ១២០០០ ដុល្លារ។")   # an amount in dollars
    assert not fits(money, "ស្ពានមានប្រវែង ១២០ ម៉ែត្រ។")          # a figure, but no currency


def test_a_deadline_is_a_date_or_a_span_and_a_second_question_part_is_read_on_its_own() -> None:
    deadline = expected_answer("By when must the operator publish its annual report?")
    assert deadline.kinds == {"date", "duration"}
    assert fits(deadline, "The operator publishes the report within 90 days of the year end.")
    assert fits(deadline, "The report is due on 31 March.")
    assert not fits(deadline, "The operator publishes an annual report.")
    # "What must be fixed, and by when?": the first part asks for anything.
    assert expected_answer("What must the operator fix at the pump house, and by when?").open


@pytest.mark.parametrize(("question", "parts"), [
    ("How much hazardous waste is generated, what kinds, and how much goes to licensed operators?",
     ["How much hazardous waste is generated", "what kinds", "how much goes to licensed operators?"]),
    ("Leaving aside the heat cases, how many accidents were logged, and how many firms have a panel?",
     ["Leaving aside the heat cases, how many accidents were logged", "how many firms have a panel?"]),
    ("Who developed the zone and who owns the developer?",
     ["Who developed the zone", "who owns the developer?"]),
    ("Which zones have solar, wind and biogas?", ["Which zones have solar, wind and biogas?"]),
    ("At Takeo Agri, how many firms are there?", ["At Takeo Agri, how many firms are there?"]),
])
def test_a_question_is_read_as_the_questions_it_asks(question: str, parts: list[str]) -> None:
    assert clauses(question) == parts


@pytest.mark.parametrize(("sentence", "ok"), [
    ("The Board approved USD 48,000 for its upkeep.", False),  # a sum of money counts nothing
    ("Next meeting: 20 September 2024.", False),  # the day of a date counts nothing
    ("The desk logged 19 cases since January.", True),
    ("It cost USD 2.5 million and 3 firms shared it.", True),
])
def test_a_count_is_a_number_of_things(sentence: str, ok: bool) -> None:
    assert fits(expected_answer("How many concerns did the desk receive?"), sentence) is ok


def test_paying_asks_for_money() -> None:
    assert expected_answer("How much is the developer paying for the plant?").kind == "money"


@pytest.mark.parametrize(("sentence", "ok"), [
    ("USD 310 million went into land, roads and 2,400 worker dormitory rooms.", False),  # a total
    ("Dormitory rooms rent for USD 25 per month.", True),
    ("The fee is USD 85/month for each room.", True),
])
def test_a_price_asked_per_month_is_a_sum_with_its_per(sentence: str, ok: bool) -> None:
    want = expected_answer("How much does a dormitory room cost per month?")
    assert want.kind == "rate" and fits(want, sentence) is ok
    # Without "per ...", any sum answers a price question.
    assert fits(expected_answer("How much does a dormitory room cost?"), sentence)
