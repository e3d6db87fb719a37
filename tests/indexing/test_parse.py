"""Tests for indexing.parse: one loader per format, limits, and the shared PDF zoo."""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import ParseError
from assistant.text import split_sentences
from assistant.types import ParsedDocument
from indexing.parse import SUPPORTED_SUFFIXES, clean_pdf_text, parse_file

PDF_ZOO = Path(__file__).resolve().parents[2].parent / "shared" / "pdf-zoo"


# --------------------------------------------------------------------------- builders


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A PDF with one page per entry, each line drawn as its own text line."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        y = 750
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_docx(extra_member: bytes | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Water reuse", level=1)
    document.add_paragraph("The zone recycles process water.")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("Metric", "Value", "Unit"), ("Reuse", "42", "%")], strict=False):
        for cell, value in zip(row.cells, values, strict=False):
            cell.text = value
    document.add_paragraph("Text after the table.")
    document.add_heading("Energy", level=2)
    document.add_paragraph("Solar covers peak load.")
    buf = io.BytesIO()
    document.save(buf)
    if extra_member is None:
        return buf.getvalue()
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/padding.bin", extra_member)
    return buf.getvalue()


@cache
def seed(suffix: str) -> bytes:
    """A small valid file of each format for the fuzz test to mutate."""
    if suffix == ".pdf":
        return make_pdf([["Seed page one"], ["Seed page two"]], title="Seed")
    if suffix == ".docx":
        return make_docx()
    if suffix == ".html":
        return b"<html><title>t</title><h1>A</h1><p>x</p><table><tr><td>1</td></tr></table></html>"
    return b"---\ntitle: T\n---\n# A\n\ntext\n\n## B\n| a | b |\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- formats


def test_pdf_pages_are_one_based_and_text_stays_on_its_page(tmp_path: Path) -> None:
    data = make_pdf([["alpha first page"], ["bravo second page"], ["charlie third page"]], "Report")
    doc = parse_file(write(tmp_path, "r.pdf", data))
    assert doc.pages == 3
    assert doc.title == "Report"
    assert [s.page for s in doc.sections] == [1, 2, 3]
    assert "bravo" in doc.sections[1].text
    assert all("bravo" not in s.text for s in doc.sections if s.page != 2)


def test_pdf_text_cleanup_joins_hyphens_and_ligatures(tmp_path: Path) -> None:
    data = make_pdf([["The treat-", "ment plant", "North-", "South   road"]])
    text = parse_file(write(tmp_path, "h.pdf", data)).sections[0].text
    assert "treatment plant" in text
    assert "North-\nSouth road" in text
    assert clean_pdf_text("e\ufb03cient \ufb02ow  of\u00a0water\n\n\n\nend") == (
        "efficient flow of water\n\nend"
    )


def test_pdf_without_text_needs_ocr_unless_pypdf_had_to_repair_it(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    pdf.rect(100, 100, 200, 200, fill=1)  # graphics only, like a scan without OCR
    pdf.showPage()
    pdf.save()
    with pytest.raises(ParseError) as err:
        parse_file(write(tmp_path, "scan.pdf", buf.getvalue()))
    assert err.value.kind == "needs_ocr"
    # Same file with a wrong startxref offset: pypdf rebuilds the xref, and a repaired file
    # without text is reported as damaged rather than sent to OCR.
    damaged = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m[1]) + 7),
                     buf.getvalue())
    with pytest.raises(ParseError) as err:
        parse_file(write(tmp_path, "damaged.pdf", damaged))
    assert err.value.kind == "corrupt"
    assert "repair" in str(err.value)


def test_docx_headings_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    doc = parse_file(write(tmp_path, "d.docx", make_docx()))
    assert doc.pages is None
    assert doc.title == "Water reuse"
    assert [s.heading for s in doc.sections] == ["Water reuse", "Energy"]
    assert doc.sections[0].text == (
        # The table row is one sentence; its "Unit" column lends the unit to the figure.
        "The zone recycles process water.\nReuse: 42%.\n"
        "Text after the table."
    )
    assert doc.sections[1].text == "Solar covers peak load."
    assert all(s.page is None for s in doc.sections)


