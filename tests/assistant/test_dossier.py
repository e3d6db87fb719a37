"""The evidence drafter: sentence signals, status rules, zone scoping (quantities: test_quantities.py)."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.catalogue import Criterion, Threshold
from assistant.dossier import (
    ABSENT,
    INSUFFICIENT,
    MEETS,
    NEUTRAL,
    NOT_MET,
    OPERATING,
    PARTIAL,
    PARTIAL_S,
    PLANNED,
    UNKNOWN,
    Drafter,
    Finding,
    Rules,
    decide,
    evidence_sentences,
    read_sentence,
)
from assistant.settings import Settings
from assistant.storage.docstore import DocStore
from assistant.storage.index import Index
from assistant.storage.vectors import InMemoryStore
from assistant.types import Chunk, SourceFile
from indexing.embed import HashingEmbedder

PRESENT = Threshold("present")
ALL_PERCENT = Threshold(">=", 100.0, "%")


# --- sentence signals --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentence", "stance"),
    [
        ("The central effluent treatment plant has been in operation since 2019.", OPERATING),
        ("MRZM has held ISO 14001 certification since 2019.", OPERATING),
        ("No greenhouse-gas inventory has been prepared for the zone.", ABSENT),
        (
            "None of the treated effluent is reused; the full volume is discharged to the river.",
            ABSENT,
        ),
        ("Waste is collected without separation, and open burning was observed.", ABSENT),
        ("A clinic building is under construction and is due to open in 2025.", PLANNED),
        ("The PMC has not yet prepared an adaptation plan.", PARTIAL_S),
        ("A first exchange started as a pilot in February 2024.", PARTIAL_S),
        ("Only 6 of the 19 firms have an occupational safety committee.", PARTIAL_S),
        (
            "The EIA was approved in 2021, but the monitoring has not been carried out since 2022.",
            PARTIAL_S,
        ),
        ("No warnings, fines or orders were open against the zone or any tenant.", OPERATING),
        ("Data on social and economic performance could not be obtained.", UNKNOWN),
        ("The team received no information on whether any treated wastewater is reused.", UNKNOWN),
        ("Prepare an energy management plan with targets.", NEUTRAL),
        ("Hazardous waste must be handed to licensed contractors.", NEUTRAL),
    ],
)
def test_sentence_signals(sentence: str, stance: str) -> None:
    assert read_sentence(sentence).stance == stance


def test_numeric_threshold_reads_the_quantity_next_to_the_indicator() -> None:
    terms = ("industri", "waste", "treat")
    below = read_sentence(
        "The remaining 65% leaves untreated; only 35% of industrial wastewater is treated.",
        ALL_PERCENT,
        terms,
    )
    assert below.stance == PARTIAL_S and below.passes is False and below.quantity.value == 35
    full = read_sentence(
        "After the expansion, the CETP treats 100% of the industrial wastewater.",
        ALL_PERCENT,
        terms,
    )
    assert full.stance == OPERATING and full.passes is True
    zero = read_sentence(
        "Hazardous waste handled by licensed operators was 0% in 2023.", ALL_PERCENT
    )
    assert zero.stance == ABSENT


def test_present_criteria_read_zero_percent_as_absence_and_a_figure_as_operation() -> None:
    assert read_sentence("Treated wastewater reused in 2023 was 0% of the volume.").stance == ABSENT
    assert (
        read_sentence("In 2023, 32% of the treated effluent was reused in this way.").stance
        == OPERATING
    )


def test_evidence_sentences_are_verbatim_prose_and_rejoin_abbreviations() -> None:
    chunk = _chunk(
        "c1",
        "z1",
        "The EIA was approved in 2011 under Sub-decree No.\n72, and its plan was "
        "updated in 2022.\nKey figures Item Value Staff 88 Firms 96 Area 780 ha\n"
        "Page 3",
        ordinal=0,
    )
    sentences = evidence_sentences(chunk)
    assert sentences == [
        "The EIA was approved in 2011 under Sub-decree No. 72, and its plan was updated in 2022."
    ]
    flat = " ".join(chunk.text.split())
    assert all(s in flat for s in sentences)


# --- status rules ------------------------------------------------------------------------
def _chunk(
    cid: str,
    zone: str | None,
    text: str,
    *,
    source: str = "",
    date: str | None = "2024-01-01",
    page: int | None = 1,
    ordinal: int = 0,
) -> Chunk:
    source = source or f"zones/{zone}/doc.pdf"
    return Chunk(
        id=cid,
        text=text,
        source=source,
        page=page,
        section=None,
        doc_type="zone_document",
        zone=zone,
        title=source,
        date=date,
        file_hash="h-" + source,
        ordinal=ordinal,
    )


def _finding(
    text: str,
    relevance: float = 0.8,
    *,
    date: str = "2024-06-01",
    source: str = "report.pdf",
    threshold: Threshold | None = None,
    terms: tuple[str, ...] = (),
) -> Finding:
    chunk = _chunk(f"{source}:{text[:10]}", "z1", text, source=source, date=date)
    return Finding(text, chunk, relevance, read_sentence(text, threshold, terms))


def test_present_comparator_meets_on_evidence_that_it_exists_and_operates() -> None:
    d = decide([_finding("The zone safety committee has convened monthly since 2019.")], PRESENT)
    assert d.status == MEETS and d.deciding and 0 < d.confidence <= 1


def test_present_comparator_absence_and_partiality() -> None:
    assert (
        decide([_finding("No climate risk assessment has been carried out.")], PRESENT).status
        == NOT_MET
    )
    assert (
        decide([_finding("A climate adaptation plan is still in draft.")], PRESENT).status
        == PARTIAL
    )
    mixed = [
        _finding("Electricity use is metered every month at the substation.", 0.8),
        _finding("There is no energy management plan and no energy-saving target.", 0.75),
    ]
    assert decide(mixed, PRESENT).status == PARTIAL


def test_numeric_comparator_decides_with_the_measured_share() -> None:
    terms = ("hazar", "licen")
    met = _finding(
        "In 2023, 100% of hazardous waste was handled by licensed contractors.",
        threshold=ALL_PERCENT,
        terms=terms,
    )
    below = _finding(
        "Licensed operators handled 55% of hazardous waste.", threshold=ALL_PERCENT, terms=terms
    )
    none = _finding(
        "None of the hazardous waste is handed to a licensed operator.", threshold=ALL_PERCENT
    )
    assert decide([met], ALL_PERCENT).status == MEETS
    assert decide([below], ALL_PERCENT).status == PARTIAL
    assert decide([none], ALL_PERCENT).status == NOT_MET


def test_other_units_and_comparators_in_decisions() -> None:
    cap = Threshold(">=", 2000, "m3/day")
    assert (
        decide([_finding("The plant treats 2.4 ML/day on average.", threshold=cap)], cap).status
        == MEETS
    )
    assert (
        decide([_finding("The plant treats 1,500 m3/day.", threshold=cap)], cap).status == PARTIAL
    )
    limit = Threshold("<=", 1000, "t")
    assert (
        decide([_finding("The zone landfilled 800 tonnes in 2023.", threshold=limit)], limit).status
        == MEETS
    )
    assert (
        decide([_finding("The zone landfilled 1,400 t in 2023.", threshold=limit)], limit).status
        == PARTIAL
    )
    energy = Threshold(">=", 1000, "MWh")
    assert (
        decide(
            [_finding("Rooftop solar produced 1,250,000 kWh in 2023.", threshold=energy)], energy
        ).status
        == MEETS
    )


def test_conflicting_dated_evidence_newest_wins_and_the_conflict_is_shown() -> None:
    terms = ("industri", "waste", "treat")
    old = _finding(
        "About 85% of industrial wastewater is treated at the CETP.",
        source="profile-2022.pdf",
        date="2022-06-30",
        threshold=ALL_PERCENT,
        terms=terms,
    )
    new = _finding(
        "After the expansion, the CETP treats 100% of the industrial wastewater.",
        0.7,
        source="report-2024.pdf",
        date="2024-08-20",
        threshold=ALL_PERCENT,
        terms=terms,
    )
    d = decide([old, new], ALL_PERCENT)
    assert d.status == MEETS
    assert d.deciding[0].source == "report-2024.pdf"
    assert d.conflict and "profile-2022.pdf" in d.conflict and "newer" in d.conflict
    assert "2022-06-30" in d.conflict and "2024-08-20" in d.conflict
    # the same pair with the dates swapped: the 85% figure is now the newest and decides
    old2 = _finding(
        new.text, source="report.pdf", date="2021-01-01", threshold=ALL_PERCENT, terms=terms
    )
    new2 = _finding(
        old.text, source="profile.pdf", date="2023-01-01", threshold=ALL_PERCENT, terms=terms
    )
    assert decide([old2, new2], ALL_PERCENT).status == PARTIAL


def test_newer_qualitative_evidence_overrides_an_older_absence() -> None:
    old = _finding(
        "No worker grievance mechanism exists in the zone.",
        0.9,
        source="eia-2021.pdf",
        date="2021-09-20",
    )
    new = _finding(
        "A worker grievance hotline was set up in 2023 and is in operation.",
        0.7,
        source="report-2024.pdf",
        date="2024-06-12",
    )
    d = decide([old, new], PRESENT)
    assert d.status == MEETS and d.conflict and "eia-2021.pdf" in d.conflict


def test_insufficient_evidence_when_nothing_relevant() -> None:
    assert decide([], PRESENT).status == INSUFFICIENT
    weak = [_finding("The zone has a clinic open on all shifts.", 0.2)]
    assert decide(weak, PRESENT, Rules(min_relevance=0.5)).status == INSUFFICIENT
    only_gap = [_finding("Data on social and economic performance could not be obtained.", 0.9)]
    d = decide(only_gap, PRESENT)
    assert d.status == INSUFFICIENT and d.unknown


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


def _small_assistant(tmp_path: Path, store: InMemoryStore) -> Any:
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
