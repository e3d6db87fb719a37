"""files -> pages -> chunks -> embeddings -> stores, incrementally and crash-safely.

Write order for each batch of files, chosen so that a kill at any point is repaired by
the next run: (1) upsert the new vectors, (2) swap chunk rows and the manifest row in
one SQLite transaction, (3) delete vectors the file no longer has. A kill after (1)
leaves vectors SQLite does not know (orphans); a kill after (2) leaves old vectors
(orphans too). The run marks the index dirty first; the next run deletes orphans.

Parsing and chunking run on one worker thread up to 16 files ahead of the main thread, so
PDF text extraction overlaps with embedding; when the next file is not parsed yet, the main
thread embeds the batch it has rather than wait. The parsing itself happens in one child
process per run (:mod:`indexing.sandbox`) under CPU, memory and wall-clock limits, so a
hostile file costs only itself (``timeout`` / ``too_large``) and never holds this process's
GIL. The worker only reads files; every write above stays on the main thread in the order
given. The whole run holds the data directory's lock file (:mod:`indexing.lock`), so two
processes never build one index at once.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from assistant.errors import ParseError
from assistant.settings import Settings
from assistant.storage.docstore import FileRecord
from assistant.storage.index import Index, check_fingerprint
from assistant.types import Chunk, OcrPage, SourceFile
from indexing.chunk import chunk_document, index_text
from indexing.discover import discover, title_from_name
from indexing.khmer import language
from indexing.lock import index_lock
from indexing.sandbox import ParseLimits, ParseWorker

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress event for whoever displays progress (the CLI, the web app)."""

    stage: str  # "scan" | "file" | "embed" | "done"
    done: int
    total: int
    source: str | None = None


ProgressFn = Callable[[Progress], None]
#: Chunks a batch needs before it is embedded early, while the parser catches up (fewer would
#: run the model on small, inefficient batches).
MIN_IDLE_FLUSH = 32


@dataclass
class IndexReport:
    """What an index run did."""

    corpus: str
    files_seen: int = 0
    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_added: int = 0
    chunks_total: int = 0
    orphans_removed: int = 0
    seconds: float = 0.0
    ocr_pages: int = 0  # scanned pages read by OCR and indexed in this run
    ocr_rejected: list[dict[str, object]] = field(default_factory=list)  # below the floor

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Pending:
    source: SourceFile
    chunks: list[Chunk]
    pages: int | None
    ocr_pages: tuple[OcrPage, ...] = ()


def _flush(index: Index, batch: list[_Pending], report: IndexReport, on_progress: ProgressFn | None,
           done_chunks: list[int]) -> None:
    """Embed a batch of files and commit each file's swap atomically."""
    chunks = [c for p in batch for c in p.chunks]
    texts = [index_text(c) for c in chunks]
    if chunks:
        vectors = index.embedder.embed_documents(texts)
        index.docs.set_meta("dimension", int(vectors.shape[1]))
        index.store.upsert(
            [c.id for c in chunks],
            vectors,
            [
                {"source": c.source, "page": c.page if c.page is not None else -1,
                 "doc_type": c.doc_type, "zone": c.zone, "date": c.date, "language": language(c.text)}
                for c in chunks
            ],
        )
    stale: set[str] = set()
    position = 0
    with index.docs.transaction() as conn:
        for pending in batch:
            n = len(pending.chunks)
            old = index.docs.chunk_ids(pending.source.rel_path)
            index.docs.replace_file(
                conn, pending.source, pending.chunks, texts[position : position + n],
                pages=pending.pages, ocr_pages=pending.ocr_pages,
            )
            stale |= old - {c.id for c in pending.chunks}
            position += n
            report.indexed.append(pending.source.rel_path)
            report.ocr_pages += sum(p.accepted for p in pending.ocr_pages)
            report.ocr_rejected.extend(
                {"source": pending.source.rel_path, "page": p.page, "confidence": p.confidence}
                for p in pending.ocr_pages if not p.accepted
            )
    if stale:
        index.store.delete(sorted(stale))
    report.chunks_added += len(chunks)
    done_chunks[0] += len(chunks)
    if on_progress:
        on_progress(Progress("embed", done_chunks[0], done_chunks[0], None))


