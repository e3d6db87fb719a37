"""The criteria catalogue (``corpus/criteria.yaml``) and zone registry (``corpus/zones.yaml``).

Both loaders validate the whole file, collect every problem and raise one
:class:`~assistant.errors.CatalogueError` that lists them, each naming the file, the record
(index and id) and the field. Only yaml, the standard library and indexing.khmer are imported.

Example::

    cat = load_catalogue(Path("corpus/criteria.yaml"))
    cat.get("env 12").threshold        # Threshold(comparator='>=', value=100.0, unit='%')
    [c.id for c in cat.find_in_text("Does the zone meet ENV-17?")]   # ['ENV-17']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CatalogueError
from assistant.vocabulary import CATEGORIES
from assistant.yamlfile import load_yaml
from indexing.khmer import ascii_digits, has_khmer

logger = logging.getLogger(__name__)

LEVELS = ("park", "firm", "park+firm")
COMPARATORS = (">=", "<=", "==", "present")
NUMERIC_COMPARATORS = (">=", "<=", "==")
ID_PREFIXES = ("PRE", "PM", "ENV", "SOC", "ECO")
_REQUIRED_TEXT = ("id", "category", "subcategory", "title", "requirement", "level", "indicator")
# "ENV-12", "env 12", "Soc_4", "PM5"; digits must not run on (ENV-120 is not ENV-12).
_ID_RE = re.compile(rf"\b({'|'.join(ID_PREFIXES)})[\s_-]?(\d{{1,3}})(?!\d)", re.IGNORECASE)


def normalise_id(text: str) -> str | None:
    """``"env 12"`` -> ``"ENV-12"``; ``None`` if the text is not a criterion id."""
    m = _ID_RE.fullmatch(text.strip())
    return f"{m.group(1).upper()}-{int(m.group(2))}" if m else None


def _phrase_re(phrase: str) -> re.Pattern[str]:
    """Case-insensitive, whitespace-tolerant match of a phrase on word boundaries."""
    words = [re.escape(w) for w in phrase.split()]
    if has_khmer(phrase):  # Khmer runs words together: no word boundary to look for
        return re.compile(r"\s*".join(words), re.IGNORECASE)
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class Threshold:
    """A pass level. ``comparator == "present"`` means evidence of existence suffices."""

    comparator: str
    value: float | None = None
    unit: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.comparator in NUMERIC_COMPARATORS

    def __str__(self) -> str:
        if not self.is_numeric:
            return "present"
        unit = self.unit or ""
        return f"{self.comparator} {self.value:g}{' ' if unit and unit != '%' else ''}{unit}"


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    title: str
    version: str
    source: str


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    category: str
    subcategory: str
    title: str
    requirement: str
    level: str
    indicator: str
    threshold: Threshold | None = None
    keywords: tuple[str, ...] = ()
    guidance: str = ""


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue; criteria keep the file's order."""

    framework: Framework
    criteria: tuple[Criterion, ...]
    _by_id: dict[str, Criterion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.criteria})

    def __len__(self) -> int:
        return len(self.criteria)

    def __iter__(self):  # noqa: ANN204 - plain iterator over criteria
        return iter(self.criteria)

    def get(self, criterion_id: str) -> Criterion | None:
        """Look up by id; accepts loose spellings such as ``"env 12"``."""
        key = normalise_id(criterion_id) or criterion_id.strip()
        return self._by_id.get(key)

    def by_category(self) -> dict[str, tuple[Criterion, ...]]:
        """Criteria grouped by category, in the fixed category order (empty ones omitted)."""
        groups = {cat: tuple(c for c in self.criteria if c.category == cat) for cat in CATEGORIES}
        return {cat: crits for cat, crits in groups.items() if crits}

    def find_in_text(self, text: str) -> list[Criterion]:
        """Criteria a question mentions by id (``ENV-12``, ``env 12``) or by exact title."""
        hits: list[tuple[int, Criterion]] = []
        for m in _ID_RE.finditer(text):
            crit = self._by_id.get(f"{m.group(1).upper()}-{int(m.group(2))}")
            if crit:
                hits.append((m.start(), crit))
        for crit in self.criteria:
            if m := _phrase_re(crit.title).search(text):
                hits.append((m.start(), crit))
        return _unique(c for _, c in sorted(hits, key=lambda h: h[0]))


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    name: str
    province: str
    aliases: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Every way a text may refer to the zone: id, name and aliases."""
        return (self.id, self.name, *self.aliases)


@dataclass(frozen=True)
class ZoneRegistry:
    zones: tuple[Zone, ...]

    def __len__(self) -> int:
        return len(self.zones)

    def __iter__(self):  # noqa: ANN204
        return iter(self.zones)

    def get(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id.strip().lower()), None)

    def find_in_text(self, text: str) -> list[Zone]:
        """Zones whose id, name or alias occurs in ``text`` (case-insensitive, whole words)."""
        hits: list[tuple[int, Zone]] = []
        for zone in self.zones:
            starts = [m.start() for n in zone.names if (m := _phrase_re(n).search(text))]
            if starts:
                hits.append((min(starts), zone))
        return _unique(z for _, z in sorted(hits, key=lambda h: h[0]))


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


# ----------------------------------------------------------------------------- validation
class _Problems:
    """Collects validation messages for one file and raises them together."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.name}: {where}: {message}" if where else f"{self.name}: {message}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        head = f"{self.path} is invalid ({len(self.items)} problem(s)):"
        raise CatalogueError("\n".join([head, *(f"  - {i}" for i in self.items)]))


