"""Khmer text: script detection, word segmentation, sentence ends and digits.

Khmer writes no spaces between words (spaces separate phrases), so a run of Khmer script
is one "word" to FTS5 and to the answerer's word matching. :func:`segment` splits such runs
into words with ``khmer-nltk`` (a CRF segmenter shipped with its model; loaded on first
use, never at import), caching results. Khmer digits (០-៩) map to ASCII ones
(:func:`ascii_digits`) wherever numbers are compared; the sentence ends are ``។`` (khan)
and ``៕`` (bariyoosan).

Used by the keyword index (``indexing.docstore``), the answerer's word handling and
sentence splitting (``assistant.text``) and quantities (``assistant.quantities``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict

logger = logging.getLogger(__name__)

#: Khmer letters, signs and digits (U+1780-U+17FF) and Khmer symbols (U+19E0-U+19FF).
KHMER_CHARS = "\u1780-\u17ff\u19e0-\u19ff"
_KHMER = re.compile(f"[{KHMER_CHARS}]")
# A run of Khmer script, its zero-width spaces included (they mark word breaks).
_KHMER_RUN = re.compile(f"[{KHMER_CHARS}\u200b]+")
#: Khmer sentence ends: khan and bariyoosan.
SENTENCE_ENDS = ("\u17d4", "\u17d5")
_PUNCT = frozenset("\u17d4\u17d5\u17d6\u17d7\u17d8\u17d9\u17da\u200b")
_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")

# Function words and question words: they carry no topic, so they are not search terms.
STOPWORDS = frozenset(
    """តើ អ្វី អ្វីខ្លះ ប៉ុន្មាន ណា ដែរ ឬ ទេ ឬទេ ដែរឬទេ នៅ ក្នុង នៃ និង ជា បាន មាន
    ដែល ពី ទៅ លើ ក្រោម ដោយ សម្រាប់ ចំពោះ នេះ នោះ គឺ ថា ក៏ ត្រូវ ការ ផង ហើយ
    របស់ ឲ្យ អោយ ឱ្យ ពេល ដល់ ទាំង យ៉ាង ដូចម្តេច ដូចម្ដេច ហេតុអ្វី កាលណា ពេលណា
    នរណា អ្នកណា មួយ ៗ តំបន់ សេដ្ឋកិច្ច ពិសេស""".split()
)

#: Khmer question words that say what kind of answer is wanted (``assistant.answer_type``),
#: by kind; matched as substrings (Khmer writes no spaces between words). Longest first:
#: ម៉ោងប៉ុន្មាន "at what hour" is a clock time, ប៉ុន្មានដុល្លារ "how many dollars" and
#: ថ្លៃប៉ុន្មាន "what price" an amount of money, ប៉ុន្មាន alone "how much / how many" a count;
#: ឈ្មោះអ្វី "what name" asks for a person as អ្នកណា "who" does.
QUESTION_KINDS: tuple[tuple[str, str], ...] = (
    ("ម៉ោងប៉ុន្មាន", "clock"), ("ពេលណា", "date"), ("កាលណា", "date"), ("ថ្ងៃណា", "date"),
    ("ខែណា", "date"), ("ឆ្នាំណា", "date"), ("អ្នកណា", "person"), ("នរណា", "person"),
    ("ឈ្មោះអ្វី", "person"), ("ប៉ុន្មានដុល្លារ", "money"), ("ប៉ុន្មានរៀល", "money"),
    ("ថ្លៃប៉ុន្មាន", "money"), ("តម្លៃប៉ុន្មាន", "money"), ("ភាគរយ", "share"), ("ប៉ុន្មាន", "count"),
)
#: Currency words of Khmer text (dollar, riel and the riel sign): an amount of money names one.
CURRENCIES = ("ដុល្លារ", "រៀល", "៛")
#: The months as Khmer writes them (a date in Khmer text names one, or a year).
MONTHS = ("មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា",
          "តុលា", "វិច្ឆិកា", "ធ្នូ")


def has_khmer(text: str) -> bool:
    """Whether ``text`` contains any Khmer character."""
    return bool(_KHMER.search(text))


def is_khmer_text(text: str) -> bool:
    """Whether most letters of ``text`` are Khmer (the question's language, for framing)."""
    khmer = len(_KHMER.findall(text))
    latin = sum(c.isascii() and c.isalpha() for c in text)
    return khmer > 0 and khmer >= latin


#: The languages a chunk's ``language`` metadata holds: Khmer, or English (anything else).
LANGUAGES = ("km", "en")


def language(text: str) -> str:
    """``"km"`` when most letters of ``text`` are Khmer, else ``"en"`` (the corpus's other language)."""
    return "km" if is_khmer_text(text) else "en"


def ascii_digits(text: str) -> str:
    """``text`` with Khmer digits ០-៩ as 0-9 (same length, so offsets still hold)."""
    return text.translate(_DIGITS)


class _Segmenter:
    """khmer-nltk's word segmenter, loaded once, with an LRU of segmented runs."""

    def __init__(self, entries: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._tokenize: object = None
        self._cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._entries = entries

    def _load(self) -> object:
        with self._lock:
            if self._tokenize is None:
                try:
                    from khmernltk import word_tokenize
                except ImportError as exc:
                    raise RuntimeError(
                        "Khmer word segmentation needs the 'khmer-nltk' package (a dependency of "
                        "eip-assistant; run `make install`)"
                    ) from exc
                # khmer-nltk logs at INFO to its own stderr handler on import.
                logging.getLogger("khmer-nltk").setLevel(logging.WARNING)
                self._tokenize = word_tokenize
        return self._tokenize

    def run(self, run: str) -> tuple[str, ...]:
        with self._lock:
            hit = self._cache.get(run)
            if hit is not None:
                self._cache.move_to_end(run)
                return hit
        tokenize = self._load()
        words: list[str] = []
        for part in run.split("\u200b"):
            if part:
                words.extend(w for w in tokenize(part) if w.strip() and w not in _PUNCT)  # type: ignore[operator]
        result = tuple(words)
        with self._lock:
            self._cache[run] = result
            while len(self._cache) > self._entries:
                self._cache.popitem(last=False)
        return result


_SEGMENTER = _Segmenter()


def khmer_words(text: str) -> list[str]:
    """The Khmer words of ``text`` in order (other scripts are ignored)."""
    out: list[str] = []
    for m in _KHMER_RUN.finditer(text):
        out.extend(_SEGMENTER.run(m.group()))
    return out


def segment(text: str) -> str:
    """``text`` with each Khmer run split into space-separated words and digits in ASCII.

    Text without Khmer comes back unchanged, so English documents index as before.
    """
    if not has_khmer(text):
        return text
    return ascii_digits(_KHMER_RUN.sub(lambda m: " ".join(_SEGMENTER.run(m.group())) or " ", text))


#: The refusal for a question asked in Khmer; it keeps the English sentence so that code
#: and people who look for :data:`assistant.types.REFUSAL` still find it.
KHMER_REFUSAL = "ឯកសារដែលបានធ្វើលិបិក្រមមិនឆ្លើយសំណួរនេះទេ។"
#: Framing of an answer to a Khmer question; the quotes that follow stay in their language.
KHMER_FRAMING = "យោងតាមឯកសារ (ដកស្រង់ជាភាសាដើមនៃឯកសារ)៖"
