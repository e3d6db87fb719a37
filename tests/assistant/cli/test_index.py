"""`eip index`: a settings change is refused until `--rebuild`, which then succeeds."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from assistant.cli import cli


def test_rebuild_after_a_settings_change(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "zones" / "z1").mkdir(parents=True)
    (corpus / "zones" / "z1" / "note.md").write_text(
        "# Water\n\n" + " ".join(f"Sentence {i} about treated wastewater." for i in range(60)) + "\n"
    )
    data = str(tmp_path / "data")
    runner = CliRunner()
    first = runner.invoke(cli, ["--data-dir", data, "index", "--corpus", str(corpus)])
    assert first.exit_code == 0, first.output

    monkeypatch.setenv("EIP_CHUNK_SIZE", "300")
    refused = runner.invoke(cli, ["--data-dir", data, "index", "--corpus", str(corpus)])
    assert refused.exit_code == 1
    assert "chunk_size" in refused.output and "eip index --rebuild" in refused.output

    rebuilt = runner.invoke(cli, ["--data-dir", data, "index", "--corpus", str(corpus), "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    status = runner.invoke(cli, ["--data-dir", data, "status", "--json"])
    assert status.exit_code == 0 and '"chunk_size": 300' in status.output
