"""OCR of PDF pages that have no text layer (scans), with Tesseract.

The PDF loader calls :func:`ocr_pdf_page` for a page whose text extraction came back empty.
The page's embedded images (a scan is one image per page) are read by Tesseract
(``eng+khm`` by default) through ``pytesseract``; the result carries the mean word
confidence, so chunks and citations can say the text is OCR and how sure it is. A page
whose confidence is below the floor is returned with ``accepted=False``: the loader reports
it and leaves it out of the index.

Tesseract is a system program (Debian ``tesseract-ocr`` and ``tesseract-ocr-khm``;
``make tesseract`` installs both). Nothing here downloads anything.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from assistant.errors import ParseError
from assistant.types import OcrPage

if TYPE_CHECKING:
    from assistant.settings import Settings

logger = logging.getLogger(__name__)

INSTALL_HINT = (
    "Install Tesseract with its Khmer data (`make tesseract`, or "
    "`apt-get install tesseract-ocr tesseract-ocr-khm`), or set EIP_OCR=false to skip scans."
)


#: Called with the page number before a page goes to Tesseract. The parse worker sets it to
#: tell its parent, which then allows the file ``page_timeout`` more seconds of wall time:
#: a scan of many pages takes longer than any fixed per-file limit.
page_started: Callable[[int], None] | None = None


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How scans are read; built from settings by :func:`ocr_options`."""

    enabled: bool = True
    languages: str = "eng+khm"
    min_confidence: float = 60.0  # mean word confidence, 0..100
    page_timeout: float = 120.0  # seconds per page


def ocr_options(settings: Settings) -> OcrOptions:
    """The OCR options of ``settings`` (the ``ocr_*`` block)."""
    return OcrOptions(
        enabled=settings.ocr,
        languages=settings.ocr_languages,
        min_confidence=settings.ocr_min_confidence,
        page_timeout=settings.ocr_page_timeout,
    )


@cache
def _tesseract(languages: str) -> str | None:
    """Why Tesseract cannot read ``languages``, or ``None`` when it can."""
    if shutil.which("tesseract") is None:
        return "the `tesseract` program is not installed"
    try:
        import pytesseract

        have = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # a broken install: say what failed
        return f"Tesseract could not be run ({type(exc).__name__}: {exc})"
    missing = [lang for lang in languages.split("+") if lang not in have]
    if missing:
        return f"Tesseract has no language data for {', '.join(missing)} (has {', '.join(sorted(have))})"
    return None


def tesseract_problem(options: OcrOptions) -> str | None:
    """Why OCR with ``options`` cannot run here, or ``None`` when it can."""
    return _tesseract(options.languages)


def _page_images(page: Any) -> list[Any]:
    """The page's embedded raster images as PIL images, largest first."""
    images = []
    for image in page.images:
        try:
            images.append(image.image)
        except Exception as exc:  # an undecodable image: the others may still read
            logger.warning("skipping an undecodable image %s: %s", getattr(image, "name", "?"), exc)
    return sorted((im for im in images if im is not None), key=lambda im: -(im.width * im.height))


def ocr_image(image: Any, options: OcrOptions) -> tuple[str, float]:
    """Text and mean word confidence of one image (lines kept, words joined by spaces)."""
    import pytesseract

    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    data = pytesseract.image_to_data(
        image, lang=options.languages, output_type=pytesseract.Output.DICT,
        timeout=options.page_timeout,
    )
    lines: dict[tuple[int, int, int], list[str]] = {}
    paragraphs: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        confidences.append(conf)
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key not in lines:
            lines[key] = []
            paragraphs.setdefault(key[:2], []).append(key)
        lines[key].append(word)
    text = "\n\n".join("\n".join(" ".join(lines[k]) for k in keys) for keys in paragraphs.values())
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return text, round(mean, 1)


def ocr_pdf_page(page: Any, number: int, options: OcrOptions, label: str) -> tuple[OcrPage, str] | None:
    """OCR one text-less PDF page: its report and text; ``None`` when it holds no image.

    Raises :class:`ParseError` (``needs_ocr``) when Tesseract is not available, naming
    ``label`` (the file) and how to install it.
    """
    if page_started is not None:
        page_started(number)
    images = _page_images(page)
    if not images:
        return None
    problem = tesseract_problem(options)
    if problem:
        raise ParseError(f"cannot OCR page {number} of PDF '{label}': {problem}. {INSTALL_HINT}",
                         kind="needs_ocr")
    texts: list[str] = []
    weighted = 0.0
    total = 0
    for image in images:
        text, conf = ocr_image(image, options)
        if text:
            texts.append(text)
            weighted += conf * len(text)
            total += len(text)
    confidence = round(weighted / total, 1) if total else 0.0
    accepted = bool(texts) and confidence >= options.min_confidence
    logger.info("OCR of '%s' page %d: %d characters, mean confidence %.1f%s", label, number, total,
                confidence, "" if accepted else " (below the floor: not indexed)")
    return OcrPage(number, confidence, accepted), "\n\n".join(texts)
