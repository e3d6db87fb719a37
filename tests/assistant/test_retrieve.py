"""Hybrid retrieval: rank fusion, MMR diversity, filters, and the Retriever over a small index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.catalogue import Zone, ZoneRegistry
from assistant.query import plan_query
from assistant.retrieve import Retriever, combine_filters, cross_language, diversify, rrf_fuse
from assistant.settings import Settings
from assistant.storage.docstore import DocStore
from assistant.storage.index import Index
from assistant.storage.vectors import Filter, InMemoryStore
from assistant.types import Chunk, ScoredChunk, SourceFile

REGISTRY = ZoneRegistry((Zone("alpha", "Alpha Zone", "P"), Zone("beta", "Beta Zone", "P")))
DOCS = {  # source -> (zone, chunk texts); zone None is a framework document
    "frameworks/guide.md": (None, ["Industrial wastewater must be treated in a central effluent treatment plant."]),
    "zones/alpha/report.md": ("alpha", [
        "The Alpha central effluent treatment plant treats 1,440 m3/day of industrial wastewater.",
        "Alpha has a rooftop solar system of 0.8 MWp on the warehouse."]),
    "zones/beta/profile.md": ("beta", ["Beta sends its industrial wastewater untreated to the river."]),
    "zones/beta/solar.md": ("beta", ["Beta buys solar power from a solar farm of 18 ha."]),
}
WASTEWATER = "How much industrial wastewater is treated?"


@pytest.fixture(name="retriever")
def fixture_retriever(tmp_path: Path, settings: Settings, hashing_embedder):
    """A Retriever over DOCS: document store on disk, in-memory vectors, hashing embedder."""
    docs, store = DocStore(tmp_path / "index.db"), InMemoryStore()
    for source, (zone, texts) in DOCS.items():
        doc_type = "framework" if zone is None else "zone_document"
        sf = SourceFile(path=source, rel_path=source, doc_type=doc_type, zone=zone, title=source,
                        sha256="h" + source)
        chunks = [Chunk(f"{source}#{i}", t, source, 1, None, doc_type, zone, source, None, "h" + source, i)
                  for i, t in enumerate(texts)]
        with docs.transaction() as conn:
            docs.replace_file(conn, sf, chunks, texts, pages=1)
        store.upsert([c.id for c in chunks], hashing_embedder.embed_documents(texts),
                     [{"zone": zone, "doc_type": doc_type, "source": source} for _ in chunks])
    index = Index(settings=settings, docs=docs, store=store, embedder=hashing_embedder)
    yield Retriever(index, settings, REGISTRY)
    index.close()


def _ids(results: list[ScoredChunk]) -> list[str]:
    return [r.chunk.id for r in results]


def _zones(results: list[ScoredChunk]) -> set[str | None]:
    return {r.chunk.zone for r in results}


# --- rank fusion and filters --------------------------------------------------------------
def test_rrf_adds_reciprocal_ranks_and_keeps_both_ranks_and_the_cosine() -> None:
    fused = rrf_fuse([("a", 0.9), ("b", 0.8)], [("b", 5.0), ("c", 4.0)], k=60)
    assert [row[0] for row in fused] == ["b", "a", "c"]
    assert fused[0] == ("b", pytest.approx(1 / 62 + 1 / 61), 2, 1, 0.8)
    assert fused[2] == ("c", pytest.approx(1 / 62), None, 2, None)  # keyword only: no cosine


def test_rrf_weights_and_ties() -> None:
    dense_only = rrf_fuse([("a", 0.9), ("b", 0.8)], [("b", 5.0)], keyword_weight=0.0)
    assert [row[0] for row in dense_only] == ["a", "b"]
    assert [row[0] for row in rrf_fuse([("b", 0.9)], [("a", 1.0)])] == ["a", "b"]  # equal: by id


def test_plan_zones_narrow_a_user_filter_and_never_widen_it() -> None:
    assert combine_filters(None, None, frameworks=False) == Filter()
    user = Filter(zones=("a", "b"), doc_types=("zone_document",))
    scoped = combine_filters(user, ("b", "c"), frameworks=True)
    assert scoped == Filter(zones=("b",), doc_types=("zone_document",), include_frameworks=True)
    assert combine_filters(Filter(zones=("a",)), ("c",), frameworks=False).matches_nothing


# --- the Retriever over a small index -----------------------------------------------------
def test_hybrid_search_fuses_dense_and_keyword_ranks(retriever: Retriever) -> None:
    results = retriever.search(WASTEWATER)
    assert _ids(results)[0] == "frameworks/guide.md#0"
    assert results[0].dense_rank == 1 and results[0].keyword_rank == 1 and results[0].similarity
    assert [r.score for r in results[:3]] == sorted((r.score for r in results[:3]), reverse=True)
    keyword = retriever.search(WASTEWATER, mode="keyword")
    assert keyword and all(r.dense_rank is None and r.keyword_rank for r in keyword)
    assert "zones/beta/solar.md#0" not in _ids(keyword)  # no word of the question
    dense = retriever.search(WASTEWATER, mode="dense")
    assert all(r.keyword_rank is None and r.dense_rank for r in dense)


def test_filters_scope_the_search_and_fail_closed(retriever: Retriever) -> None:
    assert _zones(retriever.search("solar", flt=Filter(zones=("beta",)))) == {"beta"}
    with_frameworks = retriever.search("wastewater", flt=Filter(zones=("alpha",), include_frameworks=True))
    assert _zones(with_frameworks) == {"alpha", None}
    assert retriever.search("wastewater", flt=Filter(zones=())) == []
    assert retriever.search("wastewater", flt=Filter(sources=("no/such.md",))) == []
    assert len(retriever.search("wastewater", k=1)) == 1


def test_a_planned_zone_scopes_retrieval_to_it_and_the_frameworks(retriever: Retriever) -> None:
    results = retriever.retrieve(plan_query("Does Alpha Zone treat its wastewater?", REGISTRY, None))
    assert results and _zones(results) <= {"alpha", None} and "alpha" in _zones(results)


def test_a_cross_zone_question_asks_every_zone(retriever: Retriever) -> None:
    plan = plan_query("Which zones treat industrial wastewater?", REGISTRY, None)
    results = retriever.retrieve(plan, per_zone=1)
    assert plan.cross_zone and len(results) == 2 and _zones(results) == {"alpha", "beta"}
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_zone_name_words_are_left_out_of_a_scoped_keyword_query(retriever: Retriever) -> None:
    """Inside a zone's scope its name matches every page; the other words rank."""
    alpha = Filter(zones=("alpha",))
    named = retriever.search("Alpha solar", mode="keyword", flt=alpha)
    assert set(_ids(named)) == {"zones/alpha/report.md#0", "zones/alpha/report.md#1"}  # "Alpha" matches both
    scoped = retriever.search("Alpha solar", mode="keyword", flt=alpha, names=frozenset({"alpha"}))
    assert _ids(scoped) == ["zones/alpha/report.md#1"]


