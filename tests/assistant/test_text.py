"""Text utilities shared by the answerers, the citation checker and the drafter."""

from __future__ import annotations

import pytest

from assistant.text import (
    STOPWORDS,
    content_terms,
    has_number,
    numbers,
    overlap,
    split_sentences,
    stem,
    words,
)

KM = "ក្រសួងបរិស្ថានបានអនុម័តរបាយការណ៍នៅឆ្នាំ២០២១។ រោងចក្រមានសមត្ថភាព ៤៥០០ ម៉ែត្រគូបក្នុងមួយថ្ងៃ។ការតាមដានធ្វើរៀងរាល់ខែ៕"


def test_words_lower_case_and_keep_figures_whole() -> None:
    assert words("The CETP treats 62% of 1,200 m3/day; e.g. ENV-12.") == [
        "the", "cetp", "treats", "62%", "of", "1200", "m3", "day", "e.g", "env-12"]
    assert words("Solar 2.5 MW.") == ["solar", "2.5", "mw"]
    assert words("The CETP treats 1,440 m3/day") == ["the", "cetp", "treats", "1440", "m3", "day"]


def test_khmer_words_are_segmented_and_digits_read_as_ascii() -> None:
    assert {"ក្រសួង", "បរិស្ថាន", "អនុម័ត", "2021", "4500"} <= set(words(KM))


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [("treated", "treat"), ("treatment", "treat"), ("treats", "treat"), ("owns", "own"),
     ("owner", "own"), ("companies", "compa"), ("management", "manag"), ("tie", "tie"),
     ("2024", "2024"), ("ក្រសួង", "ក្រសួង")],
)
def test_stem_strips_one_suffix_and_keeps_five_letters(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_sentences_are_not_split_after_abbreviations() -> None:
    text = ("The EIA was approved under Sub-decree No. 72 in 2011. H.E. Mr. Sok signed it. "
            "See p. 4 of the report. Total approx. 5 ha were cleared.")
    assert split_sentences(text) == [
        "The EIA was approved under Sub-decree No. 72 in 2011.", "H.E. Mr. Sok signed it.",
        "See p. 4 of the report.", "Total approx. 5 ha were cleared."]


def test_a_pdf_line_wrap_after_an_abbreviation_does_not_end_the_sentence() -> None:
    # pypdf keeps the page's line breaks: "No." can end a line whose sentence goes on.
    text = ("The outlet met the limits of the Sub-decree No.\n27\ndischarge permit.\n"
            "The permit was renewed in March 2023.")
    assert split_sentences(text) == [
        "The outlet met the limits of the Sub-decree No. 27 discharge permit.",
        "The permit was renewed in March 2023."]


def test_a_lower_case_word_after_a_full_stop_does_not_start_a_sentence() -> None:
    assert split_sentences("He said so. it was late. Then 3 more came.") == [
        "He said so. it was late.", "Then 3 more came."]


def test_khmer_sentences_split_on_khan_and_bariyoosan() -> None:
    assert split_sentences(KM) == [
        "ក្រសួងបរិស្ថានបានអនុម័តរបាយការណ៍នៅឆ្នាំ២០២១។",
        "រោងចក្រមានសមត្ថភាព ៤៥០០ ម៉ែត្រគូបក្នុងមួយថ្ងៃ។",
        "ការតាមដានធ្វើរៀងរាល់ខែ៕",
    ]
    # English is split as before.
    assert split_sentences("The plant treats water. It was built in 2015.") == [
        "The plant treats water.", "It was built in 2015."]


def test_headings_bullets_and_table_rows_are_units_and_wrapped_lines_rejoin() -> None:
    text = ("1. Introduction\nThe zone was created in 2005 by the government of the country as a pilot.\n"
            "- a bullet\n| a | b |\nwrapped line\ncontinues here.")
    assert split_sentences(text) == [
        "1. Introduction", "The zone was created in 2005 by the government of the country as a pilot.",
        "a bullet", "| a | b |", "wrapped line continues here."]
    assert split_sentences("Key results\nThe plant treats industrial wastewater from the zone tenants "
                           "every day.")[0] == "Key results"


def test_a_run_of_lines_without_punctuation_is_cut_after_max_len() -> None:
    units = split_sentences("cell\n" * 30, max_len=50)
    assert len(units) == 3 and all(len(u) <= 55 for u in units)
    assert " ".join(units).split() == ["cell"] * 30


def test_content_terms_drop_stop_words_and_repeat_stems() -> None:
    assert {"the", "zone", "of"} <= STOPWORDS
    assert content_terms("The zone treats the treated wastewater of the zone") == ["treat", "waste"]
    assert content_terms("The zone treats the treated wastewater", drop={"wastewater"}) == ["treat"]


def test_numbers_are_normalised_and_read_khmer_digits() -> None:
    assert numbers("It treats 62% of 4,500 m3 at 2.5 bar in ២០២១") == {"62%", "4500", "3", "2.5", "2021"}
    assert has_number("ENV-12") and not has_number("no figure")


def test_overlap_is_the_share_of_question_terms_and_numbers_count_double() -> None:
    assert overlap(["treat", "2024", "solar"], "Treated in 2024.") == pytest.approx(3 / 4)
    assert overlap(["solar"], "Treated in 2024.") == 0.0
    assert overlap([], "anything") == 0.0
