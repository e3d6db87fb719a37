"""Portfolio benchmark: ``eip draft --all`` on a fresh review store, again with nothing
changed, and ``eip brief`` (DOCX and Markdown), each a fresh process as a user runs it.

    python -m bench.portfolio
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _eip(data: Path, *args: str) -> float:
    """Wall seconds of one ``eip`` command (a failure raises with its output)."""
    env = {**os.environ, "EIP_DATA_DIR": str(data), "EIP_CORPUS_DIR": str(ROOT / "corpus")}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"eip {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return seconds


def run(sample: Path, *, log: Any = print) -> dict[str, Any]:
    """Time the portfolio commands on a private copy of the sample index in ``sample``."""
    with tempfile.TemporaryDirectory(prefix="eip-bench-portfolio-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(sample, data, ignore=shutil.ignore_patterns("reviews.db*"))
        out = {
            "draft_all_seconds": _eip(data, "draft", "--all"),
            "draft_all_again_seconds": _eip(data, "draft", "--all"),
            "brief_docx_seconds": _eip(data, "brief", "--format", "docx", "--out",
                                       str(Path(tmp) / "brief.docx")),
            "brief_md_seconds": _eip(data, "brief", "--format", "md", "--out",
                                     str(Path(tmp) / "brief.md")),
        }
    log(f"  draft --all {out['draft_all_seconds']:.1f} s (again {out['draft_all_again_seconds']:.1f} s), "
        f"brief docx {out['brief_docx_seconds']:.1f} s, md {out['brief_md_seconds']:.1f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.query import WORK, build_sample_index

    del argv
    data = build_sample_index(WORK / "query-sample-default")
    print(json.dumps(run(data), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
