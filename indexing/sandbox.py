"""Parse files in a worker process with CPU-time, memory and wall-clock limits.

A hostile document (a PDF whose pages share one enormous content stream, a zip bomb, input
that drives a parser quadratic) must cost one file, not the index run, and must not hold
the GIL of the process that serves questions. :class:`ParseWorker` keeps one ``spawn``-ed
child for a whole index run (start-up is paid once, not per file) and sends it one path at
a time. In the child:

- ``RLIMIT_AS`` caps its address space (``parse_memory_mb``): an allocation over it raises
  ``MemoryError``, reported as ``too_large``;
- ``RLIMIT_CPU`` is re-armed before each file to the CPU already used plus
  ``parse_cpu_seconds``; ``SIGXCPU`` ends the file as ``timeout``;
- PDF pages have their own CPU budget (``parse_page_seconds``, see :func:`parse_file`).

The parent waits at most ``parse_timeout`` seconds of wall time per file, plus
``ocr_page_timeout`` for each page the child sends to OCR (it says so before each one, so a
multi-page scan is not cut off by a limit sized for text PDFs); past that (a C loop that no
signal handler interrupts) it kills the child, reports ``timeout`` and starts a fresh child
for the next file. A child whose parent dies sees its socket close and exits.
The child is a fresh ``python -c`` on a socket pair (not ``multiprocessing``
spawn, which re-runs the parent's main script); warnings it logs are replayed in the parent.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ParseError
from assistant.types import ParsedDocument

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseLimits:
    """What one file may cost (defaults match :class:`~assistant.settings.Settings`)."""

    timeout: float = 60.0
    cpu_seconds: int = 45
    page_seconds: float = 5.0
    memory_mb: int = 1_536
    max_chars: int = 5_000_000
    ocr: Any = None  # indexing.ocr.OcrOptions for scanned pages; None: the defaults

    @classmethod
    def from_settings(cls, settings: Any) -> ParseLimits:
        from indexing.ocr import ocr_options

        return cls(timeout=settings.parse_timeout, cpu_seconds=settings.parse_cpu_seconds,
                   page_seconds=settings.parse_page_seconds, memory_mb=settings.parse_memory_mb,
                   max_chars=settings.max_extracted_chars, ocr=ocr_options(settings))


class _CPULimit(BaseException):
    """The file used up its CPU seconds (raised by the SIGXCPU handler)."""


def _serve(conn: Any, limits: ParseLimits) -> None:
    """The child's loop: receive ``(path, name)``, send back the result, until EOF."""
    import resource

    from indexing import ocr
    from indexing.parse import parse_file

    ocr.page_started = lambda number: conn.send(("ocr-page", number))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    records: list[tuple[str, int, str]] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name.startswith(("indexing", "assistant")):
                records.append((record.name, record.levelno, record.getMessage()))

    root = logging.getLogger()
    root.setLevel(logging.WARNING)  # pypdf's repair warnings must still reach parse.py
    root.addHandler(_Keep())
    limit = limits.memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as exc:  # e.g. a lower hard limit already set
        logger.warning("parse worker: cannot limit memory to %d MB: %s", limits.memory_mb, exc)

    def out_of_cpu(signum: int, frame: Any) -> None:
        raise _CPULimit

    signal.signal(signal.SIGXCPU, out_of_cpu)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, name = request
        records.clear()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime) + limits.cpu_seconds + 1
        if cpu_hard != resource.RLIM_INFINITY:
            soft = min(soft, cpu_hard)
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
            try:
                reply: tuple[Any, ...] = ("ok", parse_file(Path(path), name=name,
                                                           max_chars=limits.max_chars,
                                                           page_seconds=limits.page_seconds,
                                                           ocr=limits.ocr))
            finally:
                resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
        except ParseError as exc:
            reply = ("error", exc.kind, str(exc))
        except _CPULimit:
            reply = ("error", "timeout", f"cannot read '{name}': parsing used more than "
                     f"{limits.cpu_seconds} s of CPU. Check the file or raise parse_cpu_seconds.")
        except MemoryError:
            reply = ("error", "too_large", f"cannot read '{name}': parsing needed more than "
                     f"{limits.memory_mb} MB of memory. Split the file or raise parse_memory_mb.")
        except Exception as exc:  # noqa: BLE001 - anything else is this file's problem only
            reply = ("error", "corrupt", f"cannot read '{name}': {type(exc).__name__}: {exc}")
        try:
            conn.send((*reply[:1], list(records), *reply[1:]))
        except (OSError, ValueError):  # parent gone, or a reply too big to pickle
            return


