"""Small text utilities shared by the answerers, the citation checker and the drafter."""

from __future__ import annotations

import re

from indexing import khmer

#: Words the keyword search leaves out of its query: function words and the words every zone
#: document repeats (a shorter list than the answerer's: BM25 discounts common words itself).
KEYWORD_STOPWORDS = frozenset(
    """a an and are as at be by does do did for from has have how in is it its of on or the to was
    what when where which who why with this that there their they zone zones sez special
    economic""".split()
) | khmer.STOPWORDS
#: Words that carry no topic for the answerer's and the drafter's word matching (the keyword
#: search's words and more).
STOPWORDS = KEYWORD_STOPWORDS | frozenset(
    """about above after again all also am any because been before being below between both but can
    could doing down during each few further had having he her here hers i if into itself just
    me more most my no nor not now off once only other our out over own same she should so some
    such than theirs them then these those through too under until up very we were while whom
    will would you your sezs park parks document documents tell give show list please much many
    say said according current currently""".split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9\-\.%]*[a-z0-9%]|[a-z0-9]")
_NUMBER = re.compile(r"\d")
# Abbreviations that take a name or a number after them ("Sub-decree No. 72", "H.E. Mr"):
# a full stop after one ends no sentence, within a line or at a PDF line wrap.
_ABBREVIATIONS = ("No.", "Nos.", "H.E.", "Mr.", "Ms.", "Dr.", "St.", "Art.", "p.", "pp.", "vs.",
                  "e.g.", "i.e.", "approx.", "Ref.")
_ENDS_IN_ABBREVIATION = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")$")
# Sentence ends followed by a capital/digit; table rows and bullets are their own units.
# Khmer sentences end in khan or bariyoosan, with or without a space after.
_SENT_SPLIT = re.compile(
    "".join(rf"(?<!\b{re.escape(a)})" for a in _ABBREVIATIONS)
    + r"(?<=[.!?])\s+(?=[A-Z0-9(\"'\u1780-\u17ff])|(?<=[\u17d4\u17d5])\s*(?=\S)"
)
#: Marks that end a sentence, Latin and Khmer.
SENTENCE_ENDS = (".", "!", "?", *khmer.SENTENCE_ENDS)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (keeps 62%, 1,200 as 1,200 -> '1' '200' is avoided).

    Khmer runs are segmented into words and Khmer digits read as ASCII (``indexing.khmer``).
    """
    if khmer.has_khmer(text):
        text = khmer.segment(text)
        return [w for w in _KHMER_OR_WORD.findall(text.lower().replace(",", "")) if w.strip()]
    return _WORD.findall(text.lower().replace(",", ""))


_KHMER_OR_WORD = re.compile(f"[{khmer.KHMER_CHARS}]+|" + _WORD.pattern)


_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ers", "er", "ies", "ied", "es",
             "ed", "s")


def stem(word: str) -> str:
    """A light stem: strip one common suffix, keep at most five letters.

    ``treated``/``treatment``/``treats`` -> ``treat``; ``owns``/``owner`` -> ``own``.
    Numbers and Khmer words are kept whole.
    """
    if _NUMBER.search(word) or khmer.has_khmer(word):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return word[:5]


# Words that ask *about* something rather than name it; answers rarely repeat them.
QUESTION_WORDS = frozenset(
    """big large small far long short fast slow high low minimum maximum main role kind kinds
    type types make made take taken look looks see seen done goes go went come comes came apply
    applies applied define defined mean means meant use uses used work works people happen
    happened change changed get got give given need needs needed say says tell exist exists
    existing set sets put kept keep keeps much many number total level describe explain
    summarise summarize known called name named across agree agreed stress stresses
    emphasise emphasize focus one two three four five six seven eight nine ten
    get gets getting behind must enough somewhere anywhere anyone anybody someone somebody
    something anything everything typical typically way ways rather whole part start end ends
    back away near nearest close well good bad badly quickly often usually still already ever
    really actually sort sorts thing things lot lots kind count counts counted sense fall
    falls turn turns end-to-end day-to-day offer offers bring brings send sends able allowed
    know known told""".split()
)


def content_terms(text: str, *, drop: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Stemmed content words of a text, without stop words and words in ``drop``."""
    out: list[str] = []
    seen: set[str] = set()  # a set, not ``in out``: linear in the length of the text
    for w in words(text):
        if w in STOPWORDS or w in drop or len(w) < 2:
            continue
        s = stem(w)
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def has_number(text: str) -> bool:
    return bool(_NUMBER.search(text))


def numbers(text: str) -> set[str]:
    """Numeric tokens (``62%``, ``4,500``, ``2.5``) in a normalised form."""
    return set(re.findall(r"\d+(?:\.\d+)?%?", khmer.ascii_digits(text).replace(",", "")))


_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.?\s+[A-Z][^.!?]*$")


def _is_heading(line: str, next_line: str, buffer_empty: bool) -> bool:
    """A heading line: numbered ("4.1 Developer"), or short and followed by prose."""
    n_words = len(line.split())
    if n_words > 8 or line.endswith((".", "!", "?", ",", ";", ":")):
        return False
    if _NUMBERED_HEADING.match(line):
        return True
    return (
        buffer_empty
        and n_words <= 6
        and not _NUMBER.search(line)
        and line[:1].isupper()
        and len(next_line.split()) >= 8
        and next_line[:1].isupper()
    )


def split_sentences(text: str, *, max_len: int = 240) -> list[str]:
    """Sentences of a passage, re-flowing PDF line wraps.

    Headings, table rows and bullets are units of their own; a run of lines without
    sentence punctuation (a PDF table comes out one cell per line) is cut after
    ``max_len`` characters.
    """
    units: list[str] = []
    buf = ""

    def flush() -> None:
        nonlocal buf
        if buf.strip():
            units.append(buf.strip())
        buf = ""

    lines = [ln.strip() for ln in text.splitlines()]
    for i, line in enumerate(lines):
        if not line:
            flush()
            continue
        following = next((ln for ln in lines[i + 1 :] if ln), "")
        if "|" in line or line.startswith(("- ", "• ", "* ")):
            flush()
            units.append(line.lstrip("-•* ").strip())
            continue
        if _is_heading(line, following, not buf):
            flush()
            units.append(line)
            continue
        buf = f"{buf} {line}" if buf else line
        parts = _SENT_SPLIT.split(buf)
        units.extend(p.strip() for p in parts[:-1] if p.strip())
        buf = parts[-1]
        ends = buf.endswith(SENTENCE_ENDS) and not _ENDS_IN_ABBREVIATION.search(buf)
        if ends or len(buf) > max_len:
            flush()
    flush()
    return units


def term_weight(term: str) -> float:
    """How much a question term counts in word overlap: a figure double."""
    return 2.0 if has_number(term) else 1.0


def term_overlap(question_terms: list[str], have: set[str] | frozenset[str]) -> float:
    """Share of the question's terms among ``have`` (a text's ``content_terms``), by weight."""
    if not question_terms:
        return 0.0
    total = sum(term_weight(t) for t in question_terms)
    return sum(term_weight(t) for t in question_terms if t in have) / total


def overlap(question_terms: list[str], text: str) -> float:
    """Share of the question's terms found in ``text`` (numbers count double)."""
    return term_overlap(question_terms, set(content_terms(text)))
