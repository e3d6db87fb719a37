"""The evidence drafter: one zone against one criterion -> a cited, reviewable draft.

One module per job:

- :mod:`~assistant.dossier.thresholds` - threshold unit phrases, figures, the comparison;
- :mod:`~assistant.dossier.rows` - table rows written as sentences, parsed back into cells;
- :mod:`~assistant.dossier.signals` - the generic cues a sentence is read by;
- :mod:`~assistant.dossier.rules` - reading a sentence and deciding a status;
- :mod:`~assistant.dossier.matching` - criterion queries, quotable sentences and table rows;
- :mod:`~assistant.dossier.wording` - rationale, justification and gaps;
- :mod:`~assistant.dossier.drafter` - the :class:`Drafter` over the index.
"""

from assistant.dossier.drafter import Drafter, evidence_item, rules_from
from assistant.dossier.matching import CriterionQuery, evidence_sentences, relevance, term_weights
from assistant.dossier.rules import Decision, Finding, Rules, decide, read_sentence
from assistant.dossier.signals import (
    ABSENT,
    DECISIVE,
    NEUTRAL,
    OPERATING,
    PARTIAL_S,
    PLANNED,
    UNKNOWN,
    Reading,
    is_recommendation,
    is_statement,
)
from assistant.dossier.thresholds import Scoring, Target, parse_target
from assistant.dossier.wording import gaps, justification_text, rationale
from assistant.vocabulary import INSUFFICIENT, MEETS, NOT_MET, PARTIAL

__all__ = [
    "ABSENT",
    "DECISIVE",
    "INSUFFICIENT",
    "MEETS",
    "NEUTRAL",
    "NOT_MET",
    "OPERATING",
    "PARTIAL",
    "PARTIAL_S",
    "PLANNED",
    "UNKNOWN",
    "CriterionQuery",
    "Decision",
    "Drafter",
    "Finding",
    "Reading",
    "Rules",
    "Scoring",
    "Target",
    "decide",
    "evidence_item",
    "evidence_sentences",
    "gaps",
    "is_recommendation",
    "is_statement",
    "justification_text",
    "parse_target",
    "rationale",
    "read_sentence",
    "relevance",
    "rules_from",
    "term_weights",
]
