"""SIGKILL during a dossier run: the rerun completes, no cell is duplicated, reviews stay."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.reviews import ReviewStore
from assistant.settings import Settings
from indexing import build_index, open_index
from indexing.embed import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus"
ZONE = "prey-nob-coastal"
WORKER = Path(__file__).with_name("dossier_worker.py")


def _start(data: Path, corpus: Path, delay: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(WORKER), str(data), str(corpus), ZONE, str(delay)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _read_until(proc: subprocess.Popen[str], saved: int, timeout: float = 180) -> int:
    """Read progress lines until ``saved`` cells are stored; returns the run's total."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise AssertionError(f"worker ended early: {proc.stderr.read()[-3000:]}")  # type: ignore[union-attr]
        parts = line.split()
        if parts and parts[0] == "SAVED" and int(parts[1]) >= saved:
            return int(parts[2])
    raise AssertionError("worker too slow")


@pytest.mark.slow
def test_killed_dossier_run_resumes_without_duplicates(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE / "frameworks", corpus / "frameworks")
    shutil.copytree(SAMPLE / "zones" / ZONE, corpus / "zones" / ZONE)
    for name in ("zones.yaml", "criteria.yaml"):
        shutil.copy(SAMPLE / name, corpus / name)
    data = tmp_path / "data"
    settings = Settings(data_dir=data, corpus_dir=corpus, embedding_model="hashing-bow")
    index = open_index(settings, embedder=HashingEmbedder(), must_exist=False)
    build_index(index, corpus)
    index.close()

    proc = _start(data, corpus, delay=0.5)
    try:
        total = _read_until(proc, 2)
        assert total > 6
        # Another instance reviews a drafted cell while the run goes on (committed).
        with ReviewStore.from_settings(settings) as other:
            first = other.drafts(ZONE)[0].criterion_id
            other.review(ZONE, first, action="edit", reviewer="ana", status="partially_meets",
                         comment="checked on site")
        _read_until(proc, 4)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]

    with ReviewStore.from_settings(settings) as s:
        kept = len(s.drafts(ZONE))
    assert 4 <= kept < total

    rerun = _start(data, corpus, delay=0.0)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err[-3000:]
    assert out.strip().splitlines()[-1] == "DONE"
    assert f"SAVED {total - kept} {total - kept}" in out  # only the missing cells were drafted

    with ReviewStore.from_settings(settings) as s:
        cells = s.drafts(ZONE)
        assert len(cells) == total
        assert len({c.criterion_id for c in cells}) == total
        reviewed = next(c for c in cells if c.criterion_id == first)
        assert reviewed.effective_status == "partially_meets"
        assert [e.reviewer for e in s.history(ZONE, first)] == ["ana"]
    with sqlite3.connect(settings.review_db) as conn:
        drafts = conn.execute("SELECT count(*) FROM drafts WHERE zone = ?", (ZONE,)).fetchone()[0]
        assert drafts == total  # one draft per cell: nothing drafted twice
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
