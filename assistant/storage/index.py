"""An opened index: document store + vector store + embedder, checked against settings."""

from __future__ import annotations

import errno
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import EIPError, IndexMismatchError, IndexMissingError, StorageError
from assistant.settings import FINGERPRINT_KEYS, Settings
from assistant.storage.docstore import DocStore
from assistant.storage.vectors import ChromaStore, VectorStore
from indexing.embed import Embedder, make_embedder

logger = logging.getLogger(__name__)

# What a key means when an index written before the key existed does not store it.
_FINGERPRINT_DEFAULTS = {"embedding_backend": "torch"}
# Values that produce the same vectors (fp32 ONNX Runtime computes what torch computes).
_FINGERPRINT_SAME = {"embedding_backend": {"onnx": "torch"}}


def _fingerprint_value(key: str, values: dict[str, Any] | None) -> Any:
    value = (values or {}).get(key, _FINGERPRINT_DEFAULTS.get(key))
    return _FINGERPRINT_SAME.get(key, {}).get(value, value)


@dataclass
class Index:
    """Everything a reader or writer of the index needs, built once and passed down."""

    settings: Settings
    docs: DocStore
    store: VectorStore
    embedder: Embedder
    fingerprint: dict[str, Any] = field(default_factory=dict)

    @property
    def corpus_dir(self) -> Path | None:
        """The corpus this index was built from (its registry and catalogue apply)."""
        value = self.docs.get_meta("corpus_dir")
        return Path(value) if value else None

    def is_built(self) -> bool:
        return self.docs.get_meta("fingerprint") is not None

    def warm_up(self) -> threading.Thread:
        """Load the embedding model on a daemon thread while the caller opens the rest.

        ONNX Runtime builds its session without the GIL, so in a fresh process this overlaps
        with importing chromadb (the first search's cost). A load error is left for the first
        real call to raise.
        """
        def load() -> None:
            try:
                self.embedder.dimension  # noqa: B018 - the property loads the model
            except Exception:  # noqa: BLE001 - the first embed call raises it again
                logger.debug("warm-up of the embedding model failed", exc_info=True)

        thread = threading.Thread(target=load, name="eip-warm-up", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.docs.close()


def check_fingerprint(stored: dict[str, Any] | None, current: dict[str, Any]) -> None:
    """Raise :class:`IndexMismatchError` naming each setting that differs."""
    if not stored:
        return
    diffs = [
        f"{key}: index has {stored.get(key, _FINGERPRINT_DEFAULTS.get(key))!r}, "
        f"settings say {current.get(key)!r}"
        for key in FINGERPRINT_KEYS
        if _fingerprint_value(key, stored) != _fingerprint_value(key, current)
    ]
    if diffs:
        raise IndexMismatchError(
            "the index was built with different settings ("
            + "; ".join(diffs)
            + "). Rebuild it with `eip index --rebuild`, or restore the old settings."
        )


def index_status(settings: Settings, fingerprint: dict[str, Any] | None = None, *,
                 complete: bool = True) -> EIPError | None:
    """Why the index under ``settings.data_dir`` cannot be read, or ``None`` when it can.

    The one check behind ``eip status``, ``eip serve`` and :func:`open_index`: the index is
    missing, was never completed (checked with ``complete``), or was built with other settings
    (``fingerprint``, default the settings' own). The error is returned, not raised, so callers
    choose how to show it.
    """
    if not settings.index_db.exists():
        return IndexMissingError(
            f"No index in {settings.data_dir}. Build one with `eip index` (it indexes "
            f"{settings.corpus_dir}/); `make run` does both for the sample corpus."
        )
    docs = DocStore(settings.index_db)
    try:
        stored = docs.get_meta("fingerprint")
        if stored is None and complete:
            return IndexMissingError(
                f"The index in {settings.data_dir} was never completed. Run `eip index`."
            )
        check_fingerprint(stored, fingerprint or settings.fingerprint())
    except IndexMismatchError as exc:
        return exc
    finally:
        docs.close()
    return None


def open_index(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
    must_exist: bool = True,
    for_rebuild: bool = False,
) -> Index:
    """Open the index under ``settings.data_dir``; collaborators may be injected (tests).

    ``for_rebuild`` skips the fingerprint check: the caller is about to drop the contents.
    """
    current = settings.fingerprint()
    if embedder is not None:
        current["embedding_model"] = embedder.name
        current["embedding_backend"] = getattr(embedder, "backend", settings.embedding_backend)
    if must_exist and (problem := index_status(settings, current)) is not None:
        raise problem
    docs = DocStore(settings.index_db)
    stored = docs.get_meta("fingerprint")
    try:
        if not for_rebuild:
            check_fingerprint(stored, current)
    except IndexMismatchError:
        docs.close()
        raise
    return Index(
        settings=settings,
        docs=docs,
        store=store if store is not None else ChromaStore(settings),
        embedder=embedder if embedder is not None else make_embedder(settings),
        fingerprint=stored or current,
    )


_STORAGE_ERRNOS = {errno.EROFS: "is read-only", errno.ENOSPC: "is out of disk space",
                   errno.EDQUOT: "is over its disk quota", errno.EACCES: "is not writable",
                   errno.EPERM: "is not writable", errno.EIO: "had an I/O error"}
_STORAGE_MESSAGES = (("readonly database", "is read-only"),
                     ("read-only file system", "is read-only"),
                     ("disk is full", "is out of disk space"),
                     ("no space left", "is out of disk space"),
                     ("disk i/o error", "had an I/O error"),
                     ("unable to open database file", "cannot be opened for writing"))


def storage_error(exc: BaseException, data_dir: Path) -> StorageError | None:
    """A clear :class:`StorageError` when ``exc`` means the data directory cannot be written.

    Looks through the exception chain for an errno or an SQLite/Chroma message saying the disk
    is read-only or full; returns ``None`` for anything else (a real bug keeps its traceback).
    """
    seen: BaseException | None = exc
    while seen is not None:
        what = None
        if isinstance(seen, OSError) and seen.errno in _STORAGE_ERRNOS:
            what = _STORAGE_ERRNOS[seen.errno]
        else:
            text = str(seen).lower()
            what = next((w for pattern, w in _STORAGE_MESSAGES if pattern in text), None)
        if what is not None:
            return StorageError(
                f"cannot write the index: the data directory {data_dir} {what} ({seen}). "
                "Free disk space or make it writable (or point EIP_DATA_DIR elsewhere), then "
                "run `eip index` again; committed files stay as they were and an interrupted "
                "run is repaired by the next one."
            )
        seen = seen.__cause__ or seen.__context__
    return None