# --- MMR diversity: the per-file cap and how relevance is scaled -------------------------
def _cand(n: int, text: str, score: float, source: str) -> ScoredChunk:
    chunk = Chunk(id=f"c{n}", text=text, source=source, page=n, section=None, doc_type="zone_document",
                  zone="demo-zone", title=source, date=None, file_hash="h", ordinal=n)
    return ScoredChunk(chunk, score=score)


def _pool(shift: float = 0.0) -> list[ScoredChunk]:
    # "b" repeats much of "a"; "c" is distinct but less relevant; "floor" is barely relevant.
    return [
        _cand(1, "alpha beta gamma delta epsilon", 0.0328 + shift, "a.pdf"),
        _cand(2, "alpha beta gamma zeta omega", 0.0300 + shift, "b.pdf"),
        _cand(3, "eta theta iota kappa lambda", 0.0250 + shift, "c.pdf"),
        _cand(4, "mu nu xi omicron pi", 0.0100 + shift, "d.pdf"),
    ]


def test_one_long_document_does_not_fill_the_context() -> None:
    long_doc = [_cand(n, f"topic word{n} other{n}", 0.033 - n * 0.0001, "long.pdf") for n in range(8)]
    others = [_cand(10 + n, f"different text{n}", 0.020 - n * 0.0001, f"other{n}.pdf") for n in range(3)]
    chosen = diversify(long_doc + others, 5, lambda_=0.7, max_per_document=3)
    assert len(chosen) == 5
    assert sum(c.chunk.source == "long.pdf" for c in chosen) == 3