def _read_yaml(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc


def _text(rec: dict, key: str, where: str, probs: _Problems, *, required: bool = True) -> str:
    value = rec.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            probs.add(where, f"field '{key}' is missing or empty")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        probs.add(where, f"field '{key}' must be text, got {type(value).__name__}")
        return ""
    return " ".join(str(value).split())


def _threshold(raw: Any, where: str, probs: _Problems) -> Threshold | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        probs.add(where, f"field 'threshold' must be a mapping, got {type(raw).__name__}")
        return None
    comparator = raw.get("comparator")
    if comparator not in COMPARATORS:
        probs.add(where, f"field 'threshold.comparator' must be one of "
                  f"{', '.join(COMPARATORS)}, got {comparator!r}")
        return None
    value, unit = raw.get("value"), raw.get("unit")
    if isinstance(value, str):  # "១០០" (Khmer digits) or "100" written as text
        try:
            value = float(ascii_digits(value).replace(",", ""))
        except ValueError:
            pass
    if comparator in NUMERIC_COMPARATORS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            probs.add(where, f"field 'threshold.value' must be a number for comparator "
                      f"{comparator!r}, got {value!r}")
            return None
        value = float(value)
    elif value is not None:
        probs.add(where, "field 'threshold.value' must be empty for comparator 'present'")
        return None
    if unit is not None and not isinstance(unit, str):
        probs.add(where, f"field 'threshold.unit' must be text, got {unit!r}")
        unit = None
    return Threshold(comparator, value, unit)


def _string_list(raw: Any, key: str, where: str, probs: _Problems) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(k, str) and k.strip() for k in raw):
        probs.add(where, f"field '{key}' must be a list of non-empty strings")
        return ()
    return tuple(" ".join(k.split()) for k in raw)


