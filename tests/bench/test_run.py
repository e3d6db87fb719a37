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
    # Each stage's wall and CPU seconds and load are in the document's stage table.
    assert "| embedding |" in out.read_text().split("## Indexing")[0]


def test_the_stage_table_comes_from_the_last_pairs_build_not_one_more(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import indexing
    from bench import run as bench_run

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("run_stages built the corpus again")

    monkeypatch.setattr(indexing, "run_child", no_build)
    stage_times = {"embed (tokenise + model)": {"seconds": 9.0, "cpu": 1.0, "calls": 3}}

    def run(impl: str, wall: float, **detail: object) -> dict[str, object]:
        return {"impl": impl, "wall": wall, "cpu": wall * 1.5, "chunks": 10, "pages": 4,
                "peak_rss_mib": 1.0, "detail": {"build_seconds": wall - 1, **detail}}

    pairs = [{"ours": run("ours", 20.0, stage_times={}, stage_counts={}), "baseline": run(
                 "baseline", 30.0, stages={"load": 2.0}, cpu_stages={"load": 2.5})},
             {"ours": run("ours", 12.0, stage_times=stage_times,
                          stage_counts={"tokens": 90, "positions (padded)": 100}),
              "baseline": run("baseline", 31.0, stages={"load": 2.0}, cpu_stages={"load": 2.4})}]
    out = bench_run.run_stages(bench_run.QUICK, {"pairs": pairs})
    assert out["source"] == "pair 2" and out["stages"] == stage_times
    assert out["build_seconds"] == 11.0 and out["counts"]["tokens"] == 90
    assert out["baseline"]["cpu_stages"] == {"load": 2.4}
    machine = {"cpu": "c", "nproc": "2", "memory": "1 GiB", "python": "3", "platform": "p",
               "versions": {}, "embedding_backend": "onnx"}
    text = bench_run.render({"machine": machine, "date": "d", "stages": out}, bench_run.QUICK)
    assert "| embed (tokenise + model) | 9.00 | 1.00 |" in text
    assert "90 tokens in 100 positions (padding 10.0%)" in text
    assert "load 2.0 / 2.4" in text
