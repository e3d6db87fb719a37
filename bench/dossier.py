"""Dossier benchmark: one zone against every criterion of the catalogue, wall time.

    python -m bench.dossier [--zone bavet-gateway]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run(data: Path, *, zone: str | None = None, backend: str | None = None,
        profile: Path | None = None, log: Any = print) -> dict[str, Any]:
    """Draft ``zone`` (default: the registry's first) for all criteria on the index in ``data``."""
    from assistant.dossier import Drafter
    from assistant.service import build_assistant
    from assistant.settings import load_settings

    settings = load_settings(data_dir=data, answerer="extractive",
                             **({"embedding_backend": backend} if backend else {}))
    assistant = build_assistant(settings)
    assistant.index.embedder.embed_query("warm up")  # model load is not the dossier's cost
    registry = assistant.registry
    zone = zone or (next(iter(registry)).id if registry is not None else "")
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    started = time.perf_counter()
    dossier = Drafter(assistant).draft_zone(zone)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        profile.parent.mkdir(parents=True, exist_ok=True)
        profile.write_text(profiler.output_text(unicode=True, color=False))
    assistant.close()
    statuses: dict[str, int] = {}
    for d in dossier.drafts:
        statuses[d.status] = statuses.get(d.status, 0) + 1
    out = {"zone": zone, "criteria": len(dossier.drafts), "seconds": seconds,
           "per_criterion_ms": seconds * 1000 / max(len(dossier.drafts), 1), "statuses": statuses}
    log(f"  dossier {zone}: {out['criteria']} criteria in {seconds:.1f} s "
        f"({out['per_criterion_ms']:.0f} ms each)")
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.query import WORK, build_sample_index

    ap = argparse.ArgumentParser(prog="python -m bench.dossier")
    ap.add_argument("--zone")
    ap.add_argument("--backend")
    args = ap.parse_args(argv)
    data = build_sample_index(WORK / f"query-sample-{args.backend or 'default'}", backend=args.backend)
    print(json.dumps(run(data, zone=args.zone, backend=args.backend), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
