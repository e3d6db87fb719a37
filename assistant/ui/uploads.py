"""Uploads into the corpus: file names are sanitised and every path is confined to one zone.

A browser sends whatever name the user's file had (or whatever a script claims). Nothing of
that name reaches the file system unchecked: only the final component is kept, control
characters and path separators are dropped, Unicode is normalised (NFKC) and reduced to a
safe character set, the suffix must be one the indexer reads, and the resolved target must
lie inside ``<corpus>/zones/<zone>/`` (or its ``reports/`` folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from assistant.errors import EIPError
from indexing.discover import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES

#: Largest file accepted by the upload form (bytes).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES: frozenset[str] = frozenset(SUPPORTED_SUFFIXES)
_ZONE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_UNSAFE = re.compile(r"[^\w.\- ]+", re.ASCII)
_MAX_NAME = 120
# Names Windows reserves; harmless on Linux but a corpus folder may be shared with Windows.
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))})


class UploadError(EIPError):
    """An upload that is refused (type, size, name or target)."""


@dataclass(frozen=True)
class SavedUpload:
    original: str
    path: Path
    rel_path: str  # relative to the corpus root
    size: int
    sha256: str = ""
    replaced: bool = False  # an existing file of that name was overwritten


def _ascii(ch: str) -> str:
    """The ASCII form of one character; ``_`` for one that has none (combining marks vanish)."""
    if ch.isascii():
        return ch
    if unicodedata.category(ch).startswith("M"):
        return ""
    folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return folded or ("-" if unicodedata.category(ch) == "Pd" else "_")


def sanitise_filename(name: str) -> str:
    """A safe single file name derived from ``name`` (raises :class:`UploadError` if none is left).

    Directories (``/``, ``\\``, ``..``), NUL and other control characters are removed, Unicode
    is NFKC-normalised and folded to ASCII where it has an ASCII form, and anything else but
    letters, digits, ``.``, ``-``, ``_`` and spaces becomes ``_``.
    """
    if not isinstance(name, str):
        raise UploadError("the upload has no file name")
    name = unicodedata.normalize("NFKC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # NUL, controls, bidi
    # Keep only the last component, whatever the client's separator convention.
    name = PureWindowsPath(PurePosixPath(name.replace("\\", "/")).name).name
    name = "".join(_ascii(ch) for ch in name)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"\s*_[\s_]*", "_", name)
    name = re.sub(r"\.{2,}", ".", name).strip().rstrip(".")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip(" ._-")
    if not stem or stem.lower() in _RESERVED:
        stem = f"document{('-' + stem) if stem else ''}"
    if len(stem) > _MAX_NAME:
        stem = stem[:_MAX_NAME].rstrip(" ._-")
    return f"{stem}.{suffix.lower()}" if suffix else stem


def check_suffix(name: str) -> str:
    """The lower-case suffix of ``name`` if the indexer reads it, else :class:`UploadError`."""
    if name.lower().endswith(SIDECAR_SUFFIX):
        raise UploadError(f"{name}: metadata sidecars cannot be uploaded here")
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = ", ".join(sorted(ALLOWED_SUFFIXES))
        raise UploadError(f"{name}: type {suffix or '(none)'} is not accepted; allowed: {allowed}")
    return suffix


def zone_dir(corpus_dir: Path, zone: str, *, report: bool = False) -> Path:
    """``<corpus>/zones/<zone>[/reports]``, resolved; the zone id must be a plain slug."""
    if not isinstance(zone, str) or not _ZONE_ID.fullmatch(zone):
        raise UploadError(f"not a valid zone id: {zone!r}")
    root = (Path(corpus_dir) / "zones").resolve()
    folder = (root / zone / "reports") if report else (root / zone)
    folder = folder.resolve()
    if not folder.is_relative_to(root / zone):
        raise UploadError(f"zone folder {folder} escapes the corpus")
    return folder


def safe_target(corpus_dir: Path, zone: str, name: str, *, report: bool = False) -> Path:
    """Where an upload called ``name`` goes: inside ``<corpus>/zones/<zone>/``, never elsewhere.

    The name is sanitised, its type checked, and the resolved path verified to stay inside
    the zone folder (a symlinked folder pointing elsewhere is refused too).
    """
    clean = sanitise_filename(name)
    check_suffix(clean)
    folder = zone_dir(corpus_dir, zone, report=report)
    target = (folder / clean).resolve()
    zone_root = (Path(corpus_dir) / "zones" / zone).resolve()
    if target.parent != folder or not target.is_relative_to(zone_root):
        raise UploadError(f"{name!r} would be written outside the zone folder")
    return target


def _unique(target: Path) -> Path:
    if not target.exists():
        return target
    stem, suffix = target.stem, target.suffix
    for n in range(2, 1000):
        candidate = target.with_name(f"{stem}-{n}{suffix}")
        if not candidate.exists():
            return candidate
    raise UploadError(f"too many files called {target.name}")


def save_upload(corpus_dir: Path, zone: str, source: Path, original_name: str, *,
                report: bool = False, max_bytes: int = MAX_UPLOAD_BYTES,
                overwrite: bool = False) -> SavedUpload:
    """Copy an uploaded temporary file into the zone folder after every check.

    An existing file of the same name is kept unless ``overwrite`` (a new name gets ``-2``,
    ``-3`` ...); replacing a document is an explicit decision.
    """
    source = Path(source)
    size = source.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{original_name}: {size / 1e6:.1f} MB is over the "
                          f"{max_bytes / 1e6:.0f} MB limit")
    if size == 0:
        raise UploadError(f"{original_name}: the file is empty")
    target = safe_target(corpus_dir, zone, original_name, report=report)
    if not overwrite:
        target = _unique(target)
    replaced = target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")  # a .part file is never indexed
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as src, open(partial, "wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                dst.write(block)
        partial.replace(target)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # a failed copy leaves no .part behind
    rel = target.relative_to(Path(corpus_dir).resolve()).as_posix()
    return SavedUpload(original=original_name, path=target, rel_path=rel, size=size,
                       sha256=digest.hexdigest(), replaced=replaced)
