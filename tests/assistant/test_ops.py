"""The operations shared by the CLI and the web app, on stores built in the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import ops
from assistant.catalogue import Catalogue, Criterion, Framework, Threshold, Zone, ZoneRegistry
from assistant.errors import EIPError
from assistant.reviews import ReviewStore
from assistant.settings import Settings
from assistant.storage.docstore import DocStore
from assistant.types import Chunk, CriterionDraft, OcrPage, SourceFile
from assistant.vocabulary import INSUFFICIENT, MEETS, NOT_MET, PARTIAL

REPO = Path(__file__).resolve().parents[2]
REGISTRY = ZoneRegistry((Zone("alpha", "Alpha Zone", "P"), Zone("beta", "Beta Zone", "P")))


def _criterion(cid: str, category: str) -> Criterion:
    return Criterion(cid, category, "x", f"Title of {cid}", "r", "park", "i", Threshold("present"))


CATALOGUE = Catalogue(Framework("f", "Framework", "1", "s"), (
    _criterion("PRE-1", "prerequisite"),
    _criterion("ENV-12", "environmental"),
    _criterion("SOC-4", "social"),
))
WEIGHTS = Settings().category_weights


# --- status -------------------------------------------------------------------------------
@pytest.fixture(name="docs")
def fixture_docs(tmp_path: Path):
    """A manifest: two indexed zone files (one scanned, one page rejected) and one failure."""
    docs = DocStore(tmp_path / "index.db")

    def add(rel: str, zone: str | None, n_chunks: int, ocr: tuple[OcrPage, ...] = ()) -> None:
        doc_type = "zone_document" if zone else "framework"
        sf = SourceFile(path=rel, rel_path=rel, doc_type=doc_type, zone=zone, title=rel, sha256="h" + rel)
        chunks = [Chunk(f"{rel}#{i}", f"text {i}", rel, 1, None, doc_type, zone, rel, None, "h", i)
                  for i in range(n_chunks)]
        with docs.transaction() as conn:
            docs.replace_file(conn, sf, chunks, [c.text for c in chunks], pages=1, ocr_pages=ocr)

    add("frameworks/guide.md", None, 2)
    add("zones/alpha/report.md", "alpha", 3)
    add("zones/alpha/scan.pdf", "alpha", 1, (OcrPage(1, 91.0, True), OcrPage(2, 40.0, False)))
    broken = SourceFile(path="b", rel_path="zones/beta/broken.pdf", doc_type="zone_document", zone="beta",
                        title="broken")
    with docs.transaction() as conn:
        docs.mark_failed(conn, broken, status="failed", kind="corrupt", reason="not a PDF")
    docs.set_meta("fingerprint", {"embedding_model": "hashing-bow", "chunk_size": 900, "chunk_overlap": 120})
    docs.set_meta("dimension", 256)
    docs.set_meta("corpus_dir", "/corpus")
    docs.record_run("2024-01-01T00:00:00", "ok", "/corpus", {})
    yield docs
    docs.close()


def test_index_info_counts_what_is_indexed_failed_and_scanned(docs: DocStore, settings: Settings) -> None:
    info = ops.index_info(docs, settings)
    assert (info["documents"], info["failed"], info["chunks"]) == (3, 1, 6)
    assert info["zones"] == {"alpha": 2}  # the failed beta file is not counted
    assert info["doc_types"] == {"framework": 1, "zone_document": 2}
    assert (info["embedding_model"], info["dimension"], info["chunk_size"]) == ("hashing-bow", 256, 900)
    assert info["corpus"] == "/corpus" and info["last_run"] and info["data_dir"] == str(settings.data_dir)
    assert info["failures"] == [{"source": "zones/beta/broken.pdf", "kind": "corrupt", "reason": "not a PDF"}]
    assert (info["ocr_pages"], info["ocr_documents"]) == (1, 1)
    assert info["ocr_rejected"] == [{"source": "zones/alpha/scan.pdf", "page": 2, "confidence": 40.0}]


def test_documents_lists_indexed_and_failed_files_optionally_of_one_zone(docs: DocStore) -> None:
    assert len(ops.documents(docs)) == 4
    assert [f.source for f in ops.documents(docs, "alpha")] == ["zones/alpha/report.md", "zones/alpha/scan.pdf"]
    assert [f.status for f in ops.documents(docs, "beta")] == ["failed"]
    assert ops.documents(docs, "gamma") == []


def test_open_docs_without_an_index_says_how_to_build_one(settings: Settings) -> None:
    with pytest.raises(EIPError, match="eip index"):
        ops.open_docs(settings)


def test_index_catalogue_reads_the_corpus_the_index_was_built_from(tmp_path: Path) -> None:
    sample, independent = REPO / "corpus", REPO / "evals" / "independent" / "corpus"
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=independent)
    registry, _ = ops.index_catalogue(settings)  # no index yet: the configured corpus
    assert registry is not None and "prey-nob-coastal" not in {z.id for z in registry}
    settings.data_dir.mkdir()
    recorded = DocStore(settings.index_db)
    recorded.set_meta("corpus_dir", str(sample))
    recorded.close()
    registry, catalogue = ops.index_catalogue(settings)
    assert registry is not None and "prey-nob-coastal" in {z.id for z in registry}
    assert catalogue is not None and len(catalogue) == 64


# --- zones and criteria ---------------------------------------------------------------------
def test_check_zone_returns_the_registry_zone_or_names_the_known_ones() -> None:
    assert ops.check_zone(REGISTRY, " Alpha ") == REGISTRY.get("alpha")
    assert ops.check_zone(REGISTRY, None) is None and ops.check_zone(None, "anything") is None
    with pytest.raises(ops.UnknownNameError, match="unknown zone 'gamma'; known zones: alpha, beta"):
        ops.check_zone(REGISTRY, "gamma")


def test_parse_criteria_reads_loose_ids_in_order_without_repeats() -> None:
    assert ops.parse_criteria(CATALOGUE, None) == list(CATALOGUE.criteria)
    assert [c.id for c in ops.parse_criteria(CATALOGUE, "soc 4, ENV-12,,env_12")] == ["SOC-4", "ENV-12"]
    with pytest.raises(ops.UnknownNameError, match=r"unknown criterion id\(s\): ENV-99, foo \(ids look like"):
        ops.parse_criteria(CATALOGUE, "ENV-12, ENV-99, foo")
    assert issubclass(ops.UnknownNameError, EIPError)  # the CLI reports it without a traceback


# --- review store: scorecard and review -----------------------------------------------------
def _draft(zone: str, cid: str, status: str) -> CriterionDraft:
    category = next(c.category for c in CATALOGUE if c.id == cid)
    return CriterionDraft(zone=zone, criterion_id=cid, category=category, title=cid, requirement="r",
                          status=status, confidence=0.7, rationale="", justification="drafted")


@pytest.fixture(name="store")
def fixture_store(tmp_path: Path):
    store = ReviewStore(tmp_path / "reviews.db")
    for zone, statuses in {"alpha": (MEETS, MEETS, PARTIAL), "beta": (NOT_MET, MEETS, MEETS)}.items():
        for crit, status in zip(CATALOGUE, statuses, strict=True):
            store.save_draft(_draft(zone, crit.id, status), {})
    yield store
    store.close()


def test_scorecard_ranks_the_stored_cells_and_reviews_win(store: ReviewStore) -> None:
    card = ops.scorecard(store, CATALOGUE, REGISTRY, WEIGHTS)
    assert card is not None and card.ranking() == ["alpha", "beta"]  # beta fails PRE-1: blocked
    assert card.zone("beta").blocked and not card.zone("alpha").blocked
    ops.review(store, "beta", "pre 1", reviewer="R", comment="permit found", status=MEETS)
    reviewed = ops.scorecard(store, CATALOGUE, REGISTRY, WEIGHTS)
    assert reviewed is not None and reviewed.ranking() == ["beta", "alpha"]  # 3 met beats 2 met + 1 partial
    only_beta = ops.scorecard(store, CATALOGUE, REGISTRY, WEIGHTS, zones=[" BETA "])
    assert only_beta is not None and only_beta.ranking() == ["beta"]


def test_scorecard_of_an_undrafted_zone_or_an_empty_store(store: ReviewStore, tmp_path: Path) -> None:
    with pytest.raises(ops.UnknownNameError, match="no drafted cells for zone.s. gamma; drafted: alpha, beta"):
        ops.scorecard(store, CATALOGUE, REGISTRY, WEIGHTS, zones=["gamma"])
    with ReviewStore(tmp_path / "empty.db") as empty:
        assert ops.scorecard(empty, CATALOGUE, REGISTRY, WEIGHTS) is None
        with pytest.raises(ops.UnknownNameError, match="drafted: none"):
            ops.scorecard(empty, CATALOGUE, REGISTRY, WEIGHTS, zones=["alpha"])
    registry = ZoneRegistry((*REGISTRY.zones, Zone("gamma", "Gamma", "P")))
    assert ops.undrafted_zones(store, registry) == ["gamma"] and ops.undrafted_zones(store, None) == []


def test_infer_action_is_edit_only_when_the_values_change_the_cell(store: ReviewStore) -> None:
    cell = store.cell("alpha", "SOC-4")  # drafted partially_meets
    assert ops.infer_action(cell, None, None) == "accept"
    assert ops.infer_action(cell, PARTIAL, None) == "accept"
    assert ops.infer_action(cell, MEETS, None) == "edit"
    assert ops.infer_action(cell, None, "new text") == "edit"
    assert ops.infer_action(None, None, None) == "accept" and ops.infer_action(None, MEETS, None) == "edit"


def test_infer_action_compares_with_a_pending_redraft(store: ReviewStore) -> None:
    ops.review(store, "alpha", "SOC-4", reviewer="R")  # accepted: a redraft now waits as pending
    store.save_draft(_draft("alpha", "SOC-4", INSUFFICIENT), {})
    cell = store.cell("alpha", "SOC-4")
    assert cell is not None and cell.pending is not None and cell.stale
    assert ops.infer_action(cell, INSUFFICIENT, None) == "accept"
    assert ops.infer_action(cell, PARTIAL, None) == "edit"


def test_review_infers_the_action_and_normalises_zone_and_criterion(store: ReviewStore) -> None:
    accepted = ops.review(store, " ALPHA ", "env 12", reviewer="R", status=MEETS)
    assert (accepted.zone, accepted.criterion, accepted.action, accepted.status) == (
        "alpha", "ENV-12", "accept", MEETS)
    edited = ops.review(store, "alpha", "ENV-12", reviewer="R", comment="audit 2024", status=NOT_MET)
    assert edited.action == "edit" and store.cell("alpha", "ENV-12").effective_status == NOT_MET