def test_docx_title_is_metadata_and_list_items_are_units(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Zone X - Investor Factsheet 2022", level=0)  # the "Title" style
    document.add_paragraph("ILLUSTRATIVE DOCUMENT. Zone X sits beside the river.")
    document.add_paragraph("Serviced plots from 1 ha upwards", style="List Bullet")
    document.add_paragraph("A one-stop office on site", style="List Number")
    document.add_paragraph("Contact the investment desk.")
    path = tmp_path / "f.docx"
    document.save(str(path))
    doc = parse_file(path)
    assert doc.title == "Zone X - Investor Factsheet 2022"
    text = "\n".join(s.text for s in doc.sections)
    # Unpunctuated, the title line would merge into the first sentence and be quoted with it.
    assert "Factsheet" not in text
    # List items are units of their own: unpunctuated, they would run together into one quote.
    assert split_sentences(text) == [
        "ILLUSTRATIVE DOCUMENT.", "Zone X sits beside the river.", "Serviced plots from 1 ha upwards",
        "A one-stop office on site", "Contact the investment desk.",
    ]


def test_markdown_front_matter_headings_and_tables(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Zone profile\ndate: 2024-01-02\n---\n"
        "Intro line.\n\n# Overview\nThe zone covers 400 ha.\n\n"
        "## Utilities\n| Utility | Share |\n| --- | --- |\n| Water | 40 |\n\n"
        "```\n# not a heading\n```\n#### Deep heading stays text\n#hashtag\n"
    )
    doc = parse_file(write(tmp_path, "z.markdown", text))
    assert doc.title == "Zone profile"
    assert [s.heading for s in doc.sections] == [None, "Overview", "Utilities"]
    assert doc.sections[0].text == "Intro line."
    assert "title:" not in "".join(s.text for s in doc.sections)
    utilities = doc.sections[2].text
    assert "Water: 40." in utilities and "|" not in utilities
    assert "# not a heading" in utilities
    assert "#### Deep heading stays text" in utilities


def test_html_table_rows_title_and_no_script(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Zone &amp; park</title><style>p {color: red}</style></head><body>"
        "<p>Preamble <b>text</b></p><script>var secret = 'do not index';</script>"
        "<h1>Results</h1><p>First line<br>second line</p>"
        "<table><tr><th>Metric</th><th>Value</th></tr><tr><td>Reuse</td><td>42 %</td></tr></table>"
        "<h2>Notes</h2><ul><li>one</li><li>two</li></ul></body></html>"
    )
    doc = parse_file(write(tmp_path, "p.htm", html))
    assert doc.title == "Zone & park"
    assert [s.heading for s in doc.sections] == [None, "Results", "Notes"]
    assert doc.sections[0].text == "Preamble text"
    assert doc.sections[1].text == "First line\nsecond line\nReuse: 42 %."
    # List items are units of their own: without a full stop they must not run together.
    assert doc.sections[2].text == "- one\n- two"
    assert split_sentences(doc.sections[2].text) == ["one", "two"]
    everything = " ".join(s.text for s in doc.sections)
    assert "secret" not in everything and "color" not in everything


def test_txt_falls_back_to_cp1252(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = "Caf\u00e9 \u201cquoted\u201d \u2013 dash\r\n\r\nSecond paragraph."
    doc = parse_file(write(tmp_path, "n.txt", text.encode("cp1252")))
    assert doc.sections[0].text == "Caf\u00e9 \u201cquoted\u201d \u2013 dash\n\nSecond paragraph."
    assert doc.sections[0].heading is None and doc.title is None
    assert "cp1252" in caplog.text


@pytest.mark.parametrize("name,data", [
    ("blank.txt", "  \n\n \t\n"),
    ("blank.md", "---\ntitle: Only metadata\n---\n# Heading only\n"),
    ("blank.html", "<html><script>x()</script><p> </p></html>"),
    ("zero.docx", b""),
])
def test_no_text_is_empty(tmp_path: Path, name: str, data: str | bytes) -> None:
    with pytest.raises(ParseError) as err:
        parse_file(write(tmp_path, name, data))
    assert err.value.kind == "empty"
    assert name in str(err.value)


# --------------------------------------------------------------------------- limits and bad input


def test_docx_zip_bomb_is_too_large(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.docx", make_docx(extra_member=b"\0" * 3_000_000))
    assert path.stat().st_size < 100_000  # the padding compresses away
    with pytest.raises(ParseError) as err:
        parse_file(path, max_unzipped_bytes=1_000_000)
    assert err.value.kind == "too_large"
    assert "bomb.docx" in str(err.value)


def test_file_over_max_bytes_is_too_large(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        parse_file(write(tmp_path, "big.txt", "x" * 100), max_bytes=10)
    assert err.value.kind == "too_large"


def test_pdf_over_max_pages_is_too_large(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        parse_file(write(tmp_path, "p.pdf", make_pdf([["a"], ["b"], ["c"]])), max_pages=2)
    assert err.value.kind == "too_large"


@pytest.mark.parametrize("name", ["sheet.xlsx", "README", "old.doc"])
def test_unsupported_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_file(write(tmp_path, name, b"data"))
    assert err.value.kind == "unsupported"
    assert set(SUPPORTED_SUFFIXES) >= {".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"}


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_random_bytes_are_corrupt(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path, f"noise{suffix}", random.Random(7).randbytes(4096))
    with pytest.raises(ParseError) as err:
        parse_file(path)
    assert err.value.kind == "corrupt"
    assert err.value.__cause__ is not None
    assert path.name in str(err.value)


def test_missing_file_raises_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse_file(tmp_path / "gone.pdf")


@st.composite
def mutated(draw: st.DrawFn, suffix: str) -> bytes:
    """Random bytes, or a valid file with a few bytes overwritten and/or cut short."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.binary(max_size=2_000))
    data = bytearray(seed(suffix))
    for _ in range(draw(st.integers(0, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".md", ".html", ".txt"])
@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_only_parse_error_escapes(
    tmp_path_factory: pytest.TempPathFactory, suffix: str, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"fuzzed{suffix}"
    path.write_bytes(data.draw(mutated(suffix)))
    try:
        result = parse_file(path)
    except ParseError as exc:
        assert exc.kind in {"corrupt", "empty", "encrypted", "needs_ocr", "too_large"}
    else:
        assert isinstance(result, ParsedDocument)
        assert all(s.text.strip() for s in result.sections)


# --------------------------------------------------------------------------- shared PDF zoo


def zoo_cases() -> list[object]:
    expected = json.loads((PDF_ZOO / "expected.json").read_text(encoding="utf-8"))
    return [
        pytest.param(name, entry, id=name,
                     marks=[pytest.mark.slow] if (entry["pages"] or 0) > 50 else [])
        for name, entry in sorted(expected.items())
    ]


@pytest.mark.skipif(not (PDF_ZOO / "expected.json").is_file(), reason="../shared/pdf-zoo absent")
@pytest.mark.parametrize("name,entry", zoo_cases() if (PDF_ZOO / "expected.json").is_file() else [])
def test_pdf_zoo(name: str, entry: dict[str, object]) -> None:
    path = PDF_ZOO / name
    if entry["expect"] == "index":
        doc = parse_file(path)
        assert doc.pages == entry["pages"]
        assert doc.sections and all(s.text.strip() for s in doc.sections)
        assert all(1 <= (s.page or 0) <= doc.pages for s in doc.sections)
        return
    with pytest.raises(ParseError) as err:
        parse_file(path)
    if entry["expect"] == "needs_ocr":
        assert err.value.kind == "needs_ocr"
    else:
        assert err.value.kind in {"corrupt", "encrypted", "empty"}
    assert name in str(err.value)


# --------------------------------------------------------------------------- table pass

SAMPLE_CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.parametrize("name", [
    "frameworks/eip-framework-guide.pdf",  # 8 pages with one table, 3 without
    "zones/prey-nob-coastal/sez-profile-2022.pdf",  # a page with two tables
])
def test_table_pass_finds_and_reads_the_tables_plain_pdfplumber_does(name: str) -> None:
    import pdfplumber

    from indexing.parse.pdf import find_tables

    path = SAMPLE_CORPUS / name
    with pdfplumber.open(path) as plain, pdfplumber.open(path) as lazy:
        for ours, theirs in zip(lazy.pages, plain.pages, strict=True):
            expected = [(t.bbox, t.extract()) for t in theirs.find_tables()]
            got = [(t.bbox, t.extract()) for t in find_tables(ours)]
            assert got == expected, f"page {theirs.page_number}"
            # Only the characters inside a table were converted.
            assert len(ours.chars) < len(theirs.chars) or not theirs.chars


def test_table_pass_falls_back_to_plain_pdfplumber_when_its_internals_differ() -> None:
    from indexing.parse.pdf import find_tables

    class Page:  # no .pdf.laparams, no .layout: not the pdfplumber it was written for
        def find_tables(self) -> list[str]:
            return ["plain"]

    assert find_tables(Page()) == ["plain"]