def test_selection_depends_on_how_candidates_compare_not_on_the_score_scale() -> None:
    """Adding a constant to every fused score must not reorder the result.

    Relevance is rescaled over the candidate pool; dividing by the top score alone made
    the nearly flat RRF scores of the top candidates look equal, so redundancy decided.
    """
    plain = [c.chunk.id for c in diversify(_pool(), 3, lambda_=0.7)]
    shifted = [c.chunk.id for c in diversify(_pool(shift=1.0), 3, lambda_=0.7)]
    assert plain == shifted
    # The relevant near-duplicate still comes before the weaker distinct candidate.
    assert plain == ["c1", "c2", "c3"]


def test_pure_diversity_prefers_the_distinct_candidate() -> None:
    chosen = [c.chunk.id for c in diversify(_pool(), 2, lambda_=0.0)]
    assert chosen[1] != "c2"


def test_a_chosen_zone_scopes_retrieval_without_a_registry(retriever: Retriever) -> None:
    """`eip ask --zone beta` on a corpus without zones.yaml: beta's documents and the frameworks only."""
    results = retriever.retrieve(plan_query("Is the wastewater treated?", None, None, zone="beta"))
    assert results and _zones(results) <= {"beta", None}


def _chunk(cid: str, text: str) -> Chunk:
    return Chunk(id=cid, text=text, source=f"{cid}.md", page=None, section=None, doc_type="zone_document",
                 zone="alpha", title=None, date=None, file_hash="h", ordinal=0)


def test_passages_in_the_other_language_get_the_bonus_and_keep_their_cosine() -> None:
    chunks = {"km1": _chunk("km1", "ការិយាល័យត្រួតពិនិត្យទឹកកខ្វក់ជារៀងរាល់ខែ។"),
              "km2": _chunk("km2", "តំបន់មានរោងចក្រចំនួនដប់។"),
              "en1": _chunk("en1", "The office inspects the effluent every month.")}
    dense = [("km1", 0.90), ("km2", 0.88), ("en1", 0.85)]
    khmer_question = "តើការិយាល័យត្រួតពិនិត្យទឹកកខ្វក់ញឹកញាប់ប៉ុណ្ណា?"
    assert cross_language(dense, chunks, khmer_question, 0.0) == dense
    assert cross_language(dense, chunks, khmer_question, 0.04) == [("km1", 0.90), ("en1", 0.85), ("km2", 0.88)]
    assert cross_language(dense, chunks, khmer_question, 0.10)[0] == ("en1", 0.85)
    # The same bonus works the other way for an English question.
    english = [("en1", 0.90), ("km1", 0.87)]
    assert cross_language(english, chunks, "How often is the effluent inspected?", 0.05)[0] == ("km1", 0.87)


class _FixedQuery:
    """An embedder whose every question is the unit vector (1, 0)."""

    def embed_query(self, text: str):
        import numpy as np

        return np.array([1.0, 0.0], dtype=np.float32)


def _at(cosine: float):
    import numpy as np

    return np.array([cosine, (1 - cosine**2) ** 0.5], dtype=np.float32)


def test_other_language_passages_below_the_candidates_get_their_own_query(tmp_path: Path) -> None:
    """Six English passages fill the five candidates; the Khmer one still gets the bonus."""
    docs, store = DocStore(tmp_path / "index.db"), InMemoryStore()
    texts = {f"en{i}": (f"English passage number {i} about effluent.", 0.90 - 0.01 * i, "en") for i in range(6)}
    texts["km"] = ("ការិយាល័យត្រួតពិនិត្យទឹកកខ្វក់ជារៀងរាល់ខែ។", 0.80, "km")
    for cid, (text, cosine, lang) in texts.items():
        chunk = _chunk(cid, text)
        sf = SourceFile(path=chunk.source, rel_path=chunk.source, doc_type="zone_document", zone="alpha",
                        title=cid, sha256="h")
        with docs.transaction() as conn:
            docs.replace_file(conn, sf, [chunk], [text], pages=None)
        store.upsert([cid], _at(cosine)[None, :], [{"zone": "alpha", "doc_type": "zone_document",
                                                    "source": chunk.source, "language": lang}])
    question = "How often is the effluent inspected?"

    def search(bonus: float) -> list[ScoredChunk]:
        settings = Settings(data_dir=tmp_path, retrieval_candidates=5, cross_language_bonus=bonus)
        index = Index(settings=settings, docs=docs, store=store, embedder=_FixedQuery())  # type: ignore[arg-type]
        return Retriever(index, settings).search(question, k=1, mode="dense")

    assert _ids(search(0.0)) == ["en0"]  # no bonus: one query, as before
    top = search(0.12)[0]  # 0.80 + 0.12 beats 0.90
    assert top.chunk.id == "km" and top.similarity == pytest.approx(0.80, abs=1e-5)
    assert store.query(_at(1.0), 5, Filter(languages=())) == []  # an empty language list fails closed
    docs.close()


