"""Chat feedback and the upload log: what users did, kept in the review database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from assistant.reviews.records import utcnow
from assistant.reviews.schema import Database, ReviewError, feedback_table, uploads_table

RATINGS: tuple[int, ...] = (-1, 1)


class ActivityLog:
    """Thumbs up/down on chat answers and who uploaded which file (append-only)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def feedback(self, question: str, answer: str, rating: int, comment: str = "",
                 user: str = "") -> None:
        """Record a thumbs up (``1``) or down (``-1``) on a chat answer."""
        if isinstance(rating, bool) or rating not in RATINGS:
            raise ReviewError(f"rating must be 1 (thumbs up) or -1 (thumbs down), got {rating!r}")
        if not (question or "").strip():
            raise ReviewError("feedback needs the question it is about")
        with self._db.tx() as conn:
            conn.execute(insert(feedback_table).values(
                question=question, answer=answer or "", rating=rating,
                comment=(comment or "").strip(), user=(user or "").strip(), at=utcnow()))

    def feedback_entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Stored feedback, newest first."""
        q = select(feedback_table).order_by(feedback_table.c.id.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._db.tx() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def record_upload(self, file: str, sha256: str, size: int, user: str = "", *,
                      replaced: bool = False, original_name: str = "") -> None:
        """Remember that ``user`` uploaded (or replaced) ``file`` with this content."""
        with self._db.tx() as conn:
            conn.execute(insert(uploads_table).values(
                file=file, sha256=sha256, size=int(size), user=(user or "").strip(),
                replaced=bool(replaced), original_name=original_name or "", at=utcnow()))

    def uploads(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Recorded uploads, newest first."""
        q = select(uploads_table).order_by(uploads_table.c.id.desc())
        if limit is not None:
            q = q.limit(limit)
        with self._db.tx() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

