"""Walk a corpus and attach the metadata that its folder layout implies.

Layout contract:
- ``frameworks/**``            -> doc_type ``framework``
- ``zones/<zone-id>/**``       -> zone ``<zone-id>``; under a ``reports`` folder
                                  doc_type ``consultant_report``, else ``zone_document``
- anything else in a sub-folder -> doc_type ``other``
- ``<file>.meta.yaml`` sidecars override title, doc_type, zone, date and author.
Folders starting with ``_`` or ``.`` are skipped; files at the corpus root (README,
``zones.yaml``, ``criteria.yaml``) are configuration, not documents.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import yaml

from assistant.errors import ConfigError
from assistant.types import SourceFile
from assistant.vocabulary import DOC_TYPES, SUPPORTED_SUFFIXES
from assistant.yamlfile import load_yaml

logger = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.yaml"
SIDECAR_KEYS = frozenset({"title", "doc_type", "zone", "date", "author"})
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in blocks so large PDFs do not load into memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_NAME_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?)?(?!\d)"
)


def date_from_name(name: str) -> str | None:
    """``YYYY[-MM[-DD]]`` written in a file name (``site-audit-2024-03.pdf`` -> ``2024-03``).

    The last date-like part wins (``plan-2019-rev-2023.pdf`` -> ``2023``); ``None`` if none.
    """
    stem = Path(name).name
    found = list(_NAME_DATE_RE.finditer(stem))
    if not found:
        return None
    m = found[-1]
    return "-".join(p for p in m.groups() if p)


def title_from_name(path: Path) -> str:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()


def layout_metadata(rel: Path) -> tuple[str, str | None]:
    """Return ``(doc_type, zone)`` implied by a path relative to the corpus root."""
    parts = rel.parts
    if parts[0] == "frameworks":
        return "framework", None
    if parts[0] == "zones" and len(parts) >= 3:
        doc_type = "consultant_report" if "reports" in parts[2:-1] else "zone_document"
        return doc_type, parts[1]
    return "other", None


def read_sidecar(path: Path) -> dict[str, str]:
    """Read ``<file>.meta.yaml`` if present; unknown keys or bad values are errors."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = load_yaml(sidecar.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"sidecar {sidecar} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"sidecar {sidecar} must be a mapping of {sorted(SIDECAR_KEYS)}")
    unknown = set(data) - SIDECAR_KEYS
    if unknown:
        raise ConfigError(
            f"sidecar {sidecar} has unknown keys {sorted(unknown)}; allowed: {sorted(SIDECAR_KEYS)}"
        )
    meta = {k: str(v) for k, v in data.items() if v is not None}
    if "doc_type" in meta and meta["doc_type"] not in DOC_TYPES:
        raise ConfigError(
            f"sidecar {sidecar}: doc_type {meta['doc_type']!r} is not one of {sorted(DOC_TYPES)}"
        )
    if "date" in meta and not _DATE_RE.match(meta["date"]):
        raise ConfigError(f"sidecar {sidecar}: date {meta['date']!r} is not YYYY[-MM[-DD]]")
    return meta


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or any(p.startswith((".", "_")) for p in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def discover(corpus_dir: Path, *, with_hash: bool = True) -> list[SourceFile]:
    """List the documents of a corpus with layout and sidecar metadata, sorted by path."""
    root = corpus_dir.resolve()
    if not root.is_dir():
        raise ConfigError(f"corpus directory {corpus_dir} does not exist; set --corpus or EIP_CORPUS_DIR")
    found: list[SourceFile] = []
    for path in _walk(root):
        rel = path.relative_to(root)
        doc_type, zone = layout_metadata(rel)
        stat = path.stat()
        source = SourceFile(
            path=str(path),
            rel_path=rel.as_posix(),
            doc_type=doc_type,
            zone=zone,
            title=title_from_name(path),
            sha256=file_sha256(path) if with_hash else "",
            size=stat.st_size,
        )
        meta = read_sidecar(path)
        if meta:
            source = replace(source, **meta)
        found.append(source)
    logger.debug("discovered %d documents under %s", len(found), root)
    return found
