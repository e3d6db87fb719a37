"""Document dates (failure class 2): sidecar, then the document's own date, then its name."""

from __future__ import annotations

import pytest

from assistant.catalogue import Threshold
from assistant.dossier import MEETS, PARTIAL, Finding, decide, read_sentence
from assistant.types import Chunk
from indexing.dates import document_date, own_date
from indexing.discover import date_from_name


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("zones/z/reports/site-audit-2024-03.pdf", "2024-03"),
        ("screening_2022.docx", "2022"),
        ("visit-2023-11-07.md", "2023-11-07"),
        ("plan-2019-rev-2023.pdf", "2023"),
        ("factsheet.html", None),
        ("lot-12345.pdf", None),
    ],
)
def test_dates_from_file_names(name: str, date: str | None) -> None:
    assert date_from_name(name) == date


def test_precedence_sidecar_then_own_date_then_name() -> None:
    text = "Water audit of the estate\nStatus as of 30 June 2023\nFindings follow."
    assert document_date("2024-01-15", text, "audit-2021.pdf") == "2024-01-15"
    assert document_date(None, text, "audit-2021.pdf") == "2023-06-30"
    assert own_date("Quarterly note, March 2022\nSome text.") == "2022-03"
    assert document_date(None, "Untitled note\nbody", "audit-2021.pdf") == "2021"
    assert document_date(None, "Untitled note\nbody", "audit.pdf") == ""


def test_newest_dated_file_decides_and_the_older_figure_is_superseded() -> None:
    """An older screening must not decide against a newer, file-name-dated audit."""
    th = Threshold(">=", 80, "% of tenant firms")
    terms = ("tenant", "report", "month")

    def finding(text: str, source: str) -> Finding:
        chunk = Chunk(
            id=source,
            text=text,
            source=source,
            page=1,
            section=None,
            doc_type="zone_document",
            zone="z",
            title=source,
            date=None,
            file_hash="h",
            ordinal=0,
        )
        return Finding(
            text, chunk, 0.85, read_sentence(text, th, terms), date=document_date(None, "", source)
        )

    old = finding("In 2021, 50% of tenant firms sent monthly reports.", "zones/z/screening-2022.docx")
    new = finding("Monthly reports now come from 90% of tenant firms.", "zones/z/site-audit-2024-03.pdf")
    d = decide([old, new], th)
    assert d.status == MEETS and d.deciding[0].date == "2024-03"
    assert d.superseded and d.conflict and "50%" in d.conflict and "90%" in d.conflict
    assert decide([old], th).status == PARTIAL


@pytest.mark.parametrize(
    ("rel_path", "sidecar", "first", "date"),
    [
        ("zones/z/board-minutes-2024-06.md", None, "Board minutes\nItem 4 was agreed.", "2024-06"),
        ("zones/z/water-audit.pdf", None, "Water audit\nStatus as of 30 June 2023\nFindings.", "2023-06-30"),
        ("zones/z/audit-2021.pdf", "2024-01-15", "Water audit\nStatus as of 30 June 2023", "2024-01-15"),
        ("zones/z/factsheet.html", None, "Factsheet\nA zone on the river.", None),
    ],
)
def test_every_chunk_carries_its_documents_date(
    rel_path: str, sidecar: str | None, first: str, date: str | None
) -> None:
    """Undated by a sidecar, a document is dated by its own title or "as of" line, then its name."""
    from assistant.types import ParsedDocument, Section, SourceFile
    from indexing.chunk import chunk_document

    source = SourceFile(path=rel_path, rel_path=rel_path, doc_type="zone_document", zone="z",
                        title="t", date=sidecar, sha256="h")
    parsed = ParsedDocument(sections=(Section(first, page=1), Section("More text. " * 200, page=2)))
    chunks = chunk_document(source, parsed, size=900, overlap=100)
    assert len(chunks) > 2 and {c.date for c in chunks} == {date}
