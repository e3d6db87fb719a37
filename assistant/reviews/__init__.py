"""Review store: drafted dossier cells, the reviewers' decisions on them, chat feedback and uploads.

One database holds it all (:mod:`~assistant.reviews.schema`); :class:`ReviewStore` keeps the
cells and their reviews, its ``activity`` log the feedback and uploads.
"""

from assistant.reviews.activity import RATINGS, ActivityLog
from assistant.reviews.records import (
    ReviewEvent,
    StoredCell,
    criterion_sort_key,
    draft_from_json,
    draft_to_json,
)
from assistant.reviews.schema import SCHEMA_VERSION, ReviewError, events_table, metadata
from assistant.reviews.store import ReviewStore

__all__ = ["RATINGS", "SCHEMA_VERSION", "ActivityLog", "ReviewError", "ReviewEvent",
           "ReviewStore", "StoredCell", "criterion_sort_key", "draft_from_json", "draft_to_json",
           "events_table", "metadata"]
