"""Benchmark corpora: the sample corpus replicated with varied text.

Each replica re-renders every ``corpus/_source`` document with the sample corpus's own
renderers (PDFs stay PDFs, DOCX stays DOCX ...) after a deterministic rewrite of its text:
numbers are scaled, years shifted, and some words swapped for synonyms, so no two replicas
share a chunk. Replica ``r`` of zone ``z`` lives under ``zones/z-rNN/``; frameworks under
``frameworks/rNN/``. A stamp file records what was generated so a second call is free.

    python -m bench.corpus --pages 2000      # prints the corpus directory
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from corpus.build import RENDERERS, Source, find_sources, parse_source, sidecar

WORK = Path(__file__).resolve().parent / ".work"
GENERATOR_VERSION = "1"

_NUMBER = re.compile(r"(?<![A-Za-z]-)(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_SYNONYMS = {
    "plant": "facility", "facility": "plant", "zone": "park", "developer": "operator",
    "tenants": "occupants", "tenant": "occupant", "factory": "works", "factories": "works",
    "workers": "employees", "employees": "workers", "annual": "yearly", "monthly": "each month",
    "approved": "endorsed", "planned": "scheduled", "installed": "fitted", "reported": "stated",
    "water": "water", "waste": "refuse", "operates": "runs", "built": "constructed",
    "survey": "review", "treated": "processed", "about": "roughly", "large": "big",
    "small": "minor", "new": "fresh", "main": "principal", "shared": "common",
    "boundary": "perimeter", "road": "route", "increase": "rise", "reduce": "cut",
}
_WORD = re.compile(r"\b(" + "|".join(sorted(_SYNONYMS, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class BenchCorpus:
    """A generated corpus: where it is and how big."""

    root: Path
    replicas: int
    documents: int
    pages: int  # PDF pages + source pages of the other formats

    def as_dict(self) -> dict[str, object]:
        return {"root": str(self.root), "replicas": self.replicas, "documents": self.documents,
                "pages": self.pages}


class Varier:
    """Deterministic text rewriting for one (document, replica) pair."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(hashlib.sha256(seed.encode()).digest())

    def number(self, m: re.Match[str]) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        value = int(whole.replace(",", ""))
        if 1900 <= value <= 2040 and not frac and "," not in whole:
            return str(value + self.rng.choice((-2, -1, 0, 1, 2)))
        factor = self.rng.uniform(0.6, 1.45)
        if frac:
            digits = len(frac) - 1
            return f"{float(whole.replace(',', '') + frac) * factor:.{digits}f}"
        new = max(1, round(value * factor)) if value else 0
        return f"{new:,}" if "," in whole else str(new)

    def word(self, m: re.Match[str]) -> str:
        return _SYNONYMS[m.group(1)] if self.rng.random() < 0.5 else m.group(1)

    def text(self, text: str) -> str:
        return _WORD.sub(self.word, _NUMBER.sub(self.number, text))


def vary(src: Source, replica: int) -> Source:
    """A copy of ``src`` for replica ``replica``: new output path, varied text."""
    out = copy.deepcopy(src)
    v = Varier(f"{src.output}|{replica}")
    tag = f"r{replica:02d}"
    parts = Path(src.output).parts
    if parts[0] == "zones":
        new = Path("zones", f"{parts[1]}-{tag}", *parts[2:])
        if out.meta.get("zone"):
            out.meta["zone"] = f"{out.meta['zone']}-{tag}"
    else:
        new = Path(parts[0], tag, *parts[1:])
    out.meta["output"] = new.as_posix()
    out.meta["title"] = f"{src.meta['title']} ({tag})"
    for page in out.pages:
        for b in page:
            b.text = v.text(b.text)
            b.items = [v.text(i) for i in b.items]
            b.rows = [[v.text(c) for c in row] if n else row for n, row in enumerate(b.rows)]
    return out


def _render(src: Source, root: Path) -> int:
    """Write one document and its sidecar; return its page count."""
    target = root / src.output
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".pdf":
        from corpus.build import render_pdf

        data = render_pdf(src, check=False)
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(data)).pages)
    else:
        data = RENDERERS[target.suffix](src)
        pages = len(src.pages)
    target.write_bytes(data)
    target.with_name(target.name + ".meta.yaml").write_bytes(sidecar(src))
    return pages


def sample_pages() -> int:
    """Pages of one copy of the sample corpus (same counting as :func:`generate`)."""
    return sum(len(parse_source(p).pages) for p in find_sources())


def generate(pages: int, *, name: str | None = None, force: bool = False) -> BenchCorpus:
    """A corpus of at least ``pages`` pages under ``bench/.work`` (reused when present)."""
    sources = [parse_source(p) for p in find_sources()]
    per_copy = sum(len(s.pages) for s in sources)
    replicas = max(1, -(-pages // per_copy))
    root = WORK / (name or f"corpus-{replicas}x")
    stamp = root / ".stamp.json"
    key = {"version": GENERATOR_VERSION, "replicas": replicas,
           "sources": hashlib.sha256(b"".join(p.read_bytes() for p in find_sources())).hexdigest()}
    if not force and stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == key:
            return BenchCorpus(root, replicas, saved["documents"], saved["pages"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    total = documents = 0
    for r in range(replicas):
        for src in sources:
            total += _render(vary(src, r), root)
            documents += 1
    stamp.write_text(json.dumps({"key": key, "documents": documents, "pages": total}))
    return BenchCorpus(root, replicas, documents, total)


def touch_one(root: Path) -> Path:
    """Change one document (append a sentence to a Markdown/HTML file, else re-vary a PDF)."""
    for path in sorted(root.rglob("*.md")):
        path.write_text(path.read_text(encoding="utf-8") + "\nA late note was added to this file.\n",
                        encoding="utf-8")
        return path
    raise FileNotFoundError(f"no Markdown file to change under {root}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)
    corpus = generate(args.pages, force=args.force)
    print(json.dumps(corpus.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
