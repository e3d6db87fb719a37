"""What the web app's pages share: settings, the assistant, the review store, the drafter.

Heavy parts (the index, the embedding model, the review database) are created on first use
and shared by every session; locks keep index runs and zone drafts from overlapping.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexMissingError
from assistant.settings import Settings
from assistant.ui.uploads import MAX_UPLOAD_BYTES

if TYPE_CHECKING:
    from assistant.catalogue import Catalogue, Zone, ZoneRegistry
    from assistant.dossier_runner import DrafterLike
    from assistant.reviews import ReviewStore
    from assistant.service import Assistant
    from assistant.storage.docstore import FileRecord
    from assistant.types import Chunk
    from indexing.pipeline import IndexReport, Progress

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = REPO / "evals" / "questions.jsonl"


@functools.cache
def private_temp_dir(prefix: str) -> Path:
    """A folder only this process's user can read (``mkdtemp``: mode 0700, unpredictable
    name), one per process and prefix, removed when the process exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def prune_older_than(folder: Path, max_age_seconds: float) -> int:
    """Delete the entries of ``folder`` last modified over ``max_age_seconds`` ago."""
    cutoff = time.time() - max_age_seconds
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError as exc:
            logger.warning("cannot remove old temporary file %s: %s", entry, exc)
    return removed


def _default_assistant(settings: Settings) -> Assistant:
    from assistant.service import build_assistant

    return build_assistant(settings)


def _default_store(settings: Settings) -> ReviewStore:
    from assistant.reviews import ReviewStore

    return ReviewStore.from_settings(settings)


def _default_drafter(assistant: Assistant) -> DrafterLike:
    from assistant.dossier import Drafter

    return Drafter(assistant)


def index_problem(settings: Settings) -> str | None:
    """Why the app cannot start on ``settings.data_dir`` (``None`` when an index is there)."""
    from assistant.storage.index import index_status

    problem = index_status(settings)
    return None if problem is None else str(problem)


