"""The cue audit counts the zones each signal phrasing fires in (evals/cue_zones.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from evals.cue_zones import ONE_ZONE_KEPT, chunks_of_indexes, cue_lists, one_zone_cues, zones_per_cue

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assistant" / "dossier"))
from dossier_chunks import chunk  # noqa: E402


def test_every_cue_list_is_audited_phrasing_by_phrasing() -> None:
    lists = cue_lists()
    assert {"ABSENT_CUES", "PLAN_CUES", "PARTIAL_CUES", "UNKNOWN_CUES"} <= set(lists)
    assert r"\bplanned\b" in lists["PLAN_CUES"]


def test_zones_are_counted_per_phrasing_and_unzoned_documents_are_left_out() -> None:
    chunks = [
        chunk("a", "north", "A second sorting hall is planned for the north estate in 2026."),
        chunk("b", "south", "A biogas digester is planned next to the south gate of the estate."),
        chunk("c", "south", "The canteen is still being built and will open after the rains."),
        chunk("d", None, "The framework says a plan is planned when it is written down and costed."),
    ]
    counts = zones_per_cue(chunks)
    assert counts[("PLAN_CUES", r"\bplanned\b")] == {"north", "south"}
    assert counts[("PARTIAL_CUES", r"\bstill\b")] == {"south"}
    assert counts[("PLAN_CUES", r"\bscheduled\b")] == set()


def test_no_cue_matches_in_one_zone_only_but_the_three_kept_on_measurement(
        sample_index_template: Path, independent_index_template: Path) -> None:
    """Issue #15: a cue found in one zone's documents across both corpora was fitted to them."""
    chunks = chunks_of_indexes([sample_index_template, independent_index_template])
    assert one_zone_cues(chunks) <= ONE_ZONE_KEPT