def _prepare(source: SourceFile, settings: Settings, worker: ParseWorker) -> _Pending:
    """Parse (in the worker process) and chunk one file; raises ParseError."""
    parsed = worker.parse(Path(source.path), source.rel_path)
    if parsed.title and source.title == title_from_name(Path(source.rel_path)):
        source = replace(source, title=parsed.title)
    chunks = chunk_document(source, parsed, size=settings.chunk_size, overlap=settings.chunk_overlap)
    return _Pending(source, chunks, parsed.pages, parsed.ocr_pages)


class _Prefetch:
    """Prepares the files to index on a worker thread, at most ``window`` files ahead."""

    def __init__(self, sources: list[SourceFile], settings: Settings, window: int = 16) -> None:
        self._todo = deque(sources)
        self._settings = settings
        self._window = window
        self._futures: dict[str, Future[_Pending]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eip-parse")
        self.worker = ParseWorker(ParseLimits.from_settings(settings))  # started on first file
        self._fill()

    def _fill(self) -> None:
        while self._todo and len(self._futures) < self._window:
            source = self._todo.popleft()
            self._futures[source.rel_path] = self._pool.submit(_prepare, source, self._settings,
                                                               self.worker)

    def ready(self, source: SourceFile) -> bool:
        """Whether ``source`` is prepared (its :meth:`get` will not wait for the parser)."""
        future = self._futures.get(source.rel_path)
        return future is None or future.done()

    def get(self, source: SourceFile) -> _Pending:
        future = self._futures.pop(source.rel_path, None)
        self._fill()
        if future is None:  # not scheduled (should not happen): do it here
            return _prepare(source, self._settings, self.worker)
        return future.result()

    def close(self) -> None:
        aborted = bool(self._todo or self._futures)
        self._todo.clear()
        if aborted:  # an error or Ctrl-C: do not wait for a file in flight
            self.worker.close(kill=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.worker.close()


def _reconcile(index: Index) -> int:
    """Delete vectors that SQLite does not know about (left by an interrupted run)."""
    known = index.docs.chunk_ids()
    stored = index.store.ids()  # pages through every id: fetch once
    orphans = stored - known
    if orphans:
        index.store.delete(sorted(orphans))
        logger.warning("removed %d orphan vectors left by an interrupted run", len(orphans))
    missing = known - stored
    if missing:
        # Rows without vectors cannot be searched densely: force those files to re-index.
        sources = {c.source for c in index.docs.get_chunks(missing).values()}
        with index.docs.transaction() as conn:
            for source in sources:
                conn.execute("UPDATE files SET sha256 = '' WHERE source = ?", (source,))
        logger.warning("%d files lost vectors; they will be re-indexed", len(sources))
    return len(orphans)


def build_index(
    index: Index,
    corpus_dir: Path,
    *,
    rebuild: bool = False,
    on_progress: ProgressFn | None = None,
    batch_chunks: int = 256,
) -> IndexReport:
    """Bring the index in line with ``corpus_dir``; returns what was done.

    Unchanged files (same sha256) are skipped, changed ones replaced, deleted ones removed.
    Files that cannot be read are recorded with their reason and skipped. The run holds the
    data directory's lock; another build waits for it (``IndexLockedError`` after
    ``index_lock_timeout`` seconds).
    """
    settings: Settings = index.settings
    with index_lock(settings.data_dir, timeout=settings.index_lock_timeout):
        return _build_index(index, corpus_dir, rebuild=rebuild, on_progress=on_progress,
                            batch_chunks=batch_chunks)


def _build_index(index: Index, corpus_dir: Path, *, rebuild: bool, on_progress: ProgressFn | None,
                 batch_chunks: int) -> IndexReport:
    started = time.perf_counter()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    settings: Settings = index.settings
    corpus = corpus_dir.resolve()
    report = IndexReport(corpus=str(corpus))
    fingerprint = {
        **settings.fingerprint(),
        "embedding_model": index.embedder.name,
        "embedding_backend": getattr(index.embedder, "backend", settings.embedding_backend),
    }

    if rebuild:
        index.store.reset()
        index.docs.reset()
    else:
        check_fingerprint(index.docs.get_meta("fingerprint"), fingerprint)

    if on_progress:
        on_progress(Progress("scan", 0, 0))
    sources = discover(corpus)
    report.files_seen = len(sources)
    known = index.docs.files()

    if index.docs.get_meta("dirty") or index.store.count() != index.docs.count():
        report.orphans_removed = _reconcile(index)
        known = index.docs.files()
    index.docs.set_meta("dirty", True)
    index.docs.set_meta("corpus_dir", str(corpus))

    present = {s.rel_path for s in sources}
    for gone in sorted(set(known) - present):
        ids = index.docs.chunk_ids(gone)
        with index.docs.transaction() as conn:
            index.docs.remove_file(conn, gone)
        index.store.delete(sorted(ids))
        report.removed.append(gone)

    def unchanged(source: SourceFile) -> bool:
        record = known.get(source.rel_path)
        return record is not None and record.sha256 == source.sha256

    prefetch = _Prefetch([s for s in sources if not unchanged(s)], settings)
    try:
        _index_files(index, sources, known, prefetch, report, on_progress, batch_chunks)
    finally:
        prefetch.close()

    index.docs.set_meta("fingerprint", fingerprint)
    index.docs.set_meta("dirty", False)
    report.chunks_total = index.docs.count()
    report.seconds = round(time.perf_counter() - started, 3)
    index.docs.record_run(started_at, "ok", str(corpus), report.as_dict())
    if on_progress:
        on_progress(Progress("done", len(sources), len(sources)))
    return report


def _index_files(index: Index, sources: list[SourceFile], known: dict[str, FileRecord],
                 prefetch: _Prefetch, report: IndexReport, on_progress: ProgressFn | None,
                 batch_chunks: int) -> None:
    """Index the changed files in order, embedding and committing a batch at a time."""
    batch: list[_Pending] = []
    done_chunks = [0]
    for number, source in enumerate(sources, start=1):
        if on_progress:
            on_progress(Progress("file", number - 1, len(sources), source.rel_path))
        record = known.get(source.rel_path)
        if record is not None and record.sha256 == source.sha256:
            report.unchanged += 1
            if record.status != "indexed":
                report.failed.append(
                    {"source": source.rel_path, "kind": record.kind or "", "reason": record.reason or ""}
                )
            continue
        if sum(len(p.chunks) for p in batch) >= MIN_IDLE_FLUSH and not prefetch.ready(source):
            # The parser is behind: embed what is ready instead of waiting with an idle model.
            _flush(index, batch, report, on_progress, done_chunks)
            batch = []
        try:
            pending = prefetch.get(source)
        except ParseError as exc:
            status = "needs_ocr" if exc.kind == "needs_ocr" else "failed"
            old = index.docs.chunk_ids(source.rel_path)
            with index.docs.transaction() as conn:
                index.docs.mark_failed(conn, source, status=status, kind=exc.kind, reason=str(exc))
            if old:
                index.store.delete(sorted(old))
            report.failed.append({"source": source.rel_path, "kind": exc.kind, "reason": str(exc)})
            logger.warning("skipped %s: %s", source.rel_path, exc)
            continue
        batch.append(pending)
        if sum(len(p.chunks) for p in batch) >= batch_chunks:
            _flush(index, batch, report, on_progress, done_chunks)
            batch = []
    if batch:
        _flush(index, batch, report, on_progress, done_chunks)