def _criterion(rec: Any, index: int, probs: _Problems) -> Criterion | None:
    rid = rec.get("id") if isinstance(rec, dict) else None
    where = f"criteria[{index}]" + (f" ({rid})" if rid else "")
    if not isinstance(rec, dict):
        probs.add(where, f"each criterion must be a mapping, got {type(rec).__name__}")
        return None
    before = len(probs.items)
    values = {k: _text(rec, k, where, probs) for k in _REQUIRED_TEXT}
    if values["id"] and not normalise_id(values["id"]) == values["id"]:
        probs.add(where, f"field 'id' must look like PRE-1, PM-2, ENV-3, SOC-4 or ECO-5, "
                  f"got {values['id']!r}")
    if values["category"] and values["category"] not in CATEGORIES:
        probs.add(where, f"field 'category' must be one of {', '.join(CATEGORIES)}, "
                  f"got {values['category']!r}")
    if values["level"] and values["level"] not in LEVELS:
        probs.add(where, f"field 'level' must be one of {', '.join(LEVELS)}, "
                  f"got {values['level']!r}")
    threshold = _threshold(rec.get("threshold"), where, probs)
    keywords = _string_list(rec.get("keywords"), "keywords", where, probs)
    guidance = _text(rec, "guidance", where, probs, required=False)
    if len(probs.items) > before:
        return None
    return Criterion(**values, threshold=threshold, keywords=keywords, guidance=guidance)


def load_catalogue(path: Path) -> Catalogue:
    """Load and validate ``criteria.yaml``; raises :class:`CatalogueError` listing all problems."""
    path = Path(path)
    data = _read_yaml(path)
    probs = _Problems(path)
    if not isinstance(data, dict):
        probs.add("", "top level must be a mapping with 'framework' and 'criteria'")
        probs.raise_if_any()

    fw_raw = data.get("framework")
    framework = Framework("", "", "", "")
    if not isinstance(fw_raw, dict):
        probs.add("framework", "must be a mapping with id, title, version, source")
    else:
        framework = Framework(*(_text(fw_raw, k, "framework", probs)
                                for k in ("id", "title", "version", "source")))

    raw = data.get("criteria")
    criteria: list[Criterion] = []
    if not isinstance(raw, list) or not raw:
        probs.add("criteria", f"must be a non-empty list, got {type(raw).__name__}")
    else:
        first_index: dict[str, int] = {}
        for i, rec in enumerate(raw):
            crit = _criterion(rec, i, probs)
            rid = rec.get("id") if isinstance(rec, dict) else None
            if isinstance(rid, str) and rid in first_index:
                probs.add(f"criteria[{i}] ({rid})", f"field 'id' duplicates criteria"
                          f"[{first_index[rid]}]")
                continue
            if isinstance(rid, str):
                first_index[rid] = i
            if crit:
                criteria.append(crit)
    probs.raise_if_any()
    logger.debug("loaded %d criteria from %s", len(criteria), path)
    return Catalogue(framework, tuple(criteria))


def load_zones(path: Path) -> ZoneRegistry:
    """Load and validate ``zones.yaml`` (a ``zones:`` list, or a bare list, of records)."""
    path = Path(path)
    data = _read_yaml(path)
    probs = _Problems(path)
    raw = data.get("zones") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not raw:
        probs.add("zones", "must be a non-empty list of zone records")
        probs.raise_if_any()

    zones: list[Zone] = []
    first_index: dict[str, int] = {}
    for i, rec in enumerate(raw):
        zid = rec.get("id") if isinstance(rec, dict) else None
        where = f"zones[{i}]" + (f" ({zid})" if zid else "")
        if not isinstance(rec, dict):
            probs.add(where, f"each zone must be a mapping, got {type(rec).__name__}")
            continue
        before = len(probs.items)
        zid, name, province = (_text(rec, k, where, probs) for k in ("id", "name", "province"))
        if zid and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", zid):
            probs.add(where, f"field 'id' must be lower-case words joined by '-', got {zid!r}")
        if zid in first_index:
            probs.add(where, f"field 'id' duplicates zones[{first_index[zid]}]")
        elif zid:
            first_index[zid] = i
        aliases = _string_list(rec.get("aliases"), "aliases", where, probs)
        if len(probs.items) == before:
            extra = {k: v for k, v in rec.items() if k not in ("id", "name", "province", "aliases")}
            zones.append(Zone(zid, name, province, aliases, extra))
    probs.raise_if_any()
    return ZoneRegistry(tuple(zones))
