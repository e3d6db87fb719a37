"""Exports of the two artefacts: the zone dossier (:mod:`~assistant.export.dossier`) and the
scorecard (:mod:`~assistant.export.scorecard`); :mod:`~assistant.export.common` holds the
helpers both use.
"""

from assistant.export.common import xlsx_append, xlsx_text
from assistant.export.dossier import (
    dossier_to_dict,
    dossier_to_docx,
    dossier_to_json,
    dossier_to_markdown,
    dossier_to_xlsx,
    review_dict,
    write_dossier,
)
from assistant.export.scorecard import (
    scorecard_to_json,
    scorecard_to_markdown,
    scorecard_to_xlsx,
    write_scorecard,
)
from assistant.vocabulary import DOSSIER_FORMATS, SCORECARD_FORMATS

__all__ = [
    "DOSSIER_FORMATS", "SCORECARD_FORMATS", "dossier_to_dict", "dossier_to_docx",
    "dossier_to_json", "dossier_to_markdown", "dossier_to_xlsx", "review_dict",
    "scorecard_to_json", "scorecard_to_markdown", "scorecard_to_xlsx", "write_dossier",
    "write_scorecard", "xlsx_append", "xlsx_text",
]
