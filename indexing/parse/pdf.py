"""PDF pages: the text layer through pypdf (tables through pdfplumber), OCR for pages without one.

Each page's text extraction runs under a CPU budget; running headers and footers are removed.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.types import OcrPage, ParsedDocument, Section
from indexing.ocr import OcrOptions
from indexing.parse.common import REPLACE_ADVICE, Limits, PageTimeout, corrupt_error, parse_error
from indexing.tables import row_sentences

logger = logging.getLogger(__name__)

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
    """Raise :class:`PageTimeout` in the block after ``seconds`` of process CPU time.

    Uses ``ITIMER_PROF``, so only on the main thread (where the parse worker runs loaders);
    elsewhere, or without a budget, the block runs unbounded.
    """
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise PageTimeout

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def clean_pdf_text(text: str) -> str:
    """Undo typesetting artefacts: ligatures, hyphenated line breaks, ragged spacing."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.strip() for line in _INLINE_SPACE.sub(" ", text).split("\n"))

    def join(m: re.Match[str]) -> str:
        before, after = m.string[m.start() - 1], m.string[m.end()]
        return "" if before.islower() and after.islower() else m.group()

    text = _HYPHEN_BREAK.sub(join, text)
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def load_pdf(path: Path, limits: Limits) -> ParsedDocument:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    locked = parse_error("encrypted", "PDF", path, "it is password-protected",
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
            raise parse_error("encrypted", "PDF", path, f"it is encrypted and pypdf cannot decrypt it "
                         f"({exc})", "Install 'cryptography' or save an unprotected copy.") from exc
    if n_pages == 0:
        raise parse_error("empty", "PDF", path, "it has no pages", REPLACE_ADVICE)
    if n_pages > limits.max_pages:
        raise parse_error("too_large", "PDF", path, f"{n_pages} pages is over the limit of "
                     f"{limits.max_pages}", "Split the file or raise max_pages.")

    sections: list[Section] = []
    failed = 0
    chars = 0
    tables = _PdfTables(path)
    textless: list[int] = []
    for i in range(n_pages):
        try:
            with _cpu_budget(limits.page_seconds):
                text = clean_pdf_text(reader.pages[i].extract_text() or "")
                if _has_cell_run(text):
                    text = tables.page_text(i, text) or text
        except PageTimeout as exc:
            raise parse_error("timeout", "PDF", path, f"text extraction of page {i + 1} took more than "
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
                raise parse_error("too_large", "PDF", path, f"its first {i + 1} pages already hold "
                             f"over {limits.max_chars:,} characters", "Split the file or raise "
                             "max_extracted_chars.")
        else:
            textless.append(i)

    tables.close()
    ocr_pages: tuple[OcrPage, ...] = ()
    if textless and limits.ocr.enabled and not (not sections and (failed or repairs)):
        sections, ocr_pages = _ocr_pages(reader, path, textless, sections, limits.ocr)
    if failed == n_pages:
        raise corrupt_error("PDF", path, f"text extraction failed on all {n_pages} pages")
    if not sections and (failed or repairs):
        # A file pypdf had to patch up that then yields no text is far more likely damaged
        # than a clean scan, so it is not sent to OCR.
        detail = f"pypdf had to repair it: {repairs[0]}" if repairs else f"{failed} bad pages"
        raise parse_error("corrupt", "PDF", path, f"the file is damaged ({detail}) and no page has text",
                     f"{REPLACE_ADVICE} If it is a scan, repair it and run OCR.")
    if not sections and ocr_pages:
        low = ", ".join(f"page {p.page} {p.confidence:.0f}%" for p in ocr_pages)
        raise parse_error("needs_ocr", "PDF", path, f"no text layer, and OCR confidence is below the "
                     f"floor of {limits.ocr.min_confidence:.0f}% on every page ({low})",
                     "Rescan at 300 dpi, or lower EIP_OCR_MIN_CONFIDENCE to accept it.")
    if not sections:
        raise parse_error("needs_ocr", "PDF", path, f"no text layer on any of its {n_pages} pages "
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
        text = clean_pdf_text(text)
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
            found = find_tables(self._pdf.pages[index])
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
            return clean_pdf_text(text) if replaced else None
        except MemoryError:
            raise
        except Exception as exc:  # a table we cannot read leaves the pypdf text in place
            logger.warning("PDF '%s': page %d: table extraction failed: %s", self.path, index + 1, exc)
            return None


def find_tables(page: Any) -> list[Any]:
    """``page.find_tables()`` (default settings), converting only the chars a table can hold.

    pdfplumber turns every object of a page into a dict before it looks for ruling lines;
    on our tabular pages nearly all of them are characters, and converting them was most of
    the table pass's CPU (docs/benchmarks.md), yet only the ones inside a table are ever read
    (by ``Table.extract``). So the page's other objects are converted first, the tables are
    found from their edges alone (the default "lines" strategies read no text), and then only
    the characters that overlap a table's box are converted, in their original order:
    ``extract`` filters them by the same box, so it returns what it would have. ``page`` is
    left holding only those characters, so use it for these tables only. Any pdfplumber
    without the internals this relies on gets the plain call.
    """
    try:
        from pdfminer.layout import LTChar, LTContainer

        if page.pdf.laparams is not None or hasattr(page, "_objects"):
            return page.find_tables()
        chars: list[Any] = []
        objects: dict[str, list[Any]] = {}

        def walk(items: list[Any]) -> None:
            for obj in items:
                if isinstance(obj, LTContainer):  # laparams None: only its children count
                    walk(obj._objs)
                elif isinstance(obj, LTChar):
                    chars.append(obj)
                else:
                    attr = page.process_object(obj)
                    if attr["object_type"] != "anno":
                        objects.setdefault(attr["object_type"], []).append(attr)

        walk(page.layout._objs)
        page._objects = objects
        tables = page.find_tables()
        if tables:
            objects["char"] = [page.process_object(c) for c in chars
                               if any(_overlaps(page, c, t.bbox) for t in tables)]
        return tables
    except (ImportError, AttributeError, KeyError, TypeError):
        if hasattr(page, "_objects"):
            del page._objects
        return page.find_tables()


def _overlaps(page: Any, char: Any, bbox: tuple[float, float, float, float]) -> bool:
    """Whether a pdfminer char's box, in pdfplumber's coordinates, touches ``bbox`` (+1 pt)."""
    mb_x0, mb_top = page.mediabox[:2]
    top = page.height - char.y1 + mb_top
    bottom = page.height - char.y0 + mb_top
    x0, x1 = char.x0 + mb_x0, char.x1 + mb_x0
    left, upper, right, lower = bbox
    return x1 >= left - 1 and x0 <= right + 1 and bottom >= upper - 1 and top <= lower + 1


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


