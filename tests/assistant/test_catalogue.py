"""Tests of the criteria catalogue and zone registry loaders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.catalogue import (
    Threshold,
    load_catalogue,
    load_zones,
    normalise_id,
)
from assistant.errors import CatalogueError
from assistant.vocabulary import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = ROOT / "corpus" / "criteria.yaml"
ZONES = ROOT / "corpus" / "zones.yaml"


def _criterion(cid: str = "ENV-12", **over: object) -> dict:
    rec = {
        "id": cid,
        "category": "environmental",
        "subcategory": "Water",
        "title": "Treatment of industrial wastewater",
        "requirement": "All industrial wastewater is treated.",
        "level": "park+firm",
        "indicator": "Share treated",
        "threshold": {"comparator": ">=", "value": 100, "unit": "%"},
        "keywords": ["effluent", "CETP"],
        "guidance": "Plant data.",
    }
    rec.update(over)
    return {k: v for k, v in rec.items() if v is not ...}


def _write(tmp_path: Path, data: object, name: str = "criteria.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


FRAMEWORK = {"id": "fw", "title": "Framework", "version": "2.0", "source": "somewhere"}


def _catalogue(tmp_path: Path, criteria: object) -> Path:
    return _write(tmp_path, {"framework": FRAMEWORK, "criteria": criteria})


# ----------------------------------------------------------------------------- small files
def test_valid_minimal_catalogue(tmp_path: Path) -> None:
    path = _catalogue(tmp_path, [
        _criterion(),
        _criterion("SOC-4", category="social", title="Worker grievance mechanism",
                   level="park", threshold={"comparator": "present"}, keywords=...),
    ])
    cat = load_catalogue(path)
    assert [c.id for c in cat.criteria] == ["ENV-12", "SOC-4"]
    assert cat.get("env 12").threshold == Threshold(">=", 100.0, "%")
    assert cat.get("SOC-4").threshold == Threshold("present")
    assert cat.get("SOC-4").keywords == ()
    assert cat.get("ECO-99") is None
    assert list(cat.by_category()) == ["environmental", "social"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        pytest.param([_criterion(indicator=...)], "criteria[0] (ENV-12): field 'indicator' is "
                     "missing or empty", id="missing-field"),
        pytest.param([_criterion(level="site")], "criteria[0] (ENV-12): field 'level' must be one "
                     "of park, firm, park+firm, got 'site'", id="bad-level"),
        pytest.param([_criterion(threshold={"comparator": ">", "value": 1})],
                     "field 'threshold.comparator' must be one of >=, <=, ==, present, got '>'",
                     id="bad-comparator"),
        pytest.param([_criterion(threshold={"comparator": ">="})],
                     "field 'threshold.value' must be a number for comparator '>='",
                     id="numeric-comparator-without-value"),
        pytest.param([_criterion(), _criterion()], "criteria[1] (ENV-12): field 'id' duplicates "
                     "criteria[0]", id="duplicate-id"),
        pytest.param([_criterion(category="governance")], "field 'category' must be one of "
                     "prerequisite, park_management", id="unknown-category"),
        pytest.param({"ENV-12": _criterion()}, "criteria: must be a non-empty list",
                     id="non-list-criteria"),
        pytest.param([_criterion(keywords="effluent")], "field 'keywords' must be a list",
                     id="keywords-not-list"),
        pytest.param([_criterion(cid="ENV12x")], "field 'id' must look like", id="bad-id"),
        pytest.param(["just text"], "criteria[0]: each criterion must be a mapping",
                     id="record-not-mapping"),
    ],
)
def test_malformed_catalogue(tmp_path: Path, criteria: object, expected: str) -> None:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_catalogue(tmp_path, criteria))
    message = str(info.value)
    assert f"criteria.yaml: {expected}" in message or expected in message, message
    assert "criteria.yaml" in message


def test_all_errors_reported_at_once(tmp_path: Path) -> None:
    path = _catalogue(tmp_path, [
        _criterion(level="site"),
        _criterion("ENV-9", category="nature"),
        _criterion("ENV-9"),
    ])
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert "3 problem(s)" in message, message
    assert "criteria[0] (ENV-12): field 'level'" in message
    assert "criteria[1] (ENV-9): field 'category'" in message
    assert "criteria[2] (ENV-9): field 'id' duplicates criteria[1]" in message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("framework: [unclosed", id="invalid-yaml"),
        pytest.param("- just\n- a list\n", id="top-level-list"),
    ],
)
def test_unreadable_catalogue(tmp_path: Path, content: str) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError, match="criteria.yaml"):
        load_catalogue(path)


def test_missing_file_names_path(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="nope.yaml"):
        load_catalogue(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ENV-12", "ENV-12", id="canonical"),
        pytest.param("env 12", "ENV-12", id="lower-space"),
        pytest.param("Soc_4", "SOC-4", id="underscore"),
        pytest.param("pm5", "PM-5", id="no-separator"),
        pytest.param("ENV-012", "ENV-12", id="leading-zero"),
        pytest.param("environment 12", None, id="word-not-id"),
    ],
)
def test_normalise_id(text: str, expected: str | None) -> None:
    assert normalise_id(text) == expected


# ----------------------------------------------------------------------------- zones
def test_zone_registry(tmp_path: Path) -> None:
    path = _write(tmp_path, {"zones": [
        {"id": "koh-kong-bay", "name": "Koh Kong Bay Special Economic Zone",
         "province": "Koh Kong", "aliases": ["KKB SEZ", "Koh Kong Bay"], "area_ha": 340},
        {"id": "thnal-dach", "name": "Thnal Dach Special Economic Zone",
         "province": "Kampong Speu"},
    ]}, "zones.yaml")
    reg = load_zones(path)
    assert reg.get("koh-kong-bay").extra == {"area_ha": 340}
    assert reg.get("thnal-dach").aliases == ()
    found = reg.find_in_text("Compare thnal-dach with the koh kong bay zone and KKB SEZ.")
    assert [z.id for z in found] == ["thnal-dach", "koh-kong-bay"]
    assert reg.find_in_text("Koh Kong province has other zones") == []


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        pytest.param([{"id": "a-zone", "province": "Takeo"}], "zones[0] (a-zone): field 'name'",
                     id="missing-name"),
        pytest.param([{"id": "a", "name": "A", "province": "P"},
                      {"id": "a", "name": "B", "province": "P"}],
                     "zones[1] (a): field 'id' duplicates zones[0]", id="duplicate-id"),
        pytest.param([{"id": "A Zone", "name": "A", "province": "P"}], "zones[0] (A Zone): field 'id' must be",
                     id="bad-id"),
        pytest.param({"a": 1}, "zones: must be a non-empty list", id="not-a-list"),
    ],
)
def test_malformed_zones(tmp_path: Path, zones: object, expected: str) -> None:
    with pytest.raises(CatalogueError) as info:
        load_zones(_write(tmp_path, {"zones": zones}, "zones.yaml"))
    assert f"zones.yaml: {expected}" in str(info.value), str(info.value)


# ----------------------------------------------------------------------------- real files
@pytest.fixture(scope="module")
def catalogue():  # noqa: ANN201
    return load_catalogue(CRITERIA)


def test_real_catalogue_shape(catalogue) -> None:  # noqa: ANN001
    assert len(catalogue.criteria) == 64
    assert tuple(catalogue.by_category()) == CATEGORIES
    counts = {cat: len(crits) for cat, crits in catalogue.by_category().items()}
    assert counts == {"prerequisite": 4, "park_management": 9, "environmental": 27,
                      "social": 14, "economic": 10}
    numeric = {c.id: c.threshold for c in catalogue.criteria if c.threshold.is_numeric}
    assert numeric == {"ENV-12": Threshold(">=", 100.0, "%"),
                       "ENV-17": Threshold(">=", 100.0, "%")}
    for crit in catalogue.criteria:
        assert 4 <= len(crit.keywords) <= 10, crit.id
        assert crit.guidance, crit.id


def test_real_catalogue_find_in_text(catalogue) -> None:  # noqa: ANN001
    found = catalogue.find_in_text("What does env 12 ask, and is Industrial symbiosis (ENV-19) "
                                   "different from PM-4? Also ENV-120.")
    assert [c.id for c in found] == ["ENV-12", "ENV-19", "PM-4"]
    assert catalogue.find_in_text("How is the park's wastewater treated?") == []


def test_real_zones_load() -> None:
    reg = load_zones(ZONES)
    assert len(reg.zones) == 8
    assert {z.id for z in reg.zones} >= {"mekong-riverside", "poipet-frontier"}
    for zone in reg.zones:
        assert reg.find_in_text(f"Tell me about {zone.name}.")[0].id == zone.id


def test_import_is_cheap() -> None:
    code = "import sys, assistant.catalogue; print(sorted(m for m in ('torch', 'chromadb', "
    code += "'gradio', 'reportlab', 'docx', 'pypdf') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip()
    assert out == "[]", f"heavy modules imported by assistant.catalogue: {out}"
