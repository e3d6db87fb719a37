"""The ONNX export's life cycle: made once under a lock, reused, re-made for new weights."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ModelUnavailableError
from indexing import onnx_export
from indexing.embed import HashingEmbedder, OnnxEmbedder


def _model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        (folder / name).write_text("{}", encoding="utf-8")
    return folder


@pytest.fixture(name="exports")
def fixture_exports(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replace the torch export with a stub that records each export it is asked for."""
    made: list[Path] = []

    def fake_export(source: Path, target: Path, *, quantize: bool) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / "export.json").write_text(
            __import__("json").dumps(onnx_export.export_fingerprint(source, quantize=quantize)))
        target.write_bytes(b"onnx")
        made.append(target)

    monkeypatch.setattr(onnx_export, "_export", fake_export)
    return made


def test_export_is_made_once_and_reused(tmp_path: Path, exports: list[Path]) -> None:
    source = _model(tmp_path / "model")
    first = onnx_export.ensure_export(source, tmp_path / "models", quantize=False)
    again = onnx_export.ensure_export(source, tmp_path / "models", quantize=False)
    assert first == again == exports[0] and len(exports) == 1
    assert first.name == "onnx.onnx" and first.is_relative_to(tmp_path / "models")


def test_changed_weights_get_a_new_export_and_the_old_one_goes(tmp_path: Path,
                                                               exports: list[Path]) -> None:
    source = _model(tmp_path / "model")
    old = onnx_export.ensure_export(source, tmp_path / "models", quantize=False)
    weights = source / "model.safetensors"
    weights.write_text('{"new": 1}', encoding="utf-8")
    os.utime(weights, ns=(1, 1))
    new = onnx_export.ensure_export(source, tmp_path / "models", quantize=False)
    assert new != old and new.exists() and not old.exists() and len(exports) == 2


def test_fp32_and_int8_exports_are_kept_apart(tmp_path: Path, exports: list[Path]) -> None:
    source = _model(tmp_path / "model")
    fp32 = onnx_export.ensure_export(source, tmp_path / "models", quantize=False)
    int8 = onnx_export.ensure_export(source, tmp_path / "models", quantize=True)
    assert fp32 != int8 and fp32.exists() and int8.exists()


def test_unwritable_models_dir_names_the_folder_and_the_way_out(tmp_path: Path,
                                                                exports: list[Path]) -> None:
    source = _model(tmp_path / "model")
    blocker = tmp_path / "models"
    blocker.write_text("a file, not a folder")
    with pytest.raises(ModelUnavailableError, match="could not write the ONNX export.*models"):
        onnx_export.ensure_export(source, blocker, quantize=False)


def _unavailable(*args: object, **kwargs: object) -> Path:
    raise ModelUnavailableError("no torch.onnx here")


def test_fp32_falls_back_to_torch_when_the_export_cannot_be_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_export, "ensure_export", _unavailable)
    stand_in = HashingEmbedder(dimension=8)
    monkeypatch.setattr("indexing.embed.SentenceTransformerEmbedder", lambda *a, **k: stand_in)
    embedder = OnnxEmbedder(models_dir=tmp_path, fallback=True)
    vectors = embedder.embed_documents(["wastewater treated", "workers"])
    np.testing.assert_allclose(vectors, stand_in.embed_documents(["wastewater treated", "workers"]))
    assert embedder.uses_fallback and embedder.backend == "onnx" and embedder.dimension == 8


def test_int8_never_falls_back_to_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_export, "ensure_export", _unavailable)
    embedder = OnnxEmbedder(models_dir=tmp_path, quantize=True, fallback=True)
    with pytest.raises(ModelUnavailableError, match="no torch.onnx"):
        embedder.embed_query("wastewater")


def test_default_settings_pick_fp32_onnx_in_the_data_dir(tmp_path: Path) -> None:
    from assistant.settings import Settings
    from indexing.embed import make_embedder

    settings = Settings(data_dir=tmp_path / "data", model_cache_dir=None)
    embedder = make_embedder(settings)
    assert isinstance(embedder, OnnxEmbedder) and embedder.backend == "onnx"
    assert settings.models_dir == tmp_path / "data" / "models"
    assert embedder.export_path().is_relative_to(tmp_path / "data" / "models")
