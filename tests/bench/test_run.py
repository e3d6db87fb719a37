"""``python -m bench.run``: a stage that fails makes the run exit 1 and is named in the report."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_failed_stage_exits_non_zero_and_the_document_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import embedding
    from bench import run as bench_run

    monkeypatch.setattr(bench_run, "WORK", tmp_path / "work")
    monkeypatch.setenv("EIP_EMBEDDING_BACKEND", "onnx")  # main() pins it; restored afterwards

    def broken(*args: object, **kwargs: object) -> dict[str, object]:
        raise ImportError("beautifulsoup4 package not found")

    monkeypatch.setattr(embedding, "run", broken)
    out = tmp_path / "benchmarks.md"
    assert bench_run.main(["--quick", "--only", "embedding", "--out", str(out)]) == 1
    text = out.read_text()
    assert "**1 stage failed**" in text
    assert "- `embedding`: ImportError: beautifulsoup4 package not found" in text


def test_a_run_whose_stages_pass_exits_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import embedding
    from bench import run as bench_run

    monkeypatch.setattr(bench_run, "WORK", tmp_path / "work")
    monkeypatch.setenv("EIP_EMBEDDING_BACKEND", "onnx")
    monkeypatch.setattr(embedding, "run", lambda *a, **k: {})
    out = tmp_path / "benchmarks.md"
    assert bench_run.main(["--quick", "--only", "embedding", "--out", str(out)]) == 0
    assert "failed" not in out.read_text().split("## Machine")[0]
