"""Fixtures of the assistant tests: a review store holding a small portfolio."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.reviews import ReviewStore
from assistant.types import CriterionDraft, EvidenceItem

# zone -> criterion -> status; PRE-4 blocks koh-kong-bay, thnal-dach fails most things.
STATUSES = {
    "mekong-riverside": {"PRE-1": "meets", "PRE-2": "meets", "PRE-3": "meets", "PRE-4": "meets",
                         "ENV-12": "meets", "SOC-4": "meets", "PM-1": "meets"},
    "koh-kong-bay": {"PRE-1": "meets", "PRE-2": "meets", "PRE-3": "meets",
                     "PRE-4": "insufficient_evidence", "ENV-12": "meets",
                     "SOC-4": "partially_meets", "PM-1": "meets"},
    "thnal-dach": {"PRE-1": "insufficient_evidence", "PRE-2": "does_not_meet", "PRE-3": "meets",
                   "PRE-4": "meets", "ENV-12": "partially_meets", "SOC-4": "does_not_meet",
                   "PM-1": "meets"},
}


def file_of(zone: str) -> str:
    return f"zones/{zone}/reports/baseline-assessment-2024.pdf"


def make_draft(catalogue, zone: str, cid: str, status: str) -> CriterionDraft:  # type: ignore[no-untyped-def]
    crit = catalogue.get(cid)
    evidence = () if status == "insufficient_evidence" else (
        EvidenceItem(file_of(zone), 3, f"{zone} quote about {cid}", 0.8, doc_type="consultant_report",
                     chunk_id=f"{zone}-{cid}", file_hash="h"),)
    return CriterionDraft(
        zone=zone, criterion_id=cid, category=crit.category, title=crit.title,
        requirement=crit.requirement, status=status, confidence=0.8,
        rationale=f"{status.replace('_', ' ').capitalize()}: decided by {file_of(zone)} p.3",
        justification="See [1]." if evidence else "", evidence=evidence,
        gaps=(f"Question for the zone: can you show {cid}?",) if status != "meets" else ())


class PortfolioStore(ReviewStore):
    """A review store that knows the statuses it was filled with."""

    statuses = STATUSES


@pytest.fixture(name="portfolio_store")
def fixture_portfolio_store(tmp_path: Path, catalogue) -> ReviewStore:  # type: ignore[no-untyped-def]
    """Three sample zones x seven criteria, drafted (none reviewed), each cited from one report."""
    store = PortfolioStore(tmp_path / "reviews.db")
    for zone, cells in STATUSES.items():
        for cid, status in cells.items():
            store.save_draft(make_draft(catalogue, zone, cid, status), {file_of(zone): "h"})
    yield store
    store.close()


