"""`eip ask`: JSON output, the refusal with exit code 0, and no index as a clear error."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from assistant.cli import cli
from assistant.types import REFUSAL


def test_cli_ask_json(sample_data_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(sample_data_dir), "ask", "What share of industrial wastewater is treated at Bavet Gateway?", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{"):])
    assert set(payload) == {"question", "answer", "abstained", "figure", "citations"}
    assert payload["citations"] and set(payload["citations"][0]) >= {"marker", "file", "page", "quote", "score"}


def test_cli_ask_abstains_with_exit_zero(sample_data_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(sample_data_dir), "ask", "What is the land lease price per square metre at Kampot Tidal SEZ?"]
    )
    assert result.exit_code == 0, result.output
    assert REFUSAL in result.output


def test_cli_ask_without_index_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "none"), "ask", "anything"])
    assert result.exit_code == 1
    assert "eip index" in result.output and "Traceback" not in result.output
