"""A read-only data directory and a full disk: a clear error, and no half-written index.

Both use real mounts (tests run as root, where file permissions stop nothing): a read-only
bind mount of the data directory, and a small tmpfs that the test fills up. Where mounting
is not permitted, the tests skip and say so.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.settings import Settings
from indexing import build_index, open_index
from indexing.embed import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus"


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _can_mount(probe: Path) -> bool:
    probe.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe))
    except (subprocess.CalledProcessError, FileNotFoundError):
        return False
    _umount(probe)
    return True


def _small_corpus(root: Path) -> Path:
    shutil.copytree(SAMPLE / "frameworks", root / "frameworks")
    shutil.copytree(SAMPLE / "zones" / "prey-nob-coastal", root / "zones" / "prey-nob-coastal")
    for name in ("zones.yaml", "criteria.yaml"):
        shutil.copy(SAMPLE / name, root / name)
    return root


def _state(settings: Settings) -> tuple[int, str]:
    with sqlite3.connect(f"file:{settings.index_db}?mode=ro", uri=True) as conn:
        chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        rows = conn.execute("SELECT source, sha256, status FROM files ORDER BY source").fetchall()
    return chunks, hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`eip` in-process with the deterministic hashing embedder (no model load)."""
    monkeypatch.setattr("assistant.storage.index.make_embedder", lambda s: HashingEmbedder())
    monkeypatch.setenv("EIP_EMBEDDING_MODEL", "hashing-bow")
    yield


def _eip(*args: str):  # type: ignore[no-untyped-def]
    from assistant.cli import cli

    return CliRunner().invoke(cli, list(args))


def _build(settings: Settings, corpus: Path) -> None:
    index = open_index(settings, embedder=HashingEmbedder(), must_exist=False)
    try:
        assert build_index(index, corpus).failed == []
    finally:
        index.close()


def _consistent(settings: Settings) -> None:
    index = open_index(settings, embedder=HashingEmbedder())
    try:
        assert index.store.ids() == index.docs.chunk_ids()
    finally:
        index.close()


def test_read_only_data_dir_is_a_clear_error(tmp_path: Path, cli_env: None) -> None:
    if not _can_mount(tmp_path / "probe"):
        pytest.skip("mounting is not permitted here (needs root); cannot make a read-only dir")
    corpus = _small_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    settings = Settings(data_dir=data, corpus_dir=corpus, embedding_model="hashing-bow")
    _build(settings, corpus)
    before = _state(settings)
    changed = corpus / "zones" / "prey-nob-coastal" / "extra-note.md"
    changed.write_text("# Note\n\nThe zone treats all of its wastewater since 2024.\n")

    _mount("--bind", str(data), str(data))
    try:
        _mount("-o", "remount,ro,bind", str(data))
        result = _eip("--data-dir", str(data), "index", "--corpus", str(corpus))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
        assert str(data) in result.output and "read-only" in result.output.lower(), result.output
        # Reading still works while the directory is read-only.
        assert _eip("--data-dir", str(data), "status").exit_code == 0
    finally:
        _umount(data)
    assert _state(settings) == before
    _consistent(settings)
    # Writable again: the next run indexes the new file.
    assert _eip("--data-dir", str(data), "index", "--corpus", str(corpus)).exit_code == 0
    _consistent(settings)


def test_full_disk_is_a_clear_error_and_leaves_no_half_written_index(
        tmp_path: Path, cli_env: None) -> None:
    if not _can_mount(tmp_path / "probe"):
        pytest.skip("mounting is not permitted here (needs root); cannot make a small disk")
    corpus = _small_corpus(tmp_path / "corpus")
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk))
    try:
        data = disk / "data"
        settings = Settings(data_dir=data, corpus_dir=corpus, embedding_model="hashing-bow")
        _build(settings, corpus)
        before = _state(settings)
        # Many new documents, then fill the disk to the last few kilobytes.
        extra = corpus / "zones" / "prey-nob-coastal" / "bulk"
        extra.mkdir()
        for n in range(40):
            extra.joinpath(f"note-{n:02d}.md").write_text(
                f"# Note {n}\n\n" + " ".join(f"word{n}x{i} wastewater energy" for i in range(3000)))
        filler = disk / "filler"
        with open(filler, "wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        result = _eip("--data-dir", str(data), "index", "--corpus", str(corpus))
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
        assert str(data) in result.output, result.output
        assert "out of disk space" in result.output, result.output
        # Nothing half-written: SQLite holds exactly what it held before the run.
        assert _state(settings) == before
        filler.unlink()
        # With space again, the next run repairs any orphan vectors and completes.
        again = _eip("--data-dir", str(data), "index", "--corpus", str(corpus))
        assert again.exit_code == 0, again.output
        _consistent(settings)
        assert _state(settings)[0] > before[0]
    finally:
        _umount(disk)
