"""Loaders that turn one document file into a :class:`~assistant.types.ParsedDocument`.

``parse_file`` picks a loader by file suffix. Every problem with the input surfaces as
:class:`~assistant.errors.ParseError` with a ``kind`` the indexer can report per file:
``unsupported``, ``too_large``, ``encrypted``, ``corrupt``, ``empty``, ``needs_ocr`` or
``timeout``.

Hostile input is bounded here as well as by the worker process that runs the loaders
(:mod:`indexing.sandbox`): a cap on the characters taken from a file, lines of text formats
cut to :data:`MAX_LINE_CHARS` before any regex sees them, a DOCX whose XML inflates over
:data:`MAX_ZIP_RATIO` times is refused unopened, a per-page CPU budget for PDF text
extraction, and stray ``<`` in HTML escaped before ``html.parser`` (which rescans an
unclosed tag to the end of the input for every ``<``: quadratic).
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple

from assistant.errors import ParseError
from assistant.types import OcrPage, ParsedDocument, Section
from assistant.vocabulary import SUPPORTED_SUFFIXES
from indexing.ocr import OcrOptions
from indexing.tables import rewrite_markdown_tables, row_sentences

logger = logging.getLogger(__name__)


_REPLACE = "Re-export or replace the file."
_TXT_SECTION_CHARS = 2_000  # plain text has no structure; group paragraphs into blocks this size
MAX_LINE_CHARS = 10_000  # longer lines of text formats are cut into pieces this long
MAX_HEADING_CHARS = 500  # a longer Markdown line is never taken for a heading
MAX_ZIP_RATIO = 100  # an XML member of a DOCX that inflates more than this is a zip bomb
_ZIP_RATIO_MIN_BYTES = 1_000_000  # ... when it inflates to at least this much


class _Limits(NamedTuple):
    max_pages: int
    max_unzipped_bytes: int
    max_chars: int
    page_seconds: float | None
    ocr: OcrOptions = OcrOptions()


class _PageTimeout(BaseException):
    """A PDF page took more CPU time than its budget (not an Exception: parsers that catch
    every Exception must not swallow it)."""


def parse_file(
    path: Path,
    *,
    name: str | None = None,
    max_bytes: int = 50_000_000,
    max_pages: int = 2_000,
    max_unzipped_bytes: int = 100_000_000,
    max_chars: int = 5_000_000,
    page_seconds: float | None = None,
    ocr: OcrOptions | None = None,
) -> ParsedDocument:
    """Read ``path`` into sections; raise ParseError (and nothing else) for bad input.

    ``name`` is how messages refer to the file (the corpus-relative path, so that no server
    path reaches a user); ``page_seconds`` is the CPU budget of one PDF page, enforced with
    a timer signal when this runs on the main thread (the parse worker process does). PDF
    pages without a text layer go to OCR (``ocr``; default :class:`OcrOptions`).
    """
    path = Path(path)
    shown = Path(name) if name else path
    suffix = path.suffix.lower()
    label = suffix.lstrip(".").upper() or "file"
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise _error("unsupported", label, shown, f"the format '{suffix or '(no suffix)'}' is "
                     f"not supported", f"Convert it to one of {', '.join(SUPPORTED_SUFFIXES)}.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _error("corrupt", label, shown, exc.strerror or "cannot be read",
                     "Check that it exists and is readable.") from exc
    if size > max_bytes:
        raise _error("too_large", label, shown, f"{size:,} bytes is over the limit of "
                     f"{max_bytes:,}", "Split the file or raise max_bytes.")
    if size == 0:
        raise _error("empty", label, shown, "the file is empty (0 bytes)", _REPLACE)
    try:
        parsed = loader(path, _Limits(max_pages, max_unzipped_bytes, max_chars, page_seconds,
                                      ocr or OcrOptions()))
    except ParseError as exc:
        if shown is not path:
            raise ParseError(str(exc).replace(str(path), str(shown)), kind=exc.kind) from exc
        raise
    except MemoryError:
        raise
    except Exception as exc:  # third-party parsers raise all sorts on malformed input
        detail = f"{type(exc).__name__}: {exc}".replace(str(path), str(shown))
        raise _corrupt(label, shown, detail) from exc
    chars = sum(len(section.text) for section in parsed.sections)
    if chars > max_chars:
        raise _error("too_large", label, shown, f"it holds {chars:,} characters of text, over "
                     f"the limit of {max_chars:,}", "Split the file or raise max_extracted_chars.")
    return parsed


def _error(kind: str, label: str, path: Path, problem: str, advice: str) -> ParseError:
    return ParseError(f"cannot read {label} '{path}': {problem}. {advice}", kind=kind)


def _corrupt(label: str, path: Path, detail: str) -> ParseError:
    return _error("corrupt", label, path, f"the file is corrupt or truncated ({detail})", _REPLACE)


# --------------------------------------------------------------------------- PDF

_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st", "\u00ad": None, "\x00": None}
)
_HYPHEN_BREAK = re.compile(r"(?<=\w)[-\u00ad]\n(?=\w)")
_INLINE_SPACE = re.compile(r"[^\S\n]+")


@contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """Collect the warnings pypdf logs in this thread (xref rebuilds and other repairs)."""
    seen: list[str] = []
    thread = threading.get_ident()

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread:
                seen.append(record.getMessage())

    handler = _Collect(logging.WARNING)
    pypdf_logger = logging.getLogger("pypdf")
    pypdf_logger.addHandler(handler)
    try:
        yield seen
    finally:
        pypdf_logger.removeHandler(handler)


@contextmanager
def _cpu_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_PageTimeout` in the block after ``seconds`` of process CPU time.

    Uses ``ITIMER_PROF``, so only on the main thread (where the parse worker runs loaders);
    elsewhere, or without a budget, the block runs unbounded.
    """
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _PageTimeout

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _clean_pdf_text(text: str) -> str:
    """Undo typesetting artefacts: ligatures, hyphenated line breaks, ragged spacing."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.strip() for line in _INLINE_SPACE.sub(" ", text).split("\n"))

    def join(m: re.Match[str]) -> str:
        before, after = m.string[m.start() - 1], m.string[m.end()]
        return "" if before.islower() and after.islower() else m.group()

    text = _HYPHEN_BREAK.sub(join, text)
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _load_pdf(path: Path, limits: _Limits) -> ParsedDocument:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    locked = _error("encrypted", "PDF", path, "it is password-protected",
                    "Save a copy without a password and index that.")
    # Some broken files only fail once the page tree is touched, so counting pages is part
    # of opening; repairs pypdf logs meanwhile are kept to judge a text-less result.
    with _pypdf_warnings() as repairs:
        try:
            reader = PdfReader(path)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise locked
            n_pages = len(reader.pages)
        except FileNotDecryptedError as exc:
            raise locked from exc
        except DependencyError as exc:  # AES without the optional `cryptography` package
            raise _error("encrypted", "PDF", path, f"it is encrypted and pypdf cannot decrypt it "
                         f"({exc})", "Install 'cryptography' or save an unprotected copy.") from exc
    if n_pages == 0:
        raise _error("empty", "PDF", path, "it has no pages", _REPLACE)
    if n_pages > limits.max_pages:
        raise _error("too_large", "PDF", path, f"{n_pages} pages is over the limit of "
                     f"{limits.max_pages}", "Split the file or raise max_pages.")

    sections: list[Section] = []
    failed = 0
    chars = 0
    tables = _PdfTables(path)
    textless: list[int] = []
    for i in range(n_pages):
        try:
            with _cpu_budget(limits.page_seconds):
                text = _clean_pdf_text(reader.pages[i].extract_text() or "")
                if _has_cell_run(text):
                    text = tables.page_text(i, text) or text
        except _PageTimeout as exc:
            raise _error("timeout", "PDF", path, f"text extraction of page {i + 1} took more than "
                         f"{limits.page_seconds:g} s of CPU (a page built to stall a parser, or "
                         "a broken one)", "Re-export the PDF or raise parse_page_seconds.") from exc
        except MemoryError:
            raise
        except Exception as exc:
            failed += 1
            logger.warning("PDF '%s': skipping page %d, text extraction failed: %s",
                           path, i + 1, exc)
            continue
        if text:
            sections.append(Section(text=text, page=i + 1))
            chars += len(text)
            if chars > limits.max_chars:
                raise _error("too_large", "PDF", path, f"its first {i + 1} pages already hold "
                             f"over {limits.max_chars:,} characters", "Split the file or raise "
                             "max_extracted_chars.")
        else:
            textless.append(i)

    tables.close()
    ocr_pages: tuple[OcrPage, ...] = ()
    if textless and limits.ocr.enabled and not (not sections and (failed or repairs)):
        sections, ocr_pages = _ocr_pages(reader, path, textless, sections, limits.ocr)
    if failed == n_pages:
        raise _corrupt("PDF", path, f"text extraction failed on all {n_pages} pages")
    if not sections and (failed or repairs):
        # A file pypdf had to patch up that then yields no text is far more likely damaged
        # than a clean scan, so it is not sent to OCR.
        detail = f"pypdf had to repair it: {repairs[0]}" if repairs else f"{failed} bad pages"
        raise _error("corrupt", "PDF", path, f"the file is damaged ({detail}) and no page has text",
                     f"{_REPLACE} If it is a scan, repair it and run OCR.")
    if not sections and ocr_pages:
        low = ", ".join(f"page {p.page} {p.confidence:.0f}%" for p in ocr_pages)
        raise _error("needs_ocr", "PDF", path, f"no text layer, and OCR confidence is below the "
                     f"floor of {limits.ocr.min_confidence:.0f}% on every page ({low})",
                     "Rescan at 300 dpi, or lower EIP_OCR_MIN_CONFIDENCE to accept it.")
    if not sections:
        raise _error("needs_ocr", "PDF", path, f"no text layer on any of its {n_pages} pages "
                     "(probably a scan)", "Run OCR first, e.g. `ocrmypdf in.pdf out.pdf`.")
    sections = strip_running_lines(sections)
    return ParsedDocument(sections=tuple(sections), pages=n_pages, title=_pdf_title(reader, path),
                          ocr_pages=ocr_pages)


def _ocr_pages(reader: Any, path: Path, textless: list[int], sections: list[Section],
               options: OcrOptions) -> tuple[list[Section], tuple[OcrPage, ...]]:
    """OCR the text-less pages (``indexing.ocr``); accepted ones join ``sections`` in page order."""
    from indexing.ocr import INSTALL_HINT, ocr_pdf_page, tesseract_problem

    if (problem := tesseract_problem(options)) and sections:
        logger.warning("PDF '%s': %d page(s) without a text layer left out: %s. %s", path,
                       len(textless), problem, INSTALL_HINT)
        return sections, ()
    reports: list[OcrPage] = []
    for i in textless:
        result = ocr_pdf_page(reader.pages[i], i + 1, options, str(path))
        if result is None:
            continue
        report, text = result
        reports.append(report)
        text = _clean_pdf_text(text)
        if report.accepted and text:
            sections.append(Section(text=text, page=i + 1, ocr_confidence=report.confidence))
        else:
            logger.warning("PDF '%s': page %d left out, OCR confidence %.0f%% is below the floor "
                           "of %.0f%%", path, i + 1, report.confidence, options.min_confidence)
    sections.sort(key=lambda s: s.page or 0)
    return sections, tuple(reports)


def _has_cell_run(text: str, run: int = 4) -> bool:
    """Whether a page has a run of short unpunctuated lines, the trace of a flattened table."""
    count = 0
    for line in text.split("\n"):
        if line and len(line.split()) <= 6 and not line.endswith((".", ":", ";", "?", "!")):
            count += 1
            if count >= run:
                return True
        else:
            count = 0
    return False


class _PdfTables:
    """Re-reads a page that holds a table with pdfplumber: prose as text, each row a sentence.

    pypdf flattens a table one cell per line; pdfplumber finds the ruling and the cell
    grid. Only pages that look tabular are re-read, since pdfplumber is several times
    slower than pypdf. The file is opened on first use.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pdf: Any = None

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def page_text(self, index: int, flat: str) -> str | None:
        """``flat`` (pypdf's text of the page) with each table's cells replaced by row sentences.

        The prose stays exactly as pypdf read it, so running headers and quotes match the
        other pages; only the run of lines that holds a table's cells is rewritten. None when
        pdfplumber finds no table there.
        """
        try:
            if self._pdf is None:
                import pdfplumber

                self._pdf = pdfplumber.open(self.path)
            found = self._pdf.pages[index].find_tables()
            if not found:
                return None
            text, replaced = flat, 0
            for table in found:
                rows = table.extract()
                cells = [" ".join(str(c).split()) for row in rows for c in row if c and str(c).strip()]
                if not cells:
                    continue
                # pypdf writes the cells in reading order, each on its own line or a few per
                # line; any whitespace may separate them.
                pattern = r"\s+".join(r"\s+".join(map(re.escape, c.split())) for c in cells)
                m = re.search(pattern, text)
                if m is None:
                    continue
                rewritten = "\n".join(row_sentences(rows))
                text = f"{text[: m.start()]}\n{rewritten}\n{text[m.end() :]}"
                replaced += 1
            return _clean_pdf_text(text) if replaced else None
        except MemoryError:
            raise
        except Exception as exc:  # a table we cannot read leaves the pypdf text in place
            logger.warning("PDF '%s': page %d: table extraction failed: %s", self.path, index + 1, exc)
            return None


