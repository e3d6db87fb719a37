"""Look and small HTML helpers shared by the pages (no gradio import here)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from assistant.vocabulary import (
    INSUFFICIENT,
    MEETS,
    NOT_MET,
    PARTIAL,
    STATUS_LABELS,
    STATUSES,
)

STATUS_ICONS: dict[str, str] = {
    MEETS: "●", PARTIAL: "◐", NOT_MET: "○", INSUFFICIENT: "?",
}
DOC_TYPE_LABELS: dict[str, str] = {
    "framework": "Framework", "zone_document": "Zone document",
    "consultant_report": "Consultant report", "other": "Other",
}


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


# What can start Markdown or HTML anywhere in a line (links and images need "[", HTML and
# autolinks "<", emphasis "*" "_" "~", code "`", entities "&", e-mail autolinks "@").
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&#|~$!@])")
_MD_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d+(?=[.)]))", re.MULTILINE)  # lists, rules
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9])(://)|(?<![\w.])(www)\.", re.IGNORECASE)


def md_escape(text: object) -> str:
    """``text`` as inert Markdown: shown literally, never a link, image, HTML or formatting.

    CommonMark treats a backslash-escaped ASCII punctuation character as that character, so
    the characters that can open a construct are escaped: ``[ ] < > ! * _ ~ ` & # | $ @``
    everywhere, ``- + =`` and ``1.`` at the start of a line, and the ``://`` or ``www.`` that
    would make a bare URL an autolink. Other punctuation (``%``, ``,``, ``.``, ``-`` inside
    a line) stays as it is, so figures read the same in the raw text. Document text, model
    output and file names go through this before they reach a Markdown component (the chat).
    """
    out = _MD_INLINE.sub(r"\\\1", "" if text is None else str(text))
    out = _MD_LINE_START.sub(lambda m: m.group(1) + (
        "\\" + m.group(2) if not m.group(2)[0].isdigit() else m.group(2) + "\\"), out)
    return _MD_AUTOLINK.sub(lambda m: "\\://" if m.group(1) else m.group(2) + "\\.", out)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_badge(status: str) -> str:
    """A coloured pill for a criterion status."""
    cls = status if status in STATUSES else "unknown"
    return (f'<span class="eip-badge eip-{cls}">{STATUS_ICONS.get(status, "")} '
            f"{esc(status_label(status))}</span>")


def pill(text: str, kind: str = "neutral", title: str = "") -> str:
    attr = f' title="{esc(title)}"' if title else ""
    return f'<span class="eip-pill eip-pill-{kind}"{attr}>{esc(text)}</span>'


def page_label(page: int | None) -> str:
    return f"p. {page}" if page is not None else "no page numbers"


def short_file(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def highlight(text: str, quotes: Iterable[str]) -> str:
    """``text`` escaped, with each quote wrapped in ``<mark>`` (whitespace-tolerant)."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        words = quote.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        m = re.search(pattern, text) or re.search(pattern, text, re.IGNORECASE)
        if m is None and len(words) > 8:
            # PDF extraction may differ slightly at the ends: try the middle of the quote.
            core = r"\s+".join(re.escape(w) for w in words[2:-2])
            m = re.search(core, text)
        if m is not None:
            spans.append(m.span())
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def empty_state(title: str, body: str) -> str:
    return (f'<div class="eip-empty"><div class="eip-empty-title">{esc(title)}</div>'
            f'<div class="eip-empty-body">{body}</div></div>')


def notice(text: str, kind: str = "info") -> str:
    return f'<div class="eip-notice eip-notice-{kind}">{text}</div>'


CSS = """
.gradio-container { max-width: 1440px !important; margin: 0 auto !important; }
footer { display: none !important; }
.eip-header { display: flex; align-items: center; justify-content: space-between; gap: 16px;
  padding: 14px 20px; border-radius: 14px; color: #fff;
  background: linear-gradient(120deg, #0f4c45 0%, #137a6b 55%, #2a9d8f 100%); }
.eip-brand { display: flex; align-items: center; gap: 14px; }
.eip-logo { width: 42px; height: 42px; border-radius: 10px; background: rgba(255,255,255,.16);
  display: flex; align-items: center; justify-content: center; font-size: 22px; }
.eip-header .eip-title { font-size: 22px; font-weight: 700; letter-spacing: .2px; line-height: 1.2;
  color: #fff !important; }
.eip-header .eip-tagline { font-size: 13.5px; color: rgba(255,255,255,.88) !important;
  margin-top: 2px; max-width: 760px; }
.eip-header .eip-logo { color: #fff; }
.eip-header-meta { display: flex; gap: 8px; flex-wrap: wrap; justify-content: flex-end; }
.eip-header .eip-pill { background: rgba(255,255,255,.15); color: #fff;
  border: 1px solid rgba(255,255,255,.25); }
.eip-pill { display: inline-block; padding: 3px 10px; border-radius: 999px; font-size: 12.5px;
  font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.eip-pill-neutral { background: #eef2f1; color: #294a45; border-color: #d5e0de; }
.eip-pill-mode { background: #e6f4f1; color: #0f5e54; border-color: #b7ddd5; }
.eip-pill-warn { background: #fff4e0; color: #8a5300; border-color: #f3d39b; }
.eip-pill-bad { background: #fdeaea; color: #9b1c1c; border-color: #f1b8b8; }
.eip-notice { padding: 9px 14px; border-radius: 10px; font-size: 13.5px; line-height: 1.45; }
.eip-notice-info { background: #f1f7fb; border: 1px solid #cfe2f0; color: #1d4866; }
.eip-notice-warn { background: #fff8e8; border: 1px solid #f3dca5; color: #6d4a00; }
.eip-notice-ok { background: #ecf8f1; border: 1px solid #b9e3c9; color: #1c5a35; }
.eip-notice-error { background: #fdeeee; border: 1px solid #f2c0c0; color: #8c1d1d; }
.eip-badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.eip-meets { background: #dff3e4; color: #1b6b34; }
.eip-partially_meets { background: #fff1cc; color: #7a5600; }
.eip-does_not_meet { background: #fbe0e0; color: #9b1c1c; }
.eip-insufficient_evidence { background: #eceff1; color: #455a64; }
.eip-unknown { background: #eceff1; color: #455a64; }
.eip-section-title { font-size: 15px; font-weight: 700; margin: 4px 0 6px; color: #17403b; }
.eip-muted { color: #61716f; font-size: 13px; }
.eip-passage { border: 1px solid #dbe5e3; border-radius: 12px; padding: 14px 16px;
  background: #fff; }
.eip-passage-head { display: flex; justify-content: space-between; gap: 8px; flex-wrap: wrap;
  margin-bottom: 8px; }
.eip-passage-title { font-weight: 700; color: #17403b; }
.eip-passage-file { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px;
  color: #56706c; word-break: break-all; }
.eip-passage-text { font-size: 14px; line-height: 1.6; white-space: pre-wrap; color: #1f2d2b;
  max-height: 420px; overflow-y: auto; }
.eip-passage-text mark, .eip-evidence mark { background: #ffe58a; padding: 1px 2px;
  border-radius: 3px; }
.eip-empty { text-align: center; padding: 26px 16px; color: #61716f; border: 1px dashed #cfdcd9;
  border-radius: 12px; background: #fafcfb; }
.eip-empty-title { font-weight: 700; color: #294a45; margin-bottom: 4px; }
.eip-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 10px; }
.eip-card { border: 1px solid #dbe5e3; border-radius: 12px; padding: 10px 14px;
  background: #fff; }
.eip-card-value { font-size: 22px; font-weight: 700; color: #17403b; }
.eip-card-label { font-size: 12.5px; color: #61716f; }
.eip-detail h3 { margin: 0 0 4px; font-size: 17px; color: #17403b; }
.eip-detail .eip-req { background: #f5f8f7; border-left: 3px solid #2a9d8f; padding: 8px 12px;
  border-radius: 6px; font-size: 13.5px; margin: 8px 0; }
.eip-evidence { border: 1px solid #e1e9e7; border-radius: 10px; padding: 8px 12px;
  margin: 6px 0; font-size: 13.5px; background: #fff; }
.eip-evidence-src { font-size: 12px; color: #56706c; margin-bottom: 3px; }
.eip-history { font-size: 12.5px; color: #41524f; }
.eip-history li { margin: 2px 0; }
.eip-rank { border: 1px solid #dbe5e3; border-radius: 12px; padding: 10px 14px; margin: 8px 0;
  background: #fff; }
.eip-rank-head { display: flex; align-items: center; gap: 10px; }
.eip-rank-no { width: 30px; height: 30px; border-radius: 50%; background: #137a6b; color: #fff;
  display: flex; align-items: center; justify-content: center; font-weight: 700; }
.eip-rank-name { font-weight: 700; color: #17403b; flex: 1; }
.eip-rank-score { font-size: 20px; font-weight: 700; color: #137a6b; }
.eip-bar { height: 7px; border-radius: 4px; background: #e6eeec; margin: 6px 0 4px; }
.eip-bar > div { height: 7px; border-radius: 4px; background: #2a9d8f; }
.eip-reasons { font-size: 12.5px; color: #4d5f5c; }
.eip-blocked .eip-rank-no { background: #b23b3b; }
.eip-sources-radio .wrap { gap: 6px !important; }
.eip-sources-radio label { border-radius: 999px !important; font-size: 12.5px !important; }
#eip-chat .message { font-size: 14.5px; }
.eip-table [role=gridcell] span, .eip-table [role=columnheader] span {
  font-family: var(--font) !important; font-size: 13px !important; }
.eip-table [role=columnheader] span { font-weight: 700; }
.eip-criteria [role=gridcell] { cursor: pointer; }
.eip-criteria td .eip-badge { font-size: 11.5px; }
.eip-export-label { font-size: 12.5px; font-weight: 600; color: #41524f; }
.eip-table-note { font-size: 12.5px; color: #61716f; margin-top: -4px; }
.eip-card-value.eip-bad { color: #9b1c1c; }
"""


def theme():  # noqa: ANN201 - gradio's Theme; gradio is imported by the caller
    """Soft theme in the product's teal, with local system fonts (no web-font download)."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue=gr.themes.colors.teal,
        secondary_hue=gr.themes.colors.emerald,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
        font=["Inter", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["SFMono-Regular", "Menlo", "Consolas", "monospace"],
    ).set(
        body_background_fill="#f4f7f6",
        block_shadow="0 1px 2px rgba(16,60,54,.06)",
        button_primary_background_fill="#137a6b",
        button_primary_background_fill_hover="#0f6357",
        button_primary_text_color="#ffffff",
    )


def public(services: object, message: object) -> str:
    """``services.public(message)`` (server paths shortened), or the plain text for a
    stand-in services object without it."""
    shorten = getattr(services, "public", None)
    return shorten(message) if callable(shorten) else str(message)
