"""The Drafter over a small index and over the sample corpus (assistant/dossier/drafter.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from assistant.catalogue import Criterion, Threshold
from assistant.dossier import INSUFFICIENT, MEETS, NOT_MET
from assistant.dossier.drafter import Drafter
from assistant.dossier.rules import Rules
from assistant.settings import Settings
from assistant.storage.docstore import DocStore
from assistant.storage.index import Index
from assistant.storage.vectors import InMemoryStore
from assistant.types import SourceFile
from indexing.embed import HashingEmbedder

sys.path.insert(0, str(Path(__file__).parent))
from dossier_chunks import chunk as _chunk  # noqa: E402

PRESENT = Threshold("present")


# --- the drafter over a small index (hashing embedder, two zones) -------------------------
class LeakyStore(InMemoryStore):
    """A vector store that ignores the filter, as a misconfigured server might."""

    def query(self, vector, k, flt=None):  # type: ignore[no-untyped-def]
        return super().query(vector, k, None)


def _criterion(cid: str = "SOC-4", threshold: Threshold | None = PRESENT) -> Criterion:
    return Criterion(
        id=cid,
        category="social",
        subcategory="Labour",
        title="Worker grievance mechanism",
        requirement="Workers can raise grievances through a mechanism that works.",
        level="park",
        indicator="Grievance mechanism available; cases received and resolved",
        threshold=threshold,
        keywords=("grievance mechanism", "hotline", "worker complaints"),
    )


def _small_assistant(tmp_path: Path, store: InMemoryStore, extra: dict[str, tuple[str, str, str]] | None = None) -> Any:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")
    docs = DocStore(tmp_path / "data" / "index.db")
    embedder = HashingEmbedder()
    texts = {
        "alpha": (
            "zones/alpha/reports/report.pdf",
            "2024-05-01",
            "Worker grievances. A worker grievance hotline has operated since 2021.\n"
            "The hotline received 214 worker complaints in 2023, and 200 were resolved.",
        ),
        "beta": (
            "zones/beta/profile.pdf",
            "2023-01-01",
            "There is no worker grievance mechanism and no hotline for worker complaints in the "
            "beta zone.",
        ),
    }
    texts.update(extra or {})
    for zone, (source, date, text) in texts.items():
        chunk = _chunk(f"{zone}-1", zone, text, source=source, date=date)
        sf = SourceFile(
            path=str(tmp_path / source),
            rel_path=source,
            doc_type="zone_document",
            zone=zone,
            title=source,
            date=date,
            sha256="h-" + source,
        )
        with docs.transaction() as conn:
            docs.replace_file(conn, sf, [chunk], [text], pages=1)
        store.upsert(
            [chunk.id],
            embedder.embed_documents([text]),
            [{"zone": zone, "doc_type": "zone_document", "source": source}],
        )
    index = Index(settings=settings, docs=docs, store=store, embedder=embedder)
    return SimpleNamespace(
        settings=settings, index=index, catalogue=None, registry=None, answerer=None
    )


@pytest.mark.parametrize("store_cls", [InMemoryStore, LeakyStore])
def test_zone_scoping_never_leaks(tmp_path: Path, store_cls: type[InMemoryStore]) -> None:
    assistant = _small_assistant(tmp_path, store_cls())
    drafter = Drafter(assistant, rules=Rules(min_relevance=0.1))
    for zone in ("alpha", "beta"):
        draft = drafter.draft(zone, _criterion())
        assert draft.evidence, zone
        assert all(e.file.startswith(f"zones/{zone}/") for e in draft.evidence)
        assert all(
            assistant.index.docs.get_chunks([e.chunk_id])[e.chunk_id].zone == zone
            for e in draft.evidence
        )
    assert drafter.draft("gamma", _criterion()).status == INSUFFICIENT  # a zone with no documents


def test_a_sentence_restating_title_and_indicator_is_close_whatever_the_keywords(tmp_path: Path) -> None:
    """The keywords widen the search; a sentence's similarity is its best match among the
    full query and the title with the indicator alone."""
    crit = _criterion()
    restated = f"The {crit.title.lower()} has its {crit.indicator.lower()}."
    assistant = _small_assistant(
        tmp_path, InMemoryStore(), {"gamma": ("zones/gamma/note.txt", "2024-01-01", restated)}
    )
    drafter = Drafter(assistant, rules=Rules(min_relevance=0.1))
    found = {f.text: f.similarity for f in drafter.findings("gamma", crit)}
    full, sentence = np.asarray(assistant.index.embedder.embed_documents([drafter.query(crit).text, restated]))
    assert found[restated] > float(full @ sentence) + 0.01


def test_draft_has_rationale_justification_and_gaps(tmp_path: Path) -> None:
    assistant = _small_assistant(tmp_path, InMemoryStore())
    drafter = Drafter(assistant, rules=Rules(min_relevance=0.1))
    alpha = drafter.draft("alpha", _criterion())
    assert alpha.status == MEETS
    assert "\n" not in alpha.rationale and "zones/alpha/reports/report.pdf" in alpha.rationale
    assert "[1]" in alpha.justification and alpha.evidence[0].quote in alpha.justification
    assert alpha.evidence[0].date == "2024-05-01" and alpha.evidence[0].file_hash
    beta = drafter.draft("beta", _criterion())
    assert beta.status == NOT_MET
    assert any(g.startswith("Question for the zone") for g in beta.gaps)
    dossier = drafter.draft_zone("alpha", [_criterion(), _criterion("SOC-99")])
    assert [d.criterion_id for d in dossier.drafts] == ["SOC-4", "SOC-99"]


def test_insufficient_draft_names_the_gap_and_the_follow_up(tmp_path: Path) -> None:
    assistant = _small_assistant(tmp_path, InMemoryStore())
    crit = Criterion(
        id="ENV-23",
        category="environmental",
        subcategory="Land",
        title="Green and open space",
        requirement="Green space is kept.",
        level="park",
        indicator="Share of park area kept as green or open space",
        threshold=PRESENT,
        keywords=("green belt",),
    )
    draft = Drafter(assistant).draft("alpha", crit)
    assert draft.status == INSUFFICIENT and not draft.evidence
    assert draft.gaps and "green and open space" in draft.gaps[0]
    assert "report.pdf" in draft.gaps[0] and "profile.pdf" not in draft.gaps[0]  # the zone's documents, named
    assert any(
        g.startswith("Question for the zone") and "share of park area" in g for g in draft.gaps
    )


class FakeChat:
    """Stands in for a langchain chat model: returns one scripted reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[Any] = []

    def invoke(self, messages: Any) -> Any:
        self.calls.append(messages)
        return SimpleNamespace(content=self.reply)


