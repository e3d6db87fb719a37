"""ops.draft_all: every zone with one drafter, progress over all cells, unchanged cells skipped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from assistant import ops
from assistant.catalogue import Catalogue, Criterion
from assistant.reviews import ReviewStore
from assistant.types import CriterionDraft, EvidenceItem


class Docs:
    def __init__(self, hashes: dict[str, str]) -> None:
        self.hashes = hashes

    def files(self) -> dict[str, SimpleNamespace]:
        return {f: SimpleNamespace(sha256=h, zone=f.split("/")[1], status="indexed")
                for f, h in self.hashes.items()}


class CountingDrafter:
    """Meets everything from the zone's one file; records calls and batches."""

    def __init__(self, docs: Docs) -> None:
        self.docs = docs
        self.calls: list[tuple[str, str]] = []
        self.batches: list[tuple[str, int]] = []

    def batch(self, zone: str, criteria):  # type: ignore[no-untyped-def]
        from contextlib import nullcontext

        self.batches.append((zone, len(criteria)))
        return nullcontext()

    def draft(self, zone: str, criterion: Criterion) -> CriterionDraft:
        self.calls.append((zone, criterion.id))
        file = f"zones/{zone}/a.pdf"
        return CriterionDraft(zone=zone, criterion_id=criterion.id, category=criterion.category,
                              title=criterion.title, requirement=criterion.requirement,
                              status="meets", confidence=0.9, rationale="r", justification="[1]",
                              evidence=(EvidenceItem(file, 1, "q", 0.9,
                                                     file_hash=self.docs.hashes[file]),))


def setup(catalogue: Catalogue, registry, zones=("mekong-riverside", "koh-kong-bay")):  # type: ignore[no-untyped-def]
    docs = Docs({f"zones/{z}/a.pdf": "h1" for z in zones})
    small = Catalogue(catalogue.framework, tuple(catalogue.criteria[:5]))
    assistant = SimpleNamespace(catalogue=small, registry=registry, index=SimpleNamespace(docs=docs))
    return assistant, docs, CountingDrafter(docs)


def test_draft_all_drafts_every_zone_then_skips_what_did_not_change(
        tmp_path: Path, catalogue, registry) -> None:  # type: ignore[no-untyped-def]
    zones = ["mekong-riverside", "koh-kong-bay"]
    assistant, docs, drafter = setup(catalogue, registry, zones)
    seen: list[ops.DraftProgress] = []
    with ReviewStore(tmp_path / "r.db") as store:
        first = ops.draft_all(assistant, store, zones, drafter=drafter, on_progress=seen.append)
        assert first.drafted == first.requested == 10 and len(drafter.calls) == 10
        assert [(p.done, p.total) for p in seen] == [(i, 10) for i in range(1, 11)]
        assert [p.zone for p in seen] == ["mekong-riverside"] * 5 + ["koh-kong-bay"] * 5
        assert drafter.batches == [("mekong-riverside", 5), ("koh-kong-bay", 5)]

        drafter.calls.clear()
        seen.clear()
        again = ops.draft_all(assistant, store, zones, drafter=drafter, on_progress=seen.append)
        assert again.drafted == 0 and drafter.calls == [] and seen == []

        docs.hashes["zones/koh-kong-bay/a.pdf"] = "h2"  # one zone's document changed
        changed = ops.draft_all(assistant, store, zones, drafter=drafter)
        assert {z for z, _ in drafter.calls} == {"koh-kong-bay"} and changed.drafted == 5


def test_a_changed_catalogue_definition_is_redrafted(tmp_path: Path, catalogue, registry) -> None:  # type: ignore[no-untyped-def]
    assistant, _docs, drafter = setup(catalogue, registry, ["mekong-riverside"])
    with ReviewStore(tmp_path / "r.db") as store:
        ops.draft_all(assistant, store, ["mekong-riverside"], drafter=drafter)
        first = assistant.catalogue.criteria[0]
        edited = replace(first, requirement=first.requirement + " Updated in v2.1.")
        assistant.catalogue = Catalogue(assistant.catalogue.framework,
                                        (edited, *assistant.catalogue.criteria[1:]))
        drafter.calls.clear()
        result = ops.draft_all(assistant, store, ["mekong-riverside"], drafter=drafter)
        assert drafter.calls == [("mekong-riverside", first.id)] and result.drafted == 1


def test_draft_all_defaults_to_the_registry_zones(tmp_path: Path, catalogue, registry) -> None:  # type: ignore[no-untyped-def]
    zones = [z.id for z in registry]
    assistant, _docs, drafter = setup(catalogue, registry, zones)
    with ReviewStore(tmp_path / "r.db") as store:
        result = ops.draft_all(assistant, store, drafter=drafter)
        assert [r.dossier.zone for r in result.zones] == zones
        assert sorted(store.zones()) == sorted(zones)
