"""``eip draft``, ``eip review`` and ``eip scorecard`` end to end, with a fake drafter and index."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from assistant.catalogue import Criterion, load_catalogue, load_zones
from assistant.cli import cli
from assistant.cli import dossier as cli_draft
from assistant.types import CriterionDraft, EvidenceItem

REPO = Path(__file__).resolve().parents[3]
ZONE = "koh-kong-bay"
REPORT = "zones/koh-kong-bay/reports/baseline-assessment-2024.pdf"


class FakeDrafter:
    calls: list[str] = []

    def __init__(self, assistant: object) -> None:
        self.assistant = assistant

    def draft(self, zone_id: str, criterion: Criterion) -> CriterionDraft:
        FakeDrafter.calls.append(criterion.id)
        return CriterionDraft(
            zone=zone_id, criterion_id=criterion.id, category=criterion.category,
            title=criterion.title, requirement=criterion.requirement, status="meets",
            confidence=0.9, rationale="p. 4 says so", justification="It does [1].",
            evidence=(EvidenceItem(REPORT, 4, "treats 100% of the wastewater", 0.8,
                                   value="100%", file_hash="abc"),))


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EIP_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("EIP_CORPUS_DIR", str(REPO / "corpus"))
    docs = SimpleNamespace(files=lambda: {
        REPORT: SimpleNamespace(sha256="abc", zone=ZONE, status="indexed")})
    fake = SimpleNamespace(index=SimpleNamespace(docs=docs), close=lambda: None,
                           registry=load_zones(REPO / "corpus" / "zones.yaml"),
                           catalogue=load_catalogue(REPO / "corpus" / "criteria.yaml"))
    monkeypatch.setattr(cli_draft, "build", lambda obj, **more: fake)
    monkeypatch.setitem(sys.modules, "assistant.dossier",
                        types.SimpleNamespace(Drafter=FakeDrafter))
    FakeDrafter.calls = []
    runner = CliRunner()

    def invoke(*args: str) -> object:
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *args])

    return invoke


def test_draft_review_scorecard_round_trip(run, tmp_path: Path) -> None:
    res = run("draft", "--zone", ZONE, "--criteria", "PRE-1,env 12", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [c["id"] for c in data["criteria"]] == ["PRE-1", "ENV-12"]
    assert "2 of 2 criteria drafted" in res.stderr
    assert FakeDrafter.calls == ["PRE-1", "ENV-12"]

    res = run("draft", "--zone", ZONE, "--criteria", "PRE-1,ENV-12", "--format", "docx",
              "--out", str(tmp_path / "d.docx"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "d.docx").stat().st_size > 0
    assert FakeDrafter.calls == ["PRE-1", "ENV-12"]  # nothing changed: nothing redrafted

    res = run("review", "--zone", ZONE, "--criterion", "ENV-12", "--status", "partially_meets",
              "--note", "only the CETP", "--reviewer", "A. Sok")
    assert res.exit_code == 0, res.output
    assert "Recorded edit" in res.output and "partially_meets" in res.output
    res = run("review", "--zone", ZONE, "--criterion", "env-12", "--status", "partially_meets",
              "--reviewer", "B. Lim")
    assert "Recorded accept" in res.output  # same status as shown: a confirmation

    res = run("review", "history", "--zone", ZONE, "--criterion", "ENV-12")
    assert res.exit_code == 0 and "A. Sok" in res.output and "B. Lim" in res.output
    res = run("review", "list", "--zone", ZONE, "--json")
    rows = {r["criterion"]: r for r in json.loads(res.stdout)}
    assert rows["ENV-12"]["status"] == "partially_meets" and rows["PRE-1"]["review"] is None

    res = run("scorecard", "--format", "json")
    assert res.exit_code == 0, res.output
    card = json.loads(res.stdout)
    assert card["zones"][0]["statuses"] == {"PRE-1": "meets", "ENV-12": "partially_meets"}
    assert "not drafted yet" in res.stderr
    res = run("scorecard", "--format", "png", "--out", str(tmp_path / "s.png"))
    assert res.exit_code == 0 and (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_review_errors_are_clear(run) -> None:
    res = run("review", "--zone", ZONE, "--criterion", "ENV-12", "--reviewer", "A")
    assert res.exit_code == 1 and "eip draft --zone koh-kong-bay" in res.output
    res = run("review", "--zone", ZONE, "--criterion", "ENV-12")
    assert res.exit_code == 2 and "--reviewer" in res.output
    res = run("review", "--zone", ZONE, "--criterion", "ENV-12", "--status", "great",
              "--reviewer", "A")
    assert res.exit_code == 2 and "great" in res.output
    res = run("draft", "--zone", "atlantis")
    assert res.exit_code == 2 and "unknown zone" in res.output
    res = run("draft", "--zone", ZONE, "--criteria", "ENV-999")
    assert res.exit_code == 2 and "ENV-999" in res.output
    res = run("scorecard")
    assert res.exit_code == 1 and "eip draft" in res.output
