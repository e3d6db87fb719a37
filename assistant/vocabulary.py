"""The project's fixed words, each defined once: statuses, labels, document types, formats,
review actions and the citation marker. Plain constants; importing this costs nothing.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

# --- Dossier cell statuses -----------------------------------------------------------
Status = Literal["meets", "partially_meets", "does_not_meet", "insufficient_evidence"]
STATUSES: tuple[str, ...] = get_args(Status)
MEETS, PARTIAL, NOT_MET, INSUFFICIENT = STATUSES
#: A scorecard cell with no draft (not a status a draft can have).
NOT_DRAFTED = "not_drafted"
STATUS_LABELS: dict[str, str] = {
    MEETS: "Meets", PARTIAL: "Partially meets", NOT_MET: "Does not meet",
    INSUFFICIENT: "Insufficient evidence", NOT_DRAFTED: "Not drafted",
}

# --- Criterion categories --------------------------------------------------------------
PREREQUISITE = "prerequisite"
CATEGORY_LABELS: dict[str, str] = {
    PREREQUISITE: "Prerequisites", "park_management": "Park management",
    "environmental": "Environmental", "social": "Social", "economic": "Economic",
}
#: The categories in catalogue order (prerequisites first).
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)
#: Narrow labels for heatmap column groups.
CATEGORY_SHORT_LABELS: dict[str, str] = {
    PREREQUISITE: "Prereq.", "park_management": "PM", "environmental": "Env.",
    "social": "Social", "economic": "Econ.",
}

# --- Documents ---------------------------------------------------------------------------
DocType = Literal["framework", "zone_document", "consultant_report", "other"]
DOC_TYPES: tuple[str, ...] = get_args(DocType)
#: File types the corpus may hold (a file of another type is not indexed).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm")

# --- Exports and reviews -------------------------------------------------------------------
DOSSIER_FORMATS: tuple[str, ...] = ("md", "docx", "xlsx", "json")
SCORECARD_FORMATS: tuple[str, ...] = ("md", "xlsx", "png", "json")
Action = Literal["accept", "edit", "reject"]
ACTIONS: tuple[str, ...] = get_args(Action)

# --- How questions name the zones themselves (regular-expression alternations) ------------
#: A zone, singular or plural: "zone", "SEZs", "industrial park", "estate", "sites".
ZONE_NOUN = (r"(?:special\s+economic\s+zones?|industrial\s+(?:parks?|estates?)|zones?|sezs?|parks?"
             r"|estates?|sites?)")
#: Zones in the plural, as a question about several of them names them.
ZONE_NOUNS = r"(?:zones|sezs|parks|estates|candidates|candidate\s+sites)"

# --- Portfolio questions (answered from the dossiers, not from passages) -------------------
PortfolioKind = Literal["ranking", "criterion_across_zones", "zone_gaps", "compare"]
PORTFOLIO_KINDS: tuple[str, ...] = get_args(PortfolioKind)
RANKING, ACROSS_ZONES, ZONE_GAPS, COMPARE = PORTFOLIO_KINDS
BRIEF_FORMATS: tuple[str, ...] = ("md", "docx")
#: ``Answer.mode`` of an answer composed from the dossiers.
PORTFOLIO_MODE = "portfolio"
#: How a portfolio answer asks for drafting when the dossiers are missing.
DRAFT_HINT = ("Draft them with `eip draft --all`, or press “Draft all zones” on the "
              "Scorecard page.")

# --- Citations -----------------------------------------------------------------------------
#: A citation marker in answer or justification text: ``[1]`` or ``[1, 3]`` (group 1: numbers).
CITATION_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
