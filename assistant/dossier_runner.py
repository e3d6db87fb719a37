"""Incremental dossier drafting on top of the review store.

:func:`run_dossier` drafts only what needs drafting:

- a criterion with no stored cell for the zone is drafted;
- a stored cell is re-drafted when a file its evidence came from changed or disappeared
  (sha256 in the index manifest differs from the hash stored with the draft). A draft without
  evidence depends on the whole zone and is re-drafted when any zone file changes, is added
  or is removed;
- a stored cell is re-drafted when its criterion's definition in the catalogue (title,
  requirement, category) is no longer the one it was drafted against;
- every other cell is kept as stored.

Reviewed cells are never silently replaced. Before any redraft starts, every changed cell of
the zone (requested or not) is flagged stale, so a crash mid-run still leaves the flag. The
redraft of a reviewed cell is stored as its *pending* draft: the reviewed status stays in force
and the cell stays stale until a reviewer looks at it (see :mod:`assistant.reviews`).
Unreviewed cells simply take the new draft. Each draft is committed on its own, so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from assistant.catalogue import Criterion
from assistant.reviews import ReviewStore, StoredCell
from assistant.types import CriterionDraft, Dossier

logger = logging.getLogger(__name__)


class DrafterLike(Protocol):
    def draft(self, zone_id: str, criterion: Criterion) -> CriterionDraft: ...


class DocsLike(Protocol):
    def files(self) -> Mapping[str, Any]: ...


def zone_file_hashes(index_docs: DocsLike, zone: str) -> dict[str, str]:
    """``{rel_path: sha256}`` of the zone's successfully indexed files."""
    return {
        source: rec.sha256
        for source, rec in index_docs.files().items()
        if rec.zone == zone and getattr(rec, "status", "indexed") == "indexed"
    }


def dependency_hashes(draft: CriterionDraft, zone_hashes: Mapping[str, str]) -> dict[str, str]:
    """The files a draft depends on: its evidence files, or the whole zone if it has none."""
    if not draft.evidence:
        return dict(zone_hashes)
    return {e.file: zone_hashes.get(e.file) or e.file_hash for e in draft.evidence}


@dataclass(frozen=True)
class ZonePlan:
    """What :func:`run_dossier` would draft for one zone (computed without writing)."""

    todo: tuple[Criterion, ...]  # requested criteria to draft, in catalogue order
    changed: tuple[str, ...]  # every stored cell of the zone whose inputs changed
    new: int  # requested criteria with no stored cell


def definition_changed(draft: CriterionDraft, criterion: Criterion) -> bool:
    """Whether the catalogue now defines ``criterion`` differently from what was drafted."""
    return (draft.title, draft.requirement, draft.category) != (
        criterion.title, criterion.requirement, criterion.category)


def plan_zone(store: ReviewStore, index_docs: DocsLike, zone: str, criteria: Sequence[Criterion],
              *, current: Mapping[str, str] | None = None) -> ZonePlan:
    """The cells of ``zone`` that are new or whose documents or definition changed."""
    current = zone_file_hashes(index_docs, zone) if current is None else current
    stored = {c.criterion_id: c for c in store.drafts(zone)}
    by_id = {c.id: c for c in criteria}
    changed = list(store.changed_cells(zone, current))
    changed += [cid for cid, cell in stored.items() if cid in by_id and cid not in changed
                and definition_changed(cell.pending or cell.draft, by_id[cid])]
    todo = tuple(c for c in criteria if c.id not in stored or c.id in changed)
    return ZonePlan(todo, tuple(changed), sum(c.id not in stored for c in criteria))


def run_dossier(
    drafter: DrafterLike,
    store: ReviewStore,
    index_docs: DocsLike,
    zone: str,
    criteria: Sequence[Criterion],
    on_progress: Callable[[int, int], None] | None = None,
    *,
    zone_name: str | None = None,
    framework: str | None = None,
) -> Dossier:
    """Draft the new and changed cells of ``zone`` and return the effective dossier.

    The returned :class:`Dossier` holds, for each criterion in order, the reviewed version of
    the cell where a review exists (status and justification from the reviewer), else the
    draft. ``on_progress(done, total)`` counts the cells that are actually drafted.
    """
    current = zone_file_hashes(index_docs, zone)
    plan = plan_zone(store, index_docs, zone, criteria, current=current)
    store.mark_stale(zone, plan.changed)  # also cells not asked for this time: the flag is true
    todo = plan.todo
    logger.info(
        "zone %s: %d criteria, %d new, %d changed, %d kept",
        zone,
        len(criteria),
        plan.new,
        len(todo) - plan.new,
        len(criteria) - len(todo),
    )
    batch = getattr(drafter, "batch", None)  # one search and embedding pass for the zone
    with batch(zone, todo) if batch is not None and todo else nullcontext():
        for done, criterion in enumerate(todo, start=1):
            draft = drafter.draft(zone, criterion)
            store.save_draft(draft, dependency_hashes(draft, current))
            if on_progress is not None:
                on_progress(done, len(todo))
    return dossier_from_store(
        store,
        zone,
        criteria,
        zone_name=zone_name,
        framework=framework or _framework_of(drafter),
        default_name=_zone_name_of(drafter, zone),
    )


def dossier_from_store(
    store: ReviewStore,
    zone: str,
    criteria: Sequence[Criterion],
    *,
    zone_name: str | None = None,
    framework: str | None = None,
    default_name: str | None = None,
) -> Dossier:
    """The effective dossier of ``zone`` from what is stored (criteria not drafted are left out)."""
    cells = cells_by_criterion(store, zone)
    drafts = tuple(cells[c.id].effective_draft() for c in criteria if c.id in cells)
    return Dossier(
        zone=zone,
        zone_name=zone_name or default_name or zone,
        framework=framework or "",
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        drafts=drafts,
    )


def cells_by_criterion(store: ReviewStore, zone: str) -> dict[str, StoredCell]:
    return {c.criterion_id: c for c in store.drafts(zone)}


def _framework_of(drafter: Any) -> str | None:
    catalogue = getattr(getattr(drafter, "assistant", None), "catalogue", None)
    return catalogue.framework.title if catalogue is not None else None


def _zone_name_of(drafter: Any, zone: str) -> str | None:
    registry = getattr(getattr(drafter, "assistant", None), "registry", None)
    found = registry.get(zone) if registry is not None else None
    return found.name if found is not None else None