def _line_shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_running_lines(sections: list[Section], *, min_pages: int = 3) -> list[Section]:
    """Drop running headers/footers: first/last lines that recur (digits aside) on most pages.

    "Guide to ... Page 4" repeated on every page is navigation, not content; left in, it
    would be retrieved and quoted as if it were evidence.
    """
    if len(sections) < min_pages:
        return sections
    counts: dict[str, int] = {}
    for sec in sections:
        lines = [ln for ln in sec.text.splitlines() if ln.strip()]
        for shape in {_line_shape(ln) for ln in lines[:2] + lines[-2:]}:
            counts[shape] = counts.get(shape, 0) + 1
    running = {shape for shape, n in counts.items() if n >= max(min_pages, len(sections) // 2 + 1)}
    if not running:
        return sections
    out: list[Section] = []
    for sec in sections:
        lines = sec.text.splitlines()
        kept = [ln for i, ln in enumerate(lines)
                if not ((i < 2 or i >= len(lines) - 2) and _line_shape(ln) in running)]
        text = "\n".join(kept).strip()
        if text:
            out.append(Section(text=text, page=sec.page, heading=sec.heading,
                               ocr_confidence=sec.ocr_confidence))
    return out


def _pdf_title(reader: Any, path: Path) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except MemoryError:
        raise
    except Exception as exc:  # broken metadata must not cost us the document
        logger.warning("PDF '%s': ignoring unreadable metadata: %s", path, exc)
        return None
    return (" ".join(str(title).split()) or None) if title else None


# --------------------------------------------------------------------------- DOCX


def _load_docx(path: Path, limits: _Limits) -> ParsedDocument:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            unzipped = sum(info.file_size for info in members)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _corrupt("DOCX", path, f"not a zip archive: {exc}; re-save old .doc files as "
                       ".docx") from exc
    # zipfile never inflates a member past its declared size, so the sum bounds the real work.
    if unzipped > limits.max_unzipped_bytes:
        raise _error("too_large", "DOCX", path, f"it unpacks to {unzipped:,} bytes, over the "
                     f"limit of {limits.max_unzipped_bytes:,} (possible zip bomb)",
                     "Check the file or raise max_unzipped_bytes.")
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _ZIP_RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO \
                and not info.filename.startswith("word/media/"):
            raise _error("too_large", "DOCX", path, f"its part {info.filename} inflates "
                         f"{ratio:,.0f} times to {info.file_size:,} bytes (a zip bomb: text XML "
                         f"compresses at most ~{MAX_ZIP_RATIO // 5}x)", "Re-save the document.")
    document = docx.Document(str(path))

    def blocks(parent: Any) -> Iterator[Paragraph | Table]:
        # Walk the XML so paragraphs and tables keep document order; content controls
        # (w:sdt, used for cover pages and the like) are unwrapped.
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, document)
            elif child.tag == qn("w:tbl"):
                yield Table(child, document)
            elif child.tag == qn("w:sdt") and (inner := child.find(qn("w:sdtContent"))) is not None:
                yield from blocks(inner)

    title = (document.core_properties.title or "").strip() or None
    builder = _SectionBuilder()
    for block in blocks(document.element.body):
        if isinstance(block, Table):
            builder.lines.extend(_docx_table_lines(block))
            continue
        text = block.text.strip()
        style = (block.style.name or "").lower() if block.style is not None else ""
        level = re.fullmatch(r"heading ([1-9])", style)
        if text and (level or style == "title"):
            title = title or text
        if text and level and int(level.group(1)) <= 3:
            builder.start(text)
        elif text:
            builder.lines.append(text)
    return _finish(builder, "DOCX", path, title)


def _docx_table_lines(table: Any) -> list[str]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell is reported once per grid column
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    return row_sentences(rows)


# --------------------------------------------------------------------------- text formats


class _SectionBuilder:
    """Accumulates lines under the current heading; empty sections are dropped."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.heading: str | None = None
        self.lines: list[str] = []

    def start(self, heading: str | None) -> None:
        self.flush()
        self.heading = heading

    def flush(self) -> None:
        lines = rewrite_markdown_tables("\n".join(self.lines).split("\n"))
        text = "\n".join(line.rstrip() for line in lines)
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if text:
            self.sections.append(Section(text=text, heading=self.heading))
        self.lines = []


def _finish(builder: _SectionBuilder, label: str, path: Path, title: str | None) -> ParsedDocument:
    builder.flush()
    if not builder.sections:
        raise _error("empty", label, path, "it contains no text", "Add content or remove the file.")
    return ParsedDocument(sections=tuple(builder.sections), title=title)


def _read_text(path: Path, label: str) -> str:
    """Decode a text file: BOM-marked UTF-16, else UTF-8, else cp1252 (with a warning)."""
    data = path.read_bytes()
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
                logger.warning("%s '%s' is not valid UTF-8; decoded it as cp1252", label, path)
    except UnicodeDecodeError as exc:
        raise _corrupt(label, path, f"not UTF-8 or cp1252 text: {exc}") from exc
    if "\x00" in text:
        raise _corrupt(label, path, "contains NUL bytes, so it is binary rather than text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _cap_lines(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """``text`` with every line longer than ``limit`` cut into pieces (before any regex)."""
    if all(len(line) <= limit for line in text.split("\n")):
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= limit:
            out.append(line)
        else:
            out.extend(line[i:i + limit] for i in range(0, len(line), limit))
    return "\n".join(out)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_ATX_HEADING = re.compile(r" {0,3}(#{1,3})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")


def _load_markdown(path: Path, limits: _Limits) -> ParsedDocument:
    text = _cap_lines(_read_text(path, "Markdown"))
    title = None
    if m := _FRONT_MATTER.match(text):
        text = text[m.end():]
        title = _front_matter_title(m.group(1) or "", path)
    builder = _SectionBuilder()
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence or len(line) > MAX_HEADING_CHARS \
            else _ATX_HEADING.fullmatch(line)
        if heading:
            name = (heading.group(2) or "").strip() or None
            if title is None and name and len(heading.group(1)) == 1:
                title = name
            builder.start(name)
        else:
            builder.lines.append(line)
    return _finish(builder, "Markdown", path, title)


def _front_matter_title(block: str, path: Path) -> str | None:
    import yaml

    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        logger.warning("Markdown '%s': ignoring unreadable front matter: %s", path, exc)
        return None
    title = meta.get("title") if isinstance(meta, dict) else None
    return (str(title).strip() or None) if title is not None else None


def _load_txt(path: Path, limits: _Limits) -> ParsedDocument:
    text = _cap_lines(_read_text(path, "text file"))
    builder = _SectionBuilder()
    size = 0
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if not paragraph.strip():
            continue
        if size and size + len(paragraph) > _TXT_SECTION_CHARS:
            builder.start(None)
            size = 0
        builder.lines.append(paragraph.strip("\n") + "\n")
        size += len(paragraph)
    return _finish(builder, "text file", path, None)


# --------------------------------------------------------------------------- HTML


class _HTMLText(HTMLParser):
    """Collects visible text: h1-h3 start sections, table rows become 'a | b | c' lines."""

    SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
    HEADINGS = frozenset({"h1", "h2", "h3"})
    BREAKS = frozenset({"p", "div", "li", "br", "ul", "ol", "table", "h4", "h5", "h6", "pre",
                        "blockquote", "section", "article", "header", "footer", "dt", "dd", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = _SectionBuilder()
        self.title: str | None = None
        self.first_h1: str | None = None
        self._skip = 0  # depth inside script/style/...
        self._text: list[str] = []  # body text of the current section
        self._line_open = False  # the current line has visible text
        self._capture: list[str] | None = None  # text of the open <title> or <hN>
        self._row: list[list[str]] | None = None  # cells of the open <tr>
        self._table: list[list[str]] | None = None  # finished rows of the open <table>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif self._skip:
            return
        elif tag == "title" or tag in self.HEADINGS:
            self._capture = []
        elif tag == "table":
            self.end_table()
            self._table = []
        elif tag == "tr":
            self.end_row()
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._row.append([])
        elif tag in self.BREAKS:
            self._write("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif self._skip:
            return
        elif (tag == "title" or tag in self.HEADINGS) and self._capture is not None:
            text = " ".join("".join(self._capture).split()) or None
            self._capture = None
            if tag == "title":
                self.title = self.title or text
            else:
                if tag == "h1" and self.first_h1 is None:
                    self.first_h1 = text
                self.start_section(text)
        elif tag == "tr":
            self.end_row()
        elif tag == "table":
            self.end_table()
        elif tag in self.BREAKS:
            self._write("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = re.sub(r"\s+", " ", data)  # source line breaks are not significant in HTML
        if self._capture is not None:
            self._capture.append(data)
        else:
            self._write(data)

    def _write(self, text: str) -> None:
        if self._row:  # inside a cell, line breaks are just spaces
            self._row[-1].append(text)
        elif text != "\n":
            self._text.append(text)
            self._line_open = self._line_open or not text.isspace()
        elif self._line_open:  # nested block tags must not stack up blank lines
            self._text.append(text)
            self._line_open = False

    def end_row(self) -> None:
        if self._row is not None:
            cells = [" ".join("".join(cell).split()) for cell in self._row]
            self._row = None
            if not any(cells):
                return
            if self._table is not None:
                self._table.append(cells)
            else:
                for text in ("\n", " | ".join(cells), "\n"):
                    self._write(text)

    def end_table(self) -> None:
        self.end_row()
        if self._table is not None:
            rows, self._table = self._table, None
            for sentence in row_sentences(rows):
                for text in ("\n", sentence, "\n"):
                    self._write(text)

    def start_section(self, heading: str | None) -> None:
        self.end_table()
        self.builder.lines = [" ".join(line.split()) for line in "".join(self._text).split("\n")]
        self._text, self._line_open = [], False
        self.builder.start(heading)


def _escape_stray_lt(text: str) -> str:
    """``&lt;`` for every ``<`` that no ``>`` closes before the next ``<`` (linear).

    ``html.parser`` rescans such a tag to the end of the input each time it meets one
    (``"<a" * 80000`` takes seconds); as ``&lt;`` the same character reaches the text.
    """
    pieces = text.split("<")
    return pieces[0] + "".join(("<" if ">" in piece else "&lt;") + piece for piece in pieces[1:])


def _load_html(path: Path, limits: _Limits) -> ParsedDocument:
    parser = _HTMLText()
    parser.feed(_escape_stray_lt(_read_text(path, "HTML")))
    parser.close()
    parser.start_section(None)
    return _finish(parser.builder, "HTML", path, parser.title or parser.first_h1)


_LOADERS: dict[str, Callable[[Path, _Limits], ParsedDocument]] = {
    ".pdf": _load_pdf, ".docx": _load_docx, ".md": _load_markdown, ".markdown": _load_markdown,
    ".txt": _load_txt, ".html": _load_html, ".htm": _load_html,
}
