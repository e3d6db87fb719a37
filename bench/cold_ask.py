"""``eip ask`` in a fresh process: what someone who scripts the CLI waits for each time.

Runs ``python -m assistant ask QUESTION`` on the sample index ``runs`` times (after one
untimed run that puts the files in the page cache) and reports the median wall time; then
checks in one more process which heavy libraries the question loaded.

    python -m bench.cold_ask [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "How much of its wastewater does Prey Nob Coastal treat?"
HEAVY = ("torch", "sentence_transformers", "transformers", "langchain_core", "pandas", "gradio")
_PROBE = (
    "import sys\n"
    "from assistant.cli import cli\n"
    "try:\n"
    "    cli(['ask', sys.argv[1]], standalone_mode=False)\n"
    "finally:\n"
    f"    print('LOADED=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
)


def run(data: Path, *, runs: int = 5, log: Any = print) -> dict[str, Any]:
    """Median wall time of ``runs`` fresh ``eip ask`` processes on the index in ``data``."""
    from bench.indexing import bench_env

    env = bench_env(EIP_DATA_DIR=str(data))
    cmd = [sys.executable, "-m", "assistant", "ask", QUESTION]
    times: list[float] = []
    loads: list[float] = []
    for n in range(runs + 1):
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"eip ask failed ({proc.returncode}): {proc.stderr[-2000:]}")
        if n:  # the first run only warms the page cache
            times.append(elapsed)
            loads.append(os.getloadavg()[0])
    probe = subprocess.run([sys.executable, "-c", _PROBE, QUESTION], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    loaded = next((line.removeprefix("LOADED=") for line in probe.stdout.splitlines()
                   if line.startswith("LOADED=")), "?")
    out = {"runs": runs, "median_s": statistics.median(times), "min_s": min(times),
           "max_s": max(times), "load": [min(loads), max(loads)],
           "heavy_loaded": [m for m in loaded.split(",") if m]}
    log(f"  fresh `eip ask`: median {out['median_s']:.2f} s of {runs} (min {out['min_s']:.2f}, "
        f"max {out['max_s']:.2f}; load {min(loads):.1f}-{max(loads):.1f}); heavy modules "
        f"loaded: {', '.join(out['heavy_loaded']) or 'none'}")
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.query import WORK, build_sample_index

    ap = argparse.ArgumentParser(prog="python -m bench.cold_ask")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    data = build_sample_index(WORK / "query-sample-default")
    print(json.dumps(run(data, runs=args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
