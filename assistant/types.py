"""Shared vocabulary of the pipeline: plain, immutable records with no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The fixed sentence every answerer returns when the documents do not answer.
REFUSAL = "The indexed documents do not answer this question."


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A document found in the corpus, with the metadata its place in the layout implies."""

    path: str  # absolute path on disk
    rel_path: str  # posix path relative to the corpus root; the citation key
    doc_type: str
    zone: str | None
    title: str
    date: str | None = None  # ISO date (YYYY-MM-DD or YYYY-MM or YYYY) when known
    author: str | None = None
    sha256: str = ""
    size: int = 0


@dataclass(frozen=True, slots=True)
class Section:
    """A run of text from one page (PDF) or one heading block (other formats)."""

    text: str
    page: int | None = None  # 1-based page number for PDFs, None elsewhere
    heading: str | None = None
    ocr_confidence: float | None = None  # mean Tesseract confidence (0..100) if the text is OCR


@dataclass(frozen=True, slots=True)
class OcrPage:
    """A page a loader read by OCR: its mean confidence and whether it was indexed."""

    page: int
    confidence: float  # mean word confidence, 0..100
    accepted: bool  # False: below the confidence floor, reported and left out


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What a loader returns: the text in reading order plus page/section structure."""

    sections: tuple[Section, ...]
    pages: int | None = None  # page count for paged formats
    title: str | None = None  # title found inside the file, if any
    ocr_pages: tuple[OcrPage, ...] = ()  # pages that had no text layer and went to OCR


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage. ``id`` is a content hash, so re-indexing is idempotent."""

    id: str
    text: str
    source: str  # rel_path of the file
    page: int | None
    section: str | None
    doc_type: str
    zone: str | None
    title: str
    date: str | None
    file_hash: str
    ordinal: int  # position of the chunk within its file
    ocr_confidence: float | None = None  # set when the text is OCR of a scanned page


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A chunk with the score a retriever gave it (higher is better)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    similarity: float | None = None  # cosine of query and chunk, when the dense side saw it


@dataclass(frozen=True, slots=True)
class Citation:
    """One numbered source behind an answer."""

    marker: int
    file: str
    page: int | None
    quote: str
    score: float
    doc_type: str
    zone: str | None
    chunk_id: str = ""
    date: str | None = None
    ocr_confidence: float | None = None  # the quoted text is OCR of a scan (mean confidence)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "marker": self.marker,
            "file": self.file,
            "page": self.page,
            "quote": self.quote,
            "score": round(self.score, 4),
            "doc_type": self.doc_type,
            "zone": self.zone,
        }
        if self.ocr_confidence is not None:
            out["ocr"] = True
            out["ocr_confidence"] = round(self.ocr_confidence, 1)
        return out


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer object that carries its evidence."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    mode: str = "extractive"
    passages: tuple[ScoredChunk, ...] = field(default=(), repr=False)
    warnings: tuple[str, ...] = ()
    figure: str | None = None  # the figure the opening sentence gives as the answer, as written

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "figure": self.figure,
            "citations": [c.as_dict() for c in self.citations],
        }


# --- Evidence dossiers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """A quoted piece of evidence for one criterion in one zone."""

    file: str
    page: int | None
    quote: str  # verbatim from the extracted text of that page
    score: float
    date: str | None = None
    value: str | None = None  # the quantity read next to the indicator words, e.g. "85%"
    doc_type: str = ""
    chunk_id: str = ""
    file_hash: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "page": self.page, "quote": self.quote, "value": self.value,
                "date": self.date, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class CriterionDraft:
    """One drafted cell of a dossier: a zone against one criterion."""

    zone: str
    criterion_id: str
    category: str
    title: str
    requirement: str
    status: str
    confidence: float  # 0..1
    rationale: str  # one line naming the deciding evidence
    justification: str  # paragraph with [n] citations into ``evidence``
    evidence: tuple[EvidenceItem, ...] = ()
    gaps: tuple[str, ...] = ()
    conflict: str | None = None  # how disagreeing documents were resolved, if they did
    mode: str = "extractive"

    def sources(self) -> frozenset[str]:
        """Files this draft depends on (for stale marking when they change)."""
        return frozenset(e.file for e in self.evidence)


@dataclass(frozen=True, slots=True)
class Dossier:
    """Every criterion of the catalogue drafted for one zone."""

    zone: str
    zone_name: str
    framework: str
    generated_at: str
    drafts: tuple[CriterionDraft, ...]
