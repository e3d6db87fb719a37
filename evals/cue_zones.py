"""In how many zones does each signal cue fire? (issue #15: a cue of one zone is fitted.)

``python -m evals.cue_zones DATA_DIR [DATA_DIR ...]`` reads the zone documents of built
indexes (e.g. the sample and the independent one), cuts them into the drafter's quotable
sentences and prints, for every phrasing of every cue list in
:mod:`assistant.dossier.signals`, the zones whose documents it matches. Phrasings that match
in one zone only are marked; phrasings that match nowhere are listed last.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.dossier import signals
from assistant.dossier.matching import evidence_sentences
from assistant.types import Chunk


def cue_lists() -> dict[str, tuple[str, ...]]:
    """``{list name: phrasings}`` for every cue list of the signals module."""
    names = {id(v): k for k, v in vars(signals).items()}
    return {names.get(id(rx), rx.pattern[:30]): pats for rx, pats in signals.CUE_PATTERNS.items()}


#: Phrasings kept although they match in one zone's documents only, each because dropping it
#: cost sample (dev) cells while the phrasing is general (docs/eval.md, drafter round 3):
#: "no information ... available" and "did not provide" are how any report says a figure was
#: not given; "trial" is "pilot" in other words.
def _phrasing(list_name: str, start: str) -> tuple[str, str]:
    return list_name, next(p for p in cue_lists()[list_name] if p.startswith(start))


ONE_ZONE_KEPT = frozenset({
    _phrasing("UNKNOWN_CUES", r"\bno (?:information"),
    _phrasing("UNKNOWN_CUES", r"\bdid not (?:provide"),
    _phrasing("PARTIAL_CUES", r"\btrial\b"),
})


def zones_per_cue(chunks: Iterable[Chunk]) -> dict[tuple[str, str], set[str]]:
    """``{(list, phrasing): zones}`` over the quotable sentences of zone chunks."""
    compiled = {
        (name, p): re.compile(p, re.IGNORECASE) for name, pats in cue_lists().items() for p in pats
    }
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for chunk in chunks:
        if not chunk.zone:
            continue
        for sentence in evidence_sentences(chunk):
            for key, rx in compiled.items():
                if rx.search(sentence):
                    found[key].add(chunk.zone)
    return {key: found.get(key, set()) for key in compiled}


def one_zone_cues(chunks: Iterable[Chunk]) -> set[tuple[str, str]]:
    """``(list, phrasing)`` pairs that match in exactly one zone (issue #15: such a cue is fitted)."""
    return {key for key, zones in zones_per_cue(chunks).items() if len(zones) == 1}


def chunks_of_indexes(data_dirs: Sequence[str | Path]) -> Iterable[Chunk]:
    """Every chunk of the indexes built in ``data_dirs``."""
    yield from _chunks([str(d) for d in data_dirs])


def _chunks(data_dirs: Sequence[str]) -> Iterable[Chunk]:
    from assistant.storage.docstore import DocStore

    for data in data_dirs:
        db = Path(data) / "index.db"
        if not db.exists():
            raise SystemExit(f"no index at {db}: build one with `eip index --data {data}` first")
        docs = DocStore(db)
        for source in docs.files():
            yield from docs.chunks_of(source)


def main(argv: Sequence[str]) -> int:
    if not argv:
        print(__doc__)  # noqa: T201 - an entry point prints
        return 2
    counts = zones_per_cue(_chunks(argv))
    for (name, pattern), zones in sorted(counts.items(), key=lambda kv: (len(kv[1]) == 0, len(kv[1]), kv[0])):
        mark = "ONE ZONE " if len(zones) == 1 else "         "
        print(f"{mark}{len(zones)}  {name:16} {pattern[:70]:70}  {', '.join(sorted(zones))}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
