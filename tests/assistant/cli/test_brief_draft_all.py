"""``eip brief`` from a review store, and ``eip draft --all``'s flags, through click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from assistant.cli import cli

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(name="run")
def fixture_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EIP_CORPUS_DIR", str(REPO / "corpus"))
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["--data-dir", str(tmp_path), *args])

    return invoke


def test_brief_md_and_docx(run, portfolio_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = run("brief")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("# Pilot-selection brief")
    assert "| 1 | Mekong Riverside Special Economic Zone |" in res.stdout
    assert "Note: not drafted yet (left out):" in res.stderr and "bavet-gateway" in res.stderr
    res = run("brief", "--format", "docx", "--out", str(tmp_path / "b.docx"))
    assert res.exit_code == 0, res.output
    doc = Document(str(tmp_path / "b.docx"))
    assert doc.tables and len(doc.inline_shapes) == 1


def test_brief_without_drafts_says_what_to_run(run) -> None:  # type: ignore[no-untyped-def]
    res = run("brief")
    assert res.exit_code == 1 and "eip draft --all" in res.output


@pytest.mark.parametrize(("args", "message"), [
    (("draft",), "give --zone ID (one zone) or --all"),
    (("draft", "--all", "--zone", "thnal-dach"), "--all drafts every zone"),
    (("draft", "--all", "--out", "x.md"), "--all drafts every zone"),
])
def test_draft_flags_are_checked_before_any_work(run, args, message) -> None:  # type: ignore[no-untyped-def]
    res = run(*args)
    assert res.exit_code == 2 and message in res.output


def test_draft_all_without_an_index_says_so(run) -> None:  # type: ignore[no-untyped-def]
    res = run("draft", "--all")
    assert res.exit_code == 1 and "eip index" in res.output
