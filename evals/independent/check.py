"""Checker for the independent evaluation set.

Run from the repository root::

    python -m evals.independent.check            # summary + problems, exit 1 on any problem
    python -m evals.independent.check --overlap  # also list question/source word overlap

It verifies that

- every answerable question's key facts occur (normalised) on at least one of its sources,
  as extracted by pypdf (PDF page), python-docx (DOCX) or a tag stripper (HTML), or as raw
  text (MD/TXT); unanswerable questions carry the refusal, no key facts and no sources;
- every assessment quote occurs verbatim (whitespace collapsed) in the extracted text of its
  file/page, every zone x criterion pair is assessed exactly once, and statuses are valid;
- portfolio answers agree with what the gold assessments imply;
- every zone document says on its first page that it is illustrative;

and it reports the content-word overlap between each question and the source sentence or
table row that holds its key fact (stopwords, zone names, numbers and key-fact words left
out). The aim is 0-1 shared words.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

REFUSAL = "The indexed documents do not answer this question."
STATUSES = ("meets", "partially_meets", "does_not_meet", "insufficient_evidence")
TAGS = {"table", "cross_zone", "contradiction", "paraphrase", "framework", "unanswerable", "yes_no"}


# ----------------------------------------------------------------------------- extraction
class _Strip(HTMLParser):
    BLOCK = {"p", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "title", "div", "br", "table"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        if tag in ("style", "script"):
            self._skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):  # noqa: ANN001
        if not self._skip:
            self.parts.append(data)


def _docx_text(path: Path) -> str:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = Document(str(path))
    out: list[str] = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(el, d).text)
        elif tag == "tbl":
            for row in Table(el, d).rows:
                out.extend(c.text for c in row.cells)
    return "\n".join(out)


@cache
def extract(rel: str, page: int | None) -> str:
    path = CORPUS / rel
    suf = path.suffix
    if suf == ".pdf":
        from pypdf import PdfReader
        pages = PdfReader(str(path)).pages
        if page is None:
            return "\n".join(p.extract_text() for p in pages)
        if not 1 <= page <= len(pages):
            raise ValueError(f"{rel}: page {page} out of range 1..{len(pages)}")
        return pages[page - 1].extract_text()
    if suf == ".docx":
        return _docx_text(path)
    if suf == ".html":
        s = _Strip()
        s.feed(path.read_text(encoding="utf-8"))
        return "".join(s.parts)
    return path.read_text(encoding="utf-8")


def pdf_pages(rel: str) -> int:
    from pypdf import PdfReader
    return len(PdfReader(str(CORPUS / rel)).pages)


def collapse(text: str) -> str:
    return " ".join(text.split())


def norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    t = re.sub(r"\s*\b(?:per ?cent|percent)\b", "%", t)
    t = re.sub(r"\s+%", "%", t)
    return collapse(t)


# ----------------------------------------------------------------------------- overlap
STOP = set("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each either else ever every
few for from further get gets got had has have having he her here hers him his how i if in into
is it its itself just less let me more most much must my near no nor not now of off on once only
or other our out over own per same shall she should so some such than that the their them then
there these they this those through to too under until up upon us very was we were what when
where whether which while who whom whose why will with within would yet you your yours
many what's whats one two three four five six seven eight nine ten first second latest current
currently today still already ever anything anyone any each roughly since
""".split())
ZONE_WORDS = {"sangkae", "valley", "roluos", "crossing", "chhnang", "riverport", "special",
              "economic", "zone", "zones", "sez", "svsez", "rcsez", "crsez", "kampong"}
NUMBER_WORDS = {"million", "billion", "thousand", "hundred"}


