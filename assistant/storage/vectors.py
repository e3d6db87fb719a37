"""Vector stores: where chunk embeddings live and are searched.

``ChromaStore`` is the real store (embedded ``PersistentClient`` by default, a Chroma
server through ``HttpClient`` when a host is configured). ``InMemoryStore`` is an exact
numpy store for tests. Both speak the same narrow ``VectorStore`` protocol.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.errors import StoreUnavailableError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Filter:
    """Metadata filter. ``None`` means "any"; an empty tuple matches nothing (fails closed)."""

    zones: tuple[str, ...] | None = None
    doc_types: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    include_frameworks: bool = False  # with ``zones``: also allow framework documents
    # Chunk languages (``indexing.khmer.language``); vector stores only: the keyword index
    # has no such column (its query words pick the language already).
    languages: tuple[str, ...] | None = None

    @property
    def matches_nothing(self) -> bool:
        if self.sources == () or self.doc_types == () or self.languages == ():
            return True
        return self.zones == () and not self.include_frameworks

    def accepts(self, meta: dict[str, Any]) -> bool:
        """Whether a chunk's metadata passes this filter (used by the in-memory paths)."""
        if self.sources is not None and meta.get("source") not in self.sources:
            return False
        if self.doc_types is not None and meta.get("doc_type") not in self.doc_types:
            return False
        if self.languages is not None and meta.get("language") not in self.languages:
            return False
        if self.zones is not None:
            in_zone = (meta.get("zone") or "") in self.zones
            framework = self.include_frameworks and meta.get("doc_type") == "framework"
            if not (in_zone or framework):
                return False
        return True


class VectorStore(Protocol):
    """Narrow interface every vector store implements."""

    def upsert(
        self, ids: Sequence[str], vectors: NDArray[np.float32], metadatas: Sequence[dict[str, Any]]
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(
        self, vector: NDArray[np.float32], k: int, flt: Filter | None = None
    ) -> list[tuple[str, float]]: ...

    def ids(self) -> set[str]: ...

    def count(self, flt: Filter | None = None) -> int: ...

    def reset(self) -> None: ...


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    # Chroma refuses None values; the empty string stands for "unknown".
    return {k: ("" if v is None else v) for k, v in meta.items()}


class InMemoryStore:
    """Exact cosine search over vectors held in memory (for tests and tiny corpora)."""

    def __init__(self) -> None:
        self._vectors: dict[str, NDArray[np.float32]] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def upsert(self, ids, vectors, metadatas) -> None:  # type: ignore[no-untyped-def]
        for i, vec, meta in zip(ids, vectors, metadatas, strict=True):
            self._vectors[i] = np.asarray(vec, dtype=np.float32)
            self._meta[i] = _clean_meta(meta)

    def delete(self, ids: Sequence[str]) -> None:
        for i in ids:
            self._vectors.pop(i, None)
            self._meta.pop(i, None)

    def query(self, vector, k, flt=None):  # type: ignore[no-untyped-def]
        if flt is not None and flt.matches_nothing:
            return []
        keys = [i for i in self._vectors if flt is None or flt.accepts(self._meta[i])]
        if not keys:
            return []
        matrix = np.stack([self._vectors[i] for i in keys])
        sims = matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(keys[j], float(sims[j])) for j in order]

    def ids(self) -> set[str]:
        return set(self._vectors)

    def count(self, flt: Filter | None = None) -> int:
        if flt is None:
            return len(self._vectors)
        return sum(1 for meta in self._meta.values() if flt.accepts(meta))

    def reset(self) -> None:
        self._vectors.clear()
        self._meta.clear()


def _chroma_where(flt: Filter | None) -> dict[str, Any] | None:
    if flt is None:
        return None
    clauses: list[dict[str, Any]] = []
    if flt.sources is not None:
        clauses.append({"source": {"$in": list(flt.sources)}})
    if flt.doc_types is not None:
        clauses.append({"doc_type": {"$in": list(flt.doc_types)}})
    if flt.languages is not None:
        clauses.append({"language": {"$in": list(flt.languages)}})
    if flt.zones is not None:
        zone_clause: dict[str, Any] = {"zone": {"$in": list(flt.zones) or ["\x00none"]}}
        if flt.include_frameworks:
            zone_clause = {"$or": [zone_clause, {"doc_type": {"$eq": "framework"}}]}
        clauses.append(zone_clause)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


# A wide HNSW search beam: for corpora of this size the search is then effectively exact, so
# the embedded store and a Chroma server (whose graphs differ) return the same neighbours.
# Chroma applies it when a collection is created; older collections keep the default.
_COLLECTION_METADATA = {"hnsw:space": "cosine", "hnsw:search_ef": 400}


