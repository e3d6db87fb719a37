"""run_assessment_eval / render_assessment_summary on a tiny fake assistant and drafter."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.catalogue import Criterion, Threshold
from assistant.types import Chunk, CriterionDraft, EvidenceItem
from evals.assessments import load_assessments, render_assessment_summary, run_assessment_eval

GOLD = """
- {zone: alpha, criterion: ENV-12, status: meets, file: zones/alpha/report.md, page: null,
   quote: "treats 100%"}
- {zone: alpha, criterion: SOC-4, status: partially_meets, file: null, page: null, quote: null}
- {zone: beta, criterion: ENV-12, status: does_not_meet, file: null, page: null, quote: null}
- {zone: beta, criterion: SOC-4, status: insufficient_evidence, file: null, page: null, quote: null}
"""


def _criterion(cid: str) -> Criterion:
    return Criterion(
        id=cid,
        category="environmental",
        subcategory="x",
        title=cid,
        requirement="r",
        level="park",
        indicator="i",
        threshold=Threshold("present"),
    )


class FakeCatalogue:
    def get(self, cid: str) -> Criterion | None:
        return _criterion(cid) if cid in ("ENV-12", "SOC-4") else None


class FakeDocs:
    def __init__(self) -> None:
        self.chunks = {
            "a1": Chunk(
                "a1",
                "The plant treats 100% of industrial wastewater.",
                "zones/alpha/report.md",
                None,
                None,
                "zone_document",
                "alpha",
                "t",
                "2024-01-01",
                "h",
                0,
            ),
            "b1": Chunk(
                "b1",
                "Beta has no plant.",
                "zones/beta/report.md",
                None,
                None,
                "zone_document",
                "beta",
                "t",
                "2024-01-01",
                "h",
                0,
            ),
        }

    def get_chunks(self, ids: Any) -> dict[str, Chunk]:
        return {i: self.chunks[i] for i in ids if i in self.chunks}

    def chunks_of(self, source: str) -> list[Chunk]:
        return [c for c in self.chunks.values() if c.source == source]

    def files(self) -> dict[str, Any]:
        return {c.source: SimpleNamespace(zone=c.zone) for c in self.chunks.values()}


class FakeDrafter:
    """Scripted statuses; alpha/SOC-4 cites beta's chunk (a leak) with an invented quote."""

    def __init__(self) -> None:
        self.warmed: list[str] = []

    def warm(self, zone: str, criteria: Any) -> None:
        self.warmed.append(zone)

    def draft(self, zone: str, criterion: Criterion) -> CriterionDraft:
        table = {
            ("alpha", "ENV-12"): "meets",
            ("alpha", "SOC-4"): "meets",
            ("beta", "ENV-12"): "does_not_meet",
            ("beta", "SOC-4"): "insufficient_evidence",
        }
        evidence: tuple[EvidenceItem, ...] = ()
        if (zone, criterion.id) == ("alpha", "ENV-12"):
            evidence = (
                EvidenceItem(
                    "zones/alpha/report.md",
                    None,
                    "treats 100% of industrial wastewater",
                    0.9,
                    chunk_id="a1",
                ),
            )
        if (zone, criterion.id) == ("alpha", "SOC-4"):
            evidence = (
                EvidenceItem(
                    "zones/beta/report.md", None, "a sentence that is nowhere", 0.5, chunk_id="b1"
                ),
            )
        return CriterionDraft(
            zone,
            criterion.id,
            criterion.category,
            criterion.title,
            "r",
            table[(zone, criterion.id)],
            0.7,
            "why",
            "because [1].",
            evidence,
        )


@pytest.fixture(name="gold_file")
def fixture_gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "assessments.yaml"
    path.write_text(GOLD)
    return path


def _assistant() -> Any:
    index = SimpleNamespace(docs=FakeDocs(), corpus_dir=None)
    return SimpleNamespace(catalogue=FakeCatalogue(), index=index)


def test_run_assessment_eval_scores_statuses_leaks_and_quotes(gold_file: Path) -> None:
    drafter = FakeDrafter()
    result = run_assessment_eval(_assistant(), gold_file, drafter=drafter)
    assert result["n"] == 4
    assert result["agreement"] == pytest.approx(0.75)
    assert -1.0 <= result["kappa"] < 1.0
    assert result["confusion"]["partially_meets"]["meets"] == 1
    assert result["confusion"]["meets"]["meets"] == 1
    assert result["leaks"] == 1
    assert result["quotes_not_on_page"] == 1
    assert result["seconds"] >= 0
    assert sorted(drafter.warmed) == ["alpha", "beta"]
    row = next(r for r in result["per_item"] if r["criterion"] == "SOC-4" and r["zone"] == "alpha")
    assert row == {
        **row,
        "gold": "partially_meets",
        "predicted": "meets",
        "agree": False,
        "leaks": 1,
    }


def test_summary_is_a_compact_table(gold_file: Path) -> None:
    text = render_assessment_summary(
        run_assessment_eval(_assistant(), gold_file, drafter=FakeDrafter())
    )
    assert "agreement=0.750" in text and "leaks=1" in text and "quotes not on page=1" in text
    assert "gold \\ predicted" in text
    assert "Disagreements (1)" in text and "alpha" in text


def test_unknown_criteria_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(GOLD + "- {zone: alpha, criterion: XYZ-1, status: meets}\n")
    result = run_assessment_eval(_assistant(), path, drafter=FakeDrafter())
    assert result["n"] == 4 and result["missing_criteria"] == ["XYZ-1"]


def test_bad_gold_record_names_its_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- {zone: alpha, criterion: ENV-12, status: excellent}\n")
    with pytest.raises(ValueError, match="record 0"):
        load_assessments(path)


def test_reliability_bins_confidence_against_agreement() -> None:
    from evals.assessments import reliability

    items = [
        {"confidence": 0.95, "agree": True},
        {"confidence": 0.92, "agree": False},
        {"confidence": 0.75, "agree": True},
        {"confidence": 0.55, "agree": False},
    ]
    rows = {r["bin"]: r for r in reliability(items)}
    assert rows["0.9-1.0"] == {"bin": "0.9-1.0", "n": 2, "agreement": 0.5, "mean_confidence": 0.935}
    assert rows["0.7-0.8"]["n"] == 1 and rows["0.7-0.8"]["agreement"] == 1.0
    assert rows["0.5-0.7"]["agreement"] == 0.0
    assert rows["0.8-0.9"] == {"bin": "0.8-0.9", "n": 0, "agreement": None, "mean_confidence": None}
    assert sum(r["n"] for r in rows.values()) == len(items)


def test_high_confidence_agreement_counts_drafts_at_or_above_0_8(gold_file: Path) -> None:
    result = run_assessment_eval(_assistant(), gold_file, drafter=FakeDrafter())
    # the fake drafter reports 0.7 everywhere: nothing is high-confidence
    assert result["high_confidence_agreement"] == {"n": 0, "agreement": None}