def test_rrf_adds_a_third_ranking_without_reporting_its_rank() -> None:
    fused = rrf_fuse([("a", 0.9), ("b", 0.8)], [("a", 3.0)], k=60, other=[("b", 0.8)], other_weight=1.0)
    assert [row[0] for row in fused] == ["a", "b"]
    assert fused[1] == ("b", pytest.approx(1 / 62 + 1 / 61), 2, None, 0.8)
    # Weight 0: the third ranking changes nothing.
    assert rrf_fuse([("a", 0.9)], [], other=[("z", 0.1)], other_weight=0.0)[1][1] == 0.0


def test_a_khmer_question_reaches_the_zones_english_passage_not_only_generic_framework_text(
    tmp_path: Path,
) -> None:
    """Khmer passages have a keyword and a dense rank, English ones a dense rank alone.

    The other language's own ranking stands in for the missing keyword rank, weighted by
    that language's share of the index, and inside a zone's scope it ranks the zone's own
    documents: the zone's English letter, not the framework text nearer in cosine, joins
    the Khmer passages.
    """
    docs, store = DocStore(tmp_path / "index.db"), InMemoryStore()
    inspection = "ការត្រួតពិនិត្យ"  # inspection
    rows = [  # id, text, cosine to every question, zone, language
        ("km1", f"{inspection}ទឹកកខ្វក់ធ្វើឡើងរៀងរាល់ឆ្នាំ។", 0.90, "alpha", "km"),
        ("km2", f"{inspection}ដីធ្វើឡើងដោយក្រសួង។", 0.89, "alpha", "km"),
        ("km3", f"{inspection}សំណល់រឹងមានរបាយការណ៍។", 0.88, "alpha", "km"),
        ("fw", "Cambodia's special economic zones are regulated by a sub-decree of 2005.", 0.84, None, "en"),
        ("letter", "The next inspection of the effluent plant is planned for August 2024.", 0.83, "alpha", "en"),
    ] + [(f"b{i}", f"Beta report paragraph {i} on roads.", 0.30, "beta", "en") for i in range(10)]
    for cid, text, cosine, zone, lang in rows:
        doc_type = "framework" if zone is None else "zone_document"
        chunk = Chunk(cid, text, f"{cid}.md", None, None, doc_type, zone, cid, None, "h", 0)
        sf = SourceFile(path=chunk.source, rel_path=chunk.source, doc_type=doc_type, zone=zone, title=cid,
                        sha256="h" + cid)
        with docs.transaction() as conn:
            docs.replace_file(conn, sf, [chunk], [text], pages=None)
        store.upsert([cid], _at(cosine)[None, :], [{"zone": zone, "doc_type": doc_type,
                                                    "source": chunk.source, "language": lang}])
    assert store.count(Filter(languages=("km",))) == 3 and store.count() == 15
    question = f"តើ{inspection}បន្ទាប់នៅពេលណា?"  # when is the next inspection?
    scope = Filter(zones=("alpha",), include_frameworks=True)

    def search(bonus: float) -> list[str]:
        settings = Settings(data_dir=tmp_path, cross_language_bonus=bonus)
        index = Index(settings=settings, docs=docs, store=store, embedder=_FixedQuery())  # type: ignore[arg-type]
        return _ids(Retriever(index, settings).search(question, k=4, flt=scope))

    assert sorted(search(0.0)) == ["fw", "km1", "km2", "km3"]  # MiniLM: no cross-language ranking
    assert sorted(search(0.08)) == ["km1", "km2", "km3", "letter"]
    docs.close()