class ChromaStore:
    """Chroma collection with cosine space and no embedding function of its own."""

    _BATCH = 2000  # Chroma caps the size of one add call

    def __init__(self, settings: Settings, *, path: os.PathLike[str] | str | None = None) -> None:
        self._settings = settings
        self._path = path
        self._collection: Any = None

    def _open(self) -> Any:
        if self._collection is not None:
            return self._collection
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:  # pragma: no cover - chromadb is a hard dependency
            raise StoreUnavailableError("chromadb is not installed; run `make install`") from exc
        s = self._settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        where = self._where()
        try:
            if s.chroma_host:
                headers = {}
                if s.chroma_token is not None:
                    headers["Authorization"] = f"Bearer {s.chroma_token.get_secret_value()}"
                client = chromadb.HttpClient(
                    host=s.chroma_host, port=s.chroma_port, ssl=s.chroma_ssl,
                    headers=headers, settings=chroma_settings,
                )
            else:
                client = chromadb.PersistentClient(path=str(self._path or s.chroma_dir),
                                                   settings=chroma_settings)
            self._collection = client.get_or_create_collection(
                s.collection, embedding_function=None, metadata=_COLLECTION_METADATA
            )
        except Exception as exc:
            raise StoreUnavailableError(
                f"cannot open the vector store, {where} ({exc.__class__.__name__}: {exc}). "
                "Check EIP_CHROMA_HOST/EIP_CHROMA_PORT, or unset them to use the embedded store."
            ) from exc
        self._client = client
        logger.debug("opened %s, collection %s", where, s.collection)
        return self._collection

    def _where(self) -> str:
        s = self._settings
        if s.chroma_host:
            return f"Chroma server {s.chroma_host}:{s.chroma_port}"
        return f"embedded Chroma at {self._path or s.chroma_dir}"

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """Turn a lost connection to a Chroma server, at any call, into StoreUnavailableError.

        The open collection is kept: its HTTP client reconnects once the server is back.
        """
        try:
            yield
        except StoreUnavailableError:
            raise
        except Exception as exc:
            if not self._settings.chroma_host or not _is_connection_error(exc):
                raise
            raise StoreUnavailableError(
                f"lost the {self._where()} ({exc.__class__.__name__}: {exc}). Check that the "
                "server is running and reachable (EIP_CHROMA_HOST/EIP_CHROMA_PORT/"
                "EIP_CHROMA_TOKEN), then retry; an interrupted `eip index` repairs itself on "
                "the next run."
            ) from exc

    def upsert(self, ids, vectors, metadatas) -> None:  # type: ignore[no-untyped-def]
        with self._reachable():
            self._upsert(ids, vectors, metadatas)

    def _upsert(self, ids, vectors, metadatas) -> None:  # type: ignore[no-untyped-def]
        col = self._open()
        for start in range(0, len(ids), self._BATCH):
            end = start + self._BATCH
            col.upsert(
                ids=list(ids[start:end]),
                embeddings=np.asarray(vectors[start:end], dtype=np.float32),
                metadatas=[_clean_meta(m) for m in metadatas[start:end]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        with self._reachable():
            col = self._open()
            for start in range(0, len(ids), self._BATCH):
                col.delete(ids=ids[start : start + self._BATCH])

    def query(self, vector, k, flt=None):  # type: ignore[no-untyped-def]
        if flt is not None and flt.matches_nothing:
            return []
        with self._reachable():
            col = self._open()
            result = col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                where=_chroma_where(flt),
                include=["distances"],
            )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def _ids(self, where: dict[str, Any] | None = None) -> Iterator[str]:
        """The collection's ids (those ``where`` selects), read a page at a time."""
        offset, page = 0, 5000
        with self._reachable():
            col = self._open()
            while True:
                batch = col.get(where=where, include=[], limit=page, offset=offset)["ids"]
                yield from batch
                if len(batch) < page:
                    return
                offset += page

    def ids(self) -> set[str]:
        return set(self._ids())

    def count(self, flt: Filter | None = None) -> int:
        if flt is not None and flt.matches_nothing:
            return 0
        where = _chroma_where(flt)
        if where is None:
            with self._reachable():
                return int(self._open().count())
        return sum(1 for _ in self._ids(where))

    def reset(self) -> None:
        with self._reachable():
            col = self._open()
            name = col.name
            self._client.delete_collection(name)
            self._collection = None
            self._open()


def _is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) means the server could not be reached or went away."""
    try:
        import httpx

        transport: tuple[type[BaseException], ...] = (httpx.TransportError,)
    except ImportError:  # pragma: no cover - httpx comes with chromadb
        transport = ()
    seen = exc
    while seen is not None:
        if isinstance(seen, (ConnectionError, TimeoutError, *transport)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
