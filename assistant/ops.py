"""The operations a user runs, shared by the ``eip`` command and the web app.

Each function takes the parts it works on (settings, an opened assistant, a review store) and
returns data; the CLI prints it and the web app renders it, so the two cannot drift apart.
Heavy modules are imported inside the functions: importing this module stays cheap.

Operations: index (:func:`index_corpus`), status (:func:`index_info`, :func:`documents`),
ask (:func:`ask`), draft one zone (:func:`draft_zone`), scorecard (:func:`scorecard`),
review (:func:`review`), draft every zone (:func:`draft_all`) and the pilot-selection brief
(:func:`brief`), built from :func:`draft_zone` and :func:`scorecard`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from assistant.catalogue import normalise_id
from assistant.errors import EIPError
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.catalogue import Catalogue, Criterion, Zone, ZoneRegistry
    from assistant.dossier_runner import DrafterLike
    from assistant.portfolio.brief import Brief
    from assistant.reviews import ReviewEvent, ReviewStore, StoredCell
    from assistant.scorecard import Scorecard
    from assistant.service import Assistant
    from assistant.storage.docstore import DocStore, FileRecord
    from assistant.storage.index import Index
    from assistant.types import Answer, Dossier
    from indexing.pipeline import IndexReport, Progress


class UnknownNameError(EIPError):
    """A zone or criterion id the registry or catalogue does not know (a usage error)."""


# ----------------------------------------------------------------------------- index
def index_corpus(settings: Settings, *, rebuild: bool = False,
                 on_progress: Callable[[Progress], None] | None = None,
                 sharing: Index | None = None) -> IndexReport:
    """Index ``settings.corpus_dir`` incrementally (or from scratch with ``rebuild``).

    ``sharing`` is an index already open in this process (the web app's): the run writes
    through a second connection to its document store and reuses its embedder and vector
    store, which stay open. A data directory that cannot be written raises
    :class:`~assistant.errors.StorageError` saying so; any other unexpected error keeps its
    traceback.
    """
    from assistant.storage.index import open_index, storage_error
    from indexing.pipeline import build_index

    def fail(exc: Exception) -> NoReturn:
        if isinstance(exc, EIPError) or (err := storage_error(exc, settings.data_dir)) is None:
            raise exc
        raise err from exc

    try:
        if sharing is None:
            index = open_index(settings, must_exist=False, for_rebuild=rebuild)
        else:
            index = open_index(settings, embedder=sharing.embedder, store=sharing.store,
                               must_exist=False, for_rebuild=rebuild)
    except Exception as exc:  # a read-only or full data dir: say so, no traceback
        fail(exc)
    try:
        report = build_index(index, settings.corpus_dir, rebuild=rebuild, on_progress=on_progress)
    except Exception as exc:
        fail(exc)
    finally:
        if sharing is None:
            index.close()
        else:
            index.docs.close()
            sharing.docs.invalidate_caches()  # the run changed what the open store counts
    return report


def open_docs(settings: Settings) -> DocStore:
    """The document store of an index to report on (raises why there is none to read).

    An index whose first run never completed is opened: its failures are worth showing.
    """
    from assistant.storage.docstore import DocStore
    from assistant.storage.index import index_status

    if (problem := index_status(settings, complete=False)) is not None:
        raise problem
    return DocStore(settings.index_db)


def index_info(docs: DocStore, settings: Settings) -> dict[str, Any]:
    """What is indexed: documents, chunks, zones, types, model, last run, failures, OCR."""
    files = docs.files()
    ok = [f for f in files.values() if f.status == "indexed"]
    failed = [f for f in files.values() if f.status != "indexed"]
    fp = docs.get_meta("fingerprint") or {}
    last = docs.last_run()
    return {
        "data_dir": str(settings.data_dir),
        "corpus": docs.get_meta("corpus_dir"),
        "documents": len(ok),
        "failed": len(failed),
        "chunks": docs.count(),
        "zones": dict(sorted(Counter(f.zone for f in ok if f.zone).items())),
        "doc_types": dict(sorted(Counter(f.doc_type for f in ok).items())),
        "embedding_model": fp.get("embedding_model"),
        "dimension": docs.get_meta("dimension"),
        "chunk_size": fp.get("chunk_size"),
        "chunk_overlap": fp.get("chunk_overlap"),
        "last_run": (last or {}).get("finished_at"),
        "failures": [{"source": f.source, "kind": f.kind, "reason": f.reason} for f in failed],
        # Scanned pages: indexed from OCR, and left out for low OCR confidence.
        "ocr_pages": sum(f.ocr_pages for f in ok),
        "ocr_documents": sum(1 for f in ok if f.ocr_pages),
        "ocr_rejected": [{"source": f.source, **page} for f in ok if f.ocr_rejected
                         for page in json.loads(f.ocr_rejected)],
    }


def documents(docs: DocStore, zone: str | None = None) -> list[FileRecord]:
    """The indexed (and failed) files, optionally of one zone."""
    return [f for f in docs.files().values() if zone is None or f.zone == zone]


def index_catalogue(settings: Settings) -> tuple[ZoneRegistry | None, Catalogue | None]:
    """Registry and catalogue of the corpus the index was built from.

    Falls back to ``settings.corpus_dir`` when no index records a corpus, so a scorecard
    needs no embedding model, and the CLI and the web app read the same catalogue.
    """
    from assistant.service import load_registry_and_catalogue
    from assistant.storage.docstore import DocStore

    corpus: Path | None = None
    if settings.index_db.exists():
        docs = DocStore(settings.index_db)
        try:
            recorded = docs.get_meta("corpus_dir")
        finally:
            docs.close()
        corpus = Path(recorded) if recorded else None
    return load_registry_and_catalogue(corpus or settings.corpus_dir)


# ----------------------------------------------------------------------------- ask
def ask(assistant: Assistant, question: str, *, zone: str | None = None,
        doc_types: Sequence[str] = (), k: int | None = None) -> Answer:
    """A checked, cited answer to ``question`` (zone and document types narrow the search)."""
    from assistant.storage.vectors import Filter

    check_zone(assistant.registry, zone)
    flt = Filter(doc_types=tuple(doc_types)) if doc_types else None
    return assistant.ask(question, zone=zone, flt=flt, k=k)


# ----------------------------------------------------------------------------- zones, criteria
def check_zone(registry: ZoneRegistry | None, zone: str | None) -> Zone | None:
    """The registry's zone for ``zone`` (``None`` without a registry or a zone)."""
    if registry is None or not zone:
        return None
    found = registry.get(zone)
    if found is None:
        known = ", ".join(z.id for z in registry)
        raise UnknownNameError(f"unknown zone {zone!r}; known zones: {known}")
    return found


def parse_criteria(catalogue: Catalogue, raw: str | None) -> list[Criterion]:
    """Criteria named in a comma-separated list of ids (all of them when ``raw`` is empty)."""
    if not raw:
        return list(catalogue.criteria)
    wanted, unknown = [], []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        crit = catalogue.get(part)
        if crit is None:
            unknown.append(part)
        elif crit not in wanted:
            wanted.append(crit)
    if unknown:
        raise UnknownNameError(f"unknown criterion id(s): {', '.join(unknown)} "
                               f"(ids look like PRE-1, PM-2, ENV-12, SOC-4, ECO-5)")
    return wanted


# ----------------------------------------------------------------------------- draft
@dataclass(frozen=True)
class DraftResult:
    """One zone's drafting run: the effective dossier and its stored cells."""

    dossier: Dossier
    cells: dict[str, StoredCell]
    drafted: int  # cells drafted this run (the rest were kept)
    requested: int
    stale: int  # cells of the dossier waiting for a reviewer after a document changed


def draft_zone(assistant: Assistant, store: ReviewStore, zone: str,
               criteria: Sequence[Criterion] | None = None, *,
               drafter: DrafterLike | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> DraftResult:
    """Draft the new and changed cells of one zone (:func:`~assistant.dossier_runner.run_dossier`)."""
    from assistant.dossier_runner import run_dossier

    catalogue = assistant.catalogue
    if catalogue is None:
        raise EIPError("no criteria catalogue found (criteria.yaml in the corpus root).")
    zone_rec = check_zone(assistant.registry, zone)
    zone = zone_rec.id if zone_rec is not None else zone.strip().lower()
    criteria = list(catalogue.criteria) if criteria is None else list(criteria)
    if drafter is None:
        from assistant.dossier import Drafter

        drafter = Drafter(assistant)
    drafted = {"n": 0}

    def progress(done: int, total: int) -> None:
        drafted["n"] = done
        if on_progress is not None:
            on_progress(done, total)

    dossier = run_dossier(drafter, store, assistant.index.docs, zone, criteria,
                          on_progress=progress, zone_name=zone_rec.name if zone_rec else None,
                          framework=catalogue.framework.title)
    cells = {c.criterion_id: c for c in store.drafts(zone)}
    stale = sum(1 for d in dossier.drafts if cells[d.criterion_id].stale)
    return DraftResult(dossier, cells, drafted["n"], len(criteria), stale)


@dataclass(frozen=True)
class DraftProgress:
    """Where a :func:`draft_all` run is: cells drafted so far of all zones' cells to draft."""

    zone: str
    done: int
    total: int


@dataclass(frozen=True)
class DraftAllResult:
    """A :func:`draft_all` run: one :class:`DraftResult` per zone, in registry order."""

    zones: tuple[DraftResult, ...]
    seconds: float

    @property
    def drafted(self) -> int:
        return sum(r.drafted for r in self.zones)

    @property
    def requested(self) -> int:
        return sum(r.requested for r in self.zones)

    @property
    def stale(self) -> int:
        return sum(r.stale for r in self.zones)


def portfolio_zones(assistant: Assistant) -> list[str]:
    """The zones to draft: the registry's, else every zone the index has files for."""
    if assistant.registry is not None:
        return [z.id for z in assistant.registry]
    return sorted({f.zone for f in assistant.index.docs.files().values() if f.zone})


def draft_all(assistant: Assistant, store: ReviewStore, zones: Sequence[str] | None = None, *,
              drafter: DrafterLike | None = None,
              on_progress: Callable[[DraftProgress], None] | None = None) -> DraftAllResult:
    """Draft the new and changed cells of every zone with one drafter (one model load).

    Cells whose evidence files, zone documents and catalogue definition are unchanged are
    kept (:func:`~assistant.dossier_runner.plan_zone`), so a second run drafts nothing.
    ``on_progress`` counts cells over all zones; it is not called when nothing needs drafting.
    """
    import time

    from assistant.dossier_runner import plan_zone

    started = time.perf_counter()
    catalogue = assistant.catalogue
    if catalogue is None:
        raise EIPError("no criteria catalogue found (criteria.yaml in the corpus root).")
    zones = list(zones) if zones is not None else portfolio_zones(assistant)
    for zone in zones:
        check_zone(assistant.registry, zone)
    criteria = list(catalogue.criteria)
    todo = {z: len(plan_zone(store, assistant.index.docs, z, criteria).todo) for z in zones}
    total = sum(todo.values())
    if drafter is None:  # one drafter for every zone: its query vectors are reused
        from assistant.dossier import Drafter

        drafter = Drafter(assistant)
    before = 0
    results: list[DraftResult] = []
    for zone in zones:
        def progress(done: int, _total: int, zone: str = zone, base: int = before) -> None:
            if on_progress is not None:
                on_progress(DraftProgress(zone, min(base + done, total), total))

        results.append(draft_zone(assistant, store, zone, criteria, drafter=drafter,  # type: ignore[arg-type]
                                  on_progress=progress))
        before += todo[zone]
    return DraftAllResult(tuple(results), time.perf_counter() - started)


def stored_dossier(store: ReviewStore, catalogue: Catalogue, zone: str, *,
                   zone_name: str | None = None) -> Dossier:
    """The effective dossier of ``zone`` as stored (no drafting)."""
    from assistant.dossier_runner import dossier_from_store

    return dossier_from_store(store, zone, list(catalogue), zone_name=zone_name,
                              framework=catalogue.framework.title)


# ----------------------------------------------------------------------------- scorecard
def scorecard(store: ReviewStore, catalogue: Catalogue | None, registry: ZoneRegistry | None,
              weights: dict[str, float], zones: Sequence[str] | None = None) -> Scorecard | None:
    """Zones x criteria scorecard from the stored cells (reviewed statuses win).

    ``zones`` restricts it to those zone ids (each must have drafted cells); ``None`` when
    nothing is drafted yet.
    """
    from assistant.scorecard import build_scorecard

    by_zone: dict[str, list[StoredCell]] = defaultdict(list)
    for cell in store.drafts():
        by_zone[cell.zone].append(cell)
    if zones:
        wanted = [z.strip().lower() for z in zones if z.strip()]
        if unknown := [z for z in wanted if z not in by_zone]:
            raise UnknownNameError(f"no drafted cells for zone(s) {', '.join(unknown)}; "
                                   f"drafted: {', '.join(sorted(by_zone)) or 'none'}")
        by_zone = defaultdict(list, {z: by_zone[z] for z in wanted})
    if not by_zone:
        return None
    return build_scorecard(by_zone, catalogue, registry, weights)


def brief(store: ReviewStore, catalogue: Catalogue | None, registry: ZoneRegistry | None,
          weights: dict[str, float]) -> Brief | None:
    """The pilot-selection brief of every drafted zone (``None`` when nothing is drafted)."""
    from assistant.portfolio.answers import load_portfolio
    from assistant.portfolio.brief import build_brief

    portfolio = load_portfolio(store.drafts(), catalogue, registry, weights)
    return build_brief(portfolio, weights) if portfolio.card is not None else None


def undrafted_zones(store: ReviewStore, registry: ZoneRegistry | None) -> list[str]:
    """Registry zones with no drafted cell yet."""
    if registry is None:
        return []
    drafted = set(store.zones())
    return [z.id for z in registry if z.id not in drafted]


# ----------------------------------------------------------------------------- review
def infer_action(cell: StoredCell | None, status: str | None, justification: str | None) -> str:
    """``edit`` when the values change the cell, else ``accept``."""
    if justification:
        return "edit"
    if status is None or cell is None:
        return "accept" if status is None else "edit"
    target = cell.pending.status if cell.pending is not None else cell.effective_status
    return "accept" if status == target else "edit"


def review(store: ReviewStore, zone: str, criterion: str, *, reviewer: str, comment: str = "",
           action: str | None = None, status: str | None = None,
           justification: str | None = None) -> ReviewEvent:
    """Record a reviewer's decision on one cell (the action is inferred when not given)."""
    zone = zone.strip().lower()
    criterion = normalise_id(criterion) or criterion.strip()
    if action is None:
        action = infer_action(store.cell(zone, criterion), status, justification)
    if action != "edit":
        # accept/reject take no new values; a status equal to the shown one is allowed.
        status = justification = None
    return store.review(zone, criterion, action=action, reviewer=reviewer,  # type: ignore[arg-type]
                        comment=comment, status=status, justification=justification)


__all__ = [
    "DraftAllResult", "DraftProgress", "DraftResult", "UnknownNameError", "ask", "brief",
    "check_zone",
    "documents", "draft_all", "draft_zone", "portfolio_zones",
    "index_catalogue", "index_corpus", "index_info", "infer_action", "open_docs",
    "parse_criteria", "review", "scorecard", "stored_dossier", "undrafted_zones",
]
