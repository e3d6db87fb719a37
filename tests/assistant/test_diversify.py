"""MMR diversity over fused candidates: the per-file cap and how relevance is scaled."""

from __future__ import annotations

from assistant.retrieve import diversify
from assistant.types import Chunk, ScoredChunk


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
