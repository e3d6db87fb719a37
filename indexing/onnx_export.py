"""The embedding model as an ONNX file: exported once with ``torch.onnx``, then only read.

:class:`~indexing.embed.OnnxEmbedder` asks :func:`ensure_export` for the file. The file lives
under ``<models dir>/<model folder>-<digest>/<backend>.onnx``; the digest covers everything
that decides its contents (this module's export version, the backend, the model folder and
each of its files' name, size and modification time), so new weights or a new export recipe
get a new file and the old one is removed. The export itself holds a lock file in the models
directory, so two processes starting at once export once; a finished export is written under
a temporary name and renamed, so a reader never sees half a file. Reading an existing export
needs neither torch nor transformers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from assistant.errors import ModelUnavailableError
from indexing.lock import file_lock

logger = logging.getLogger(__name__)

#: Bump when the export recipe changes what the file computes (opset, graph, quantisation).
ONNX_EXPORT_VERSION = "2"
EXPORT_LOCK = "export.lock"
#: How long a process waits for another one's export (it takes ~10-30 s on two cores).
EXPORT_LOCK_TIMEOUT = 600.0


def backend_name(quantize: bool) -> str:
    """The ``embedding_backend`` value of an export: ``onnx`` (fp32) or ``onnx-int8``."""
    return "onnx-int8" if quantize else "onnx"


def export_fingerprint(source: Path, *, quantize: bool) -> dict[str, Any]:
    """What decides the export's contents (recorded next to it in ``export.json``)."""
    files = {f.name: [f.stat().st_size, f.stat().st_mtime_ns]
             for f in sorted(source.iterdir()) if f.is_file()}
    return {"export_version": ONNX_EXPORT_VERSION, "backend": backend_name(quantize),
            "source": str(source.resolve()), "files": files}


def export_path(source: Path, models_dir: Path, *, quantize: bool) -> Path:
    """Where the export of ``source`` for this backend lives (it may not exist yet)."""
    fingerprint = export_fingerprint(source, quantize=quantize)
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]
    return models_dir / f"{source.name}-{digest}" / f"{fingerprint['backend']}.onnx"


def ensure_export(source: Path, models_dir: Path, *, quantize: bool,
                  timeout: float = EXPORT_LOCK_TIMEOUT) -> Path:
    """The export's path, exporting first if it is missing; raises ModelUnavailableError."""
    target = export_path(source, models_dir, quantize=quantize)
    if target.exists():
        return target
    try:
        with file_lock(models_dir / EXPORT_LOCK, timeout=timeout,
                       what=f"another process is exporting the embedding model into {models_dir}",
                       remedy="Let it finish and run again."):
            if not target.exists():  # the process that held the lock may have made it
                _export(source, target, quantize=quantize)
                _remove_stale(source, target)
    except OSError as exc:
        raise ModelUnavailableError(
            f"could not write the ONNX export of {source} into {models_dir}: {exc}. Make the "
            "directory writable (EIP_DATA_DIR or EIP_MODEL_CACHE_DIR) or use "
            "EIP_EMBEDDING_BACKEND=torch."
        ) from exc
    return target


def _remove_stale(source: Path, keep: Path) -> None:
    """Delete this backend's earlier exports of the same model folder (other weights)."""
    for folder in keep.parent.parent.glob(f"{source.name}-*"):
        old = folder / keep.name
        if folder == keep.parent or not old.exists():
            continue
        try:
            recorded = json.loads((folder / "export.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if recorded.get("source") == str(source.resolve()):
            old.unlink(missing_ok=True)
            logger.info("removed the outdated ONNX export %s", old)
            if not any(folder.glob("*.onnx")):
                shutil.rmtree(folder, ignore_errors=True)


def _export(source: Path, target: Path, *, quantize: bool) -> None:
    """Export ``source`` (a local transformers folder) to ONNX at ``target``, atomically."""
    logger.warning("exporting the embedding model at %s to ONNX (%s) into %s; this happens once",
                   source, "int8" if quantize else "fp32", target.parent)
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError as exc:
        raise ModelUnavailableError(f"exporting to ONNX needs torch and transformers: {exc}") from exc
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        model = AutoModel.from_pretrained(str(source))
    except Exception as exc:  # noqa: BLE001 - any loader failure means no export
        raise ModelUnavailableError(f"could not load {source} with transformers to export it: "
                                    f"{exc}") from exc
    model.eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones(2, 16, dtype=torch.long)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer notes about data-dependent branches
                torch.onnx.export(
                    _Hidden(model), (sample, sample, torch.zeros_like(sample)), str(fp32),
                    input_names=names, output_names=["last_hidden_state"],
                    dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                    opset_version=17, dynamo=False,
                )
        except Exception as exc:  # noqa: BLE001 - the tracer raises many kinds
            raise ModelUnavailableError(f"torch.onnx could not export {source}: {exc}") from exc
        result = fp32
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            result = Path(tmp) / "model-int8.onnx"
            # Per-channel scales keep cosine to fp32 at ~0.99 (per-tensor: ~0.95); the
            # feed-forward down-projections, whose inputs (post-GELU) have the widest
            # ranges, stay fp32: cosine ~0.996, and retrieval matches fp32 closely.
            quantize_dynamic(str(fp32), str(result), weight_type=QuantType.QInt8,
                             per_channel=True, nodes_to_exclude=_ffn_down_projections(fp32))
        (target.parent / "export.json").write_text(
            json.dumps(export_fingerprint(source, quantize=quantize), indent=2), encoding="utf-8")
        os.replace(result, target)


def _ffn_down_projections(path: Path) -> list[str]:
    """Names of the MatMuls whose weight maps the feed-forward width back to the hidden size."""
    import onnx

    model = onnx.load(str(path))
    shapes = {i.name: tuple(i.dims) for i in model.graph.initializer}
    out = []
    for node in model.graph.node:
        if node.op_type != "MatMul":
            continue
        dims = next((shapes[i] for i in node.input if i in shapes), None)
        if dims is not None and len(dims) == 2 and dims[0] > dims[1]:
            out.append(node.name)
    return out