class ParseWorker:
    """One parsing child process, started on first use and restarted after a kill."""

    def __init__(self, limits: ParseLimits | None = None) -> None:
        self.limits = limits or ParseLimits()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Any = None
        self.started = 0  # children started (one per run unless a file had to be killed)

    def _start(self) -> None:
        import socket
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(theirs.fileno()),
                 json.dumps(asdict(self.limits))],
                pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        self._conn = Connection(ours.detach())
        self.started += 1

    def parse(self, path: Path, name: str) -> ParsedDocument:
        """Parse ``path`` in the child; raise :class:`ParseError` for any failure or limit."""
        if self._proc is None or self._proc.poll() is not None:
            self._stop()
            self._start()
        started = time.monotonic()
        deadline = started + self.limits.timeout
        page_allowance = getattr(self.limits.ocr, "page_timeout", 120.0)
        ocr_pages = 0
        try:
            self._conn.send((str(path), name))
            while True:
                if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                    self._stop(kill=True)
                    allowed = deadline - started
                    extra = (f" ({self.limits.timeout:g} s + {page_allowance:g} s for each of "
                             f"{ocr_pages} OCR'd page(s))" if ocr_pages else "")
                    raise ParseError(f"cannot read '{name}': parsing took more than "
                                     f"{allowed:g} s{extra} and was stopped. Check the file "
                                     "or raise parse_timeout (ocr_page_timeout for scans).",
                                     kind="timeout")
                reply = self._conn.recv()
                if reply[0] != "ocr-page":
                    break
                ocr_pages += 1
                deadline += page_allowance
        except (EOFError, OSError) as exc:
            proc = self._proc
            self._stop(kill=True)
            code = proc.returncode if proc is not None else None
            kind = "timeout" if code == -signal.SIGXCPU else "corrupt"
            raise ParseError(f"cannot read '{name}': the parser process died (exit code "
                             f"{code}) after {time.monotonic() - started:.1f} s. Check the "
                             "file.", kind=kind) from exc
        status, records, *rest = reply
        for logger_name, level, message in records:
            logging.getLogger(logger_name).log(level, "%s", message)
        if status == "ok":
            return rest[0]
        kind, message = rest
        raise ParseError(message, kind=kind)

    def _stop(self, *, kill: bool = False) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            if not kill:
                try:
                    conn.send(None)
                except (OSError, ValueError):
                    pass
            conn.close()
        if proc is not None:
            if kill:
                proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def close(self, *, kill: bool = False) -> None:
        """Stop the child; with ``kill`` at once (a file in flight is then reported failed)."""
        if kill and self._proc is not None:
            self._proc.kill()  # a thread waiting in parse() sees EOF and cleans up
            return
        self._stop()


_CHILD = "import sys; from indexing.sandbox import child_main; child_main(sys.argv[1:])"


def child_main(argv: list[str]) -> None:
    """Entry point of the child: ``argv`` is the socket's fd and the limits as JSON."""
    from multiprocessing.connection import Connection

    raw = json.loads(argv[1])
    if raw.get("ocr") is not None:  # it crossed the process boundary as JSON
        from indexing.ocr import OcrOptions

        raw["ocr"] = OcrOptions(**raw["ocr"])
    _serve(Connection(int(argv[0])), ParseLimits(**raw))