@dataclass
class Services:
    """Shared, lazily built collaborators of every page."""

    settings: Settings
    assistant_factory: Callable[[Settings], Assistant] = _default_assistant
    review_store_factory: Callable[[Settings], ReviewStore] = _default_store
    drafter_factory: Callable[[Assistant], DrafterLike] = _default_drafter
    questions_path: Path = DEFAULT_QUESTIONS
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    export_dir: Path = field(default_factory=lambda: private_temp_dir("eip-exports-"))
    _assistant: Assistant | None = field(default=None, init=False, repr=False)
    _reviews: ReviewStore | None = field(default=None, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _index_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _zone_locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)

    # --- lazily built parts -------------------------------------------------------------
    @property
    def assistant(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                from assistant.service import build_portfolio

                assistant = self.assistant_factory(self.settings)
                # Chat answers portfolio questions from the app's one review store: the one
                # the dossier and scorecard pages write to.
                assistant.portfolio = build_portfolio(
                    self.settings, assistant.index, assistant.registry, assistant.catalogue,
                    cells=lambda: self.reviews)
                self._assistant = assistant
            return self._assistant

    @property
    def reviews(self) -> ReviewStore:
        with self._lock:
            if self._reviews is None:
                self._reviews = self.review_store_factory(self.settings)
            return self._reviews

    def drafter(self) -> DrafterLike:
        return self.drafter_factory(self.assistant)

    def warm_up(self) -> None:
        """Open the index and load the embedding model so the first question is quick."""
        try:
            self.assistant.index.embedder.embed_query("warm up")
            self.reviews  # noqa: B018 - opens (and creates) the review database
        except Exception:  # noqa: BLE001 - a failure shows up again, with its message, on use
            logger.exception("warm-up failed")

    def close(self) -> None:
        with self._lock:
            if self._assistant is not None:
                self._assistant.close()
                self._assistant = None
            if self._reviews is not None:
                self._reviews.close()
                self._reviews = None

    # --- what pages read ----------------------------------------------------------------
    @property
    def registry(self) -> ZoneRegistry | None:
        return self.assistant.registry

    @property
    def catalogue(self) -> Catalogue | None:
        return self.assistant.catalogue

    def zones(self) -> list[Zone]:
        return list(self.registry) if self.registry is not None else []

    def zone(self, zone_id: str | None) -> Zone | None:
        if not zone_id or self.registry is None:
            return None
        return self.registry.get(zone_id)

    def zone_name(self, zone_id: str) -> str:
        found = self.zone(zone_id)
        return found.name if found is not None else zone_id

    def zone_choices(self) -> list[tuple[str, str]]:
        """``(label, id)`` pairs for dropdowns, in registry order."""
        return [(z.name, z.id) for z in self.zones()]

    @property
    def illustrative(self) -> bool:
        """Whether the zones are invented sample zones (the UI says so)."""
        return any(z.extra.get("illustrative") for z in self.zones())

    @property
    def corpus_dir(self) -> Path:
        """The corpus the index was built from (uploads go there)."""
        built_from = self.assistant.index.corpus_dir
        return Path(built_from) if built_from is not None else Path(self.settings.corpus_dir)

    def answer_mode(self) -> tuple[str, str]:
        """``(short label, explanation)`` of how answers are produced."""
        mode = getattr(self.assistant.answerer, "mode", self.settings.answerer)
        if mode == "llm":
            model = self.settings.llm_model or "configured model"
            return (f"Language model · {model}",
                    "A language model writes the answer from the retrieved passages; every "
                    "sentence is checked against the passage it cites.")
        return ("Extractive",
                "Answers quote sentences from the documents verbatim; no language model is used.")

    def zone_lock(self, zone: str) -> threading.Lock:
        with self._lock:
            return self._zone_locks.setdefault(zone, threading.Lock())

    @contextmanager
    def indexing(self) -> Iterator[None]:
        """Hold the one index-writer slot (raises if another run is going on)."""
        if not self._index_lock.acquire(blocking=False):
            raise RuntimeError("An indexing run is already in progress; try again when it ends.")
        try:
            yield
        finally:
            self._index_lock.release()

    def reindex(self, on_progress: Callable[[Progress], None] | None = None) -> IndexReport:
        """Incrementally index the corpus into the open index (one run at a time)."""
        from assistant import ops

        index = self.assistant.index
        settings = index.settings.model_copy(update={"corpus_dir": self.corpus_dir})
        with self.indexing():
            return ops.index_corpus(settings, on_progress=on_progress, sharing=index)

    # --- what the index holds (read through the operations the CLI uses) ---------------
    def documents(self) -> list[FileRecord]:
        """Every file of the index manifest, indexed or failed."""
        from assistant import ops

        return ops.documents(self.assistant.index.docs)

    def index_info(self) -> dict[str, Any]:
        """What ``eip status`` reports: counts, zones, model, last run, failures, OCR."""
        from assistant import ops

        return ops.index_info(self.assistant.index.docs, self.settings)

    def passages(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        """The stored chunks of these ids (those that still exist)."""
        return self.assistant.index.docs.get_chunks(chunk_ids)

    def new_export_dir(self) -> Path:
        """A fresh folder for one download; downloads older than ``temp_max_age_hours`` go."""
        self.export_dir.mkdir(parents=True, exist_ok=True)
        prune_older_than(self.export_dir, self.settings.temp_max_age_hours * 3600)
        return Path(tempfile.mkdtemp(prefix="export-", dir=self.export_dir))

    @property
    def admin_users(self) -> frozenset[str]:
        """Logins that may replace corpus files (``EIP_ADMIN_USERS``)."""
        raw = self.settings.admin_users or ""
        return frozenset(u.strip() for u in raw.split(",") if u.strip())

    def public(self, message: object) -> str:
        """``message`` with server paths shortened for a user: the corpus folder becomes
        relative, the data and temp folders and the home directory are named, not shown."""
        text = str(message)
        try:
            corpus = self.corpus_dir.resolve()
        except Exception:  # noqa: BLE001 - no index open: nothing to shorten for the corpus
            corpus = Path(self.settings.corpus_dir).resolve()
        roots = [(corpus, ""), (Path(self.settings.data_dir).resolve(), "<data dir>"),
                 (Path(tempfile.gettempdir()).resolve(), "<temp>"),
                 (Path.home().resolve(), "~")]
        for root, label in roots:
            for form in {str(root), os.path.abspath(str(root))}:
                if label:
                    text = text.replace(form, label)
                else:
                    text = text.replace(form + os.sep, "").replace(form, "corpus")
        return text


def build_services(settings: Settings, *, check_index: bool = True, **kwargs: Any) -> Services:
    """Services for ``settings``; with ``check_index`` a missing index is an error up front."""
    if check_index and (problem := index_problem(settings)) is not None:
        raise IndexMissingError(problem)
    return Services(settings=settings, **kwargs)