def stem(w: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(w) > 4 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def content_words(text: str, exclude: set[str]) -> set[str]:
    words = re.findall(r"[a-z][a-z']*", text.lower().replace("'s", ""))
    out = set()
    for w in words:
        w = w.strip("'")
        if len(w) < 2 or w in STOP or w in ZONE_WORDS or w in NUMBER_WORDS or w in exclude:
            continue
        out.add(stem(w))
    return out


@lru_cache(maxsize=1)
def _units() -> dict[tuple[str, int | None], list[str]]:
    """Sentences, bullets and table rows of every document, keyed by (file, page)."""
    import build  # noqa: PLC0415 - the generator holds the structured text

    units: dict[tuple[str, int | None], list[str]] = {}
    for d in build.DOCS:
        is_pdf = d["path"].endswith(".pdf")
        for i, page in enumerate(d["pages"], start=1):
            key = (d["path"], i if is_pdf else None)
            bucket = units.setdefault(key, [])
            for block in page:
                if block[0] in ("p", "notice", "title", "h"):
                    bucket += re.split(r"(?<=[.!?])\s+(?=[A-Z])", block[1])
                elif block[0] == "bullets":
                    bucket += block[1]
                elif block[0] == "table":
                    head = " ".join(block[1])
                    bucket += [head + " " + " ".join(r) for r in block[2]]
    return units


def overlap(q: dict) -> tuple[int, list[str], str]:
    """Worst case over key facts of the best-matching source unit: (n, words, unit)."""
    kf_words = set()
    for kf in q["key_facts"]:
        kf_words |= set(re.findall(r"[a-z]+", kf.lower()))
    exclude = kf_words
    qwords = content_words(q["question"], exclude)
    worst: tuple[int, list[str], str] = (0, [], "")
    units = _units()
    for kf in q["key_facts"]:
        best: tuple[int, list[str], str] | None = None
        for src in q["sources"]:
            for unit in units.get((src["file"], src["page"]), []):
                if norm(kf) in norm(unit):
                    shared = sorted(qwords & content_words(unit, exclude))
                    cand = (len(shared), shared, unit)
                    if best is None or cand[0] < best[0]:
                        best = cand
        if best and best[0] >= worst[0]:
            worst = best
    return worst


# ----------------------------------------------------------------------------- checks
def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_questions(problems: list[str], show_overlap: bool) -> Counter:
    qs = load_jsonl(HERE / "questions.jsonl")
    tags: Counter = Counter()
    ids = set()
    zones = {z["id"] for z in yaml.safe_load((CORPUS / "zones.yaml").read_text())["zones"]}
    high = []
    for q in qs:
        qid = q.get("id")
        if qid in ids:
            problems.append(f"{qid}: duplicate id")
        ids.add(qid)
        for k in ("id", "question", "zone", "answerable", "answer", "key_facts", "sources", "tags"):
            if k not in q:
                problems.append(f"{qid}: missing field {k}")
        if q["zone"] is not None and q["zone"] not in zones:
            problems.append(f"{qid}: unknown zone {q['zone']}")
        if not set(q["tags"]) <= TAGS:
            problems.append(f"{qid}: unknown tags {set(q['tags']) - TAGS}")
        tags.update(q["tags"])
        tags["answerable" if q["answerable"] else "unanswerable_total"] += 1
        if not q["answerable"]:
            if q["answer"] != REFUSAL or q["key_facts"] or q["sources"]:
                problems.append(f"{qid}: unanswerable record must have the refusal, no facts/sources")
            if "unanswerable" not in q["tags"]:
                problems.append(f"{qid}: unanswerable without tag")
            continue
        if not 1 <= len(q["key_facts"]) <= 3:
            problems.append(f"{qid}: {len(q['key_facts'])} key facts")
        for src in q["sources"]:
            f, p = src["file"], src["page"]
            if not (CORPUS / f).is_file():
                problems.append(f"{qid}: missing source file {f}")
                continue
            if f.endswith(".pdf") and not isinstance(p, int):
                problems.append(f"{qid}: PDF source {f} needs a page")
            if not f.endswith(".pdf") and p is not None:
                problems.append(f"{qid}: non-PDF source {f} must have page null")
        for kf in q["key_facts"]:
            if not any(norm(kf) in norm(extract(s["file"], s["page"])) for s in q["sources"]):
                problems.append(f"{qid}: key fact {kf!r} not found on any source")
        n, words, unit = overlap(q)
        if n > 1:
            high.append(qid)
        if show_overlap or n > 1:
            print(f"  overlap {qid}: {n} {words}  <- {unit[:90]!r}")
    if high:
        problems.append(f"questions with overlap > 1 word: {', '.join(high)}")
    n_un = sum(1 for q in qs if not q["answerable"])
    if n_un / len(qs) < 0.25:
        problems.append(f"only {n_un}/{len(qs)} unanswerable (< 25%)")
    tags["total"] = len(qs)
    return tags


def check_assessments(problems: list[str]) -> Counter:
    from assistant.catalogue import load_catalogue, load_zones

    cat = load_catalogue(CORPUS / "criteria.yaml")
    reg = load_zones(CORPUS / "zones.yaml")
    recs = yaml.safe_load((HERE / "assessments.yaml").read_text(encoding="utf-8"))
    seen: Counter = Counter()
    by_status: Counter = Counter()
    for r in recs:
        key = (r["zone"], r["criterion"])
        seen[key] += 1
        where = f"assessment {key}"
        if reg.get(r["zone"]) is None:
            problems.append(f"{where}: unknown zone")
        if cat.get(r["criterion"]) is None:
            problems.append(f"{where}: unknown criterion")
        if r["status"] not in STATUSES:
            problems.append(f"{where}: bad status {r['status']}")
        by_status[r["status"]] += 1
        if r["status"] == "insufficient_evidence":
            if any(r.get(k) is not None for k in ("file", "page", "quote")):
                problems.append(f"{where}: insufficient_evidence must have null file/page/quote")
            continue
        f, p, quote = r["file"], r["page"], r["quote"]
        if not (CORPUS / f).is_file():
            problems.append(f"{where}: missing file {f}")
            continue
        if f.endswith(".pdf") != isinstance(p, int):
            problems.append(f"{where}: page must be an int for PDFs and null otherwise")
        if collapse(quote) not in collapse(extract(f, p)):
            problems.append(f"{where}: quote not verbatim in {f} p{p}: {quote!r}")
    for z in reg:
        for c in cat:
            if seen[(z.id, c.id)] != 1:
                problems.append(f"assessment ({z.id}, {c.id}) present {seen[(z.id, c.id)]} times")
    return by_status


POINTS = {"meets": 1.0, "partially_meets": 0.5, "does_not_meet": 0.0, "insufficient_evidence": 0.0}


def check_portfolio(problems: list[str]) -> int:
    recs = yaml.safe_load((HERE / "assessments.yaml").read_text(encoding="utf-8"))
    st = {(r["zone"], r["criterion"]): r["status"] for r in recs}
    zones = sorted({z for z, _ in st})
    items = load_jsonl(HERE / "portfolio.jsonl")
    for it in items:
        kind = it["kind"]
        if kind == "criterion_across_zones":
            got = sorted(z for z in zones if st[(z, it["criterion"])] in it["status"])
            if got != sorted(it["expected_zones"]):
                problems.append(f"{it['id']}: expected_zones {it['expected_zones']} but gold gives {got}")
        elif kind == "zone_gaps":
            got = sorted(c for (z, c), s in st.items() if z == it["zone"] and s != "meets")
            if got != sorted(it["expected_criteria"]):
                problems.append(f"{it['id']}: expected_criteria {it['expected_criteria']} but gold gives {got}")
        elif kind == "ranking":
            score = {z: sum(POINTS[s] for (zz, _), s in st.items() if zz == z) for z in zones}
            order = sorted(zones, key=lambda z: -score[z])
            if order[: len(it["expected_zones"])] != it["expected_zones"]:
                problems.append(f"{it['id']}: ranking {order} ({score}) does not start with {it['expected_zones']}")
        elif kind == "compare":
            a, b = it["zones"]
            c = it["criterion"]
            if [st[(a, c)], st[(b, c)]] != it["statuses"]:
                problems.append(f"{it['id']}: statuses {[st[(a, c)], st[(b, c)]]} != {it['statuses']}")
            better = a if POINTS[st[(a, c)]] > POINTS[st[(b, c)]] else b
            if it["expected_zones"] != [better]:
                problems.append(f"{it['id']}: better zone is {better}")
        else:
            problems.append(f"{it['id']}: unknown kind {kind}")
    return len(items)


def check_notices(problems: list[str]) -> None:
    for path in sorted((CORPUS / "zones").rglob("*")):
        if not path.is_file() or path.name.endswith(".meta.yaml"):
            continue
        rel = path.relative_to(CORPUS).as_posix()
        first = extract(rel, 1 if path.suffix == ".pdf" else None)
        if path.suffix != ".pdf":
            first = first[:1500]
        if "ILLUSTRATIVE" not in first:
            problems.append(f"{rel}: no illustrative notice on the first page")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--overlap", action="store_true", help="print overlap for every question")
    args = ap.parse_args()
    problems: list[str] = []
    tags = check_questions(problems, args.overlap)
    statuses = check_assessments(problems)
    n_port = check_portfolio(problems)
    check_notices(problems)
    print("questions:", dict(sorted(tags.items())))
    print("assessments:", dict(statuses), "total", sum(statuses.values()))
    print("portfolio items:", n_port)
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