def test_llm_mode_writes_a_checked_justification(tmp_path: Path) -> None:
    assistant = _small_assistant(tmp_path, InMemoryStore())
    chat = FakeChat(
        "A worker grievance hotline has operated since 2021 [1]. "
        "The hotline received 214 worker complaints in 2023 [1]. Tenants love it [7]."
    )
    draft = Drafter(assistant, llm=chat, rules=Rules(min_relevance=0.1)).draft(
        "alpha", _criterion()
    )
    assert draft.mode == "llm"
    assert "214 worker complaints" in draft.justification and "[7]" not in draft.justification
    sent = " ".join(str(m.content) for m in chat.calls[0])
    assert "<passage" in sent and "SOC-4" in sent


def test_llm_mode_falls_back_to_the_template_when_nothing_is_supported(tmp_path: Path) -> None:
    assistant = _small_assistant(tmp_path, InMemoryStore())
    chat = FakeChat("The zone is excellent.")
    draft = Drafter(assistant, llm=chat, rules=Rules(min_relevance=0.1)).draft(
        "alpha", _criterion()
    )
    assert draft.mode == "extractive" and "[1]" in draft.justification


# --- the sample corpus, real embedder ---------------------------------------------------
@pytest.mark.slow
@pytest.mark.model
def test_sample_zone_dossier_is_scoped_verbatim_and_fast(
    sample_data_dir: Path, real_embedder
) -> None:
    from assistant.service import build_assistant
    from evals.metrics import quote_on_page
    from indexing import open_index
    from indexing.parse import parse_file

    settings = Settings(data_dir=sample_data_dir)
    assistant = build_assistant(settings, index=open_index(settings, embedder=real_embedder))
    try:
        corpus = assistant.index.corpus_dir
        drafter = Drafter(assistant)
        drafter.prepare(list(assistant.catalogue))  # criterion queries do not depend on the zone
        started = time.perf_counter()
        dossier = drafter.draft_zone("prey-nob-coastal")
        seconds = time.perf_counter() - started
        assert len(dossier.drafts) == len(assistant.catalogue) == 64
        assert seconds < 60, (
            f"a 64-criterion dossier took {seconds:.1f}s (target < 30 s on 2 cores)"
        )

        pages: dict[str, dict[int | None, str]] = {}
        for draft in dossier.drafts:
            for item in draft.evidence:
                assert item.file.startswith("zones/prey-nob-coastal/"), item.file
                if item.file not in pages:
                    parsed = parse_file(corpus / item.file)
                    pages[item.file] = {}
                    for sec in parsed.sections:
                        pages[item.file][sec.page] = (
                            pages[item.file].get(sec.page, "") + "\n" + sec.text
                        )
                assert quote_on_page(item.quote, pages[item.file][item.page]), (
                    draft.criterion_id,
                    item,
                )

        env12 = next(d for d in dossier.drafts if d.criterion_id == "ENV-12")
        assert env12.status == MEETS  # the 2024 report (100%) supersedes the 2022 profile (85%)
        assert env12.conflict and "2022" in env12.conflict
    finally:
        assistant.close()
