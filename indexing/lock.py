"""One index builder at a time per data directory, across processes.

``eip index`` and the web app's re-index (or two terminals) could otherwise run
:func:`~indexing.pipeline.build_index` on one folder at once: two embedded Chroma clients
writing it, and one run's reconcile step deleting vectors the other has upserted but not yet
recorded in SQLite. The build holds an exclusive ``flock`` on ``<data dir>/index.lock``;
a second builder waits up to ``index_lock_timeout`` seconds, then fails with a message that
names the holder. The kernel drops the lock when its process dies, so a killed run never
leaves a stale lock behind (the file itself stays; it is only a lock target).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import EIPError

logger = logging.getLogger(__name__)

LOCK_NAME = "index.lock"


class IndexLockedError(EIPError):
    """Another process holds a lock (an index build, a model export) and did not finish in time."""


@contextmanager
def index_lock(data_dir: Path, *, timeout: float = 300.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the data directory's builder lock for the block (wait at most ``timeout`` s)."""
    with file_lock(Path(data_dir) / LOCK_NAME, timeout=timeout, poll=poll,
                   what=f"another index build is running on {data_dir}",
                   remedy="Let it finish and run again, or raise EIP_INDEX_LOCK_TIMEOUT."):
        yield


@contextmanager
def file_lock(path: Path, *, timeout: float, what: str, remedy: str,
              poll: float = 0.2) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` for the block; the file records the holder.

    ``what`` and ``remedy`` word the :class:`IndexLockedError` raised after ``timeout`` s.
    Each lock target needs its own file: ``flock`` on a second descriptor of a file this
    process already holds would wait for itself.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    logger.warning("%s (%s holds %s); waiting up to %.0f s",
                                   what, _holder(path), path, timeout)
                    waited = True
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"{what} ({_holder(path)}); waited {timeout:.0f} s. {remedy}") from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(),
                                  "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "holder unknown"
    return f"pid {info.get('pid')}, since {info.get('since')}"
