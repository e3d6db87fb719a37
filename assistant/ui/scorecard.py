"""Scorecard page: the zones x criteria heatmap, ranking with reasons, blocking prerequisites,
"Draft all zones" with progress, and the exports (scorecard and pilot-selection brief)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.errors import EIPError
from assistant.ui.common import empty_state, esc, notice, pill
from assistant.ui.services import Services
from assistant.vocabulary import CATEGORY_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from assistant.scorecard import Scorecard

logger = logging.getLogger(__name__)

EXPORT_FORMATS = {"xlsx": "Excel (XLSX)", "md": "Markdown"}
BRIEF_LABELS = {"docx": "Brief (DOCX)", "md": "Brief (Markdown)"}


@dataclass(frozen=True)
class ScorecardView:
    image: Path | None
    ranking_html: str
    blocking_html: str
    note_html: str


def current_scorecard(services: Services) -> Scorecard | None:
    """The scorecard of every drafted zone (reviewed statuses win), or ``None``."""
    from assistant import ops

    return ops.scorecard(services.reviews, services.catalogue, services.registry,
                         services.settings.category_weights)


def _pretty(text: str) -> str:
    """Reason strings use ids (``park_management``, ``partially_meets``); show words."""
    for key, label in {**CATEGORY_LABELS, **STATUS_LABELS}.items():
        if "_" in key:
            text = text.replace(key, label.lower())
    return text


def _ranking_html(card: Scorecard) -> str:
    rows = []
    for z in card.zones:
        blocked = " eip-blocked" if z.blocked else ""
        tags = [pill(f"meets {z.met}/{z.total}"), pill(f"coverage {100 * z.coverage:.0f}%")]
        if z.blocked:
            tags.append(pill("blocked by a prerequisite", "bad"))
        if z.illustrative:
            tags.append(pill("illustrative", "warn"))
        cats = " · ".join(f"{CATEGORY_LABELS.get(c, c)} {100 * s:.0f}%"
                          for c, s in z.category_scores.items())
        reasons = "; ".join(_pretty(r) for r in z.reasons)
        rows.append(
            f'<div class="eip-rank{blocked}"><div class="eip-rank-head">'
            f'<div class="eip-rank-no">{z.rank}</div><div class="eip-rank-name">{esc(z.name)}'
            f'<div>{" ".join(tags)}</div></div>'
            f'<div class="eip-rank-score">{z.readiness:.0f}<span class="eip-muted">/100</span>'
            f'</div></div><div class="eip-bar"><div style="width:{max(z.readiness, 1):.0f}%">'
            f'</div></div><div class="eip-reasons">{esc(cats)}</div>'
            f'<div class="eip-reasons">{esc(reasons)}</div></div>')
    return ('<div class="eip-section-title">Ranking by readiness</div>' + "".join(rows))


def _blocking_html(card: Scorecard) -> str:
    blocked = [z for z in card.zones if z.blocked]
    if not blocked:
        return notice("No drafted zone is blocked: every prerequisite is met.", "ok")
    items = "".join(f"<li><b>{esc(z.name)}</b>: {esc(_pretty('; '.join(z.blocking)))}</li>"
                    for z in blocked)
    intro = notice("A zone must meet every prerequisite before its performance counts; "
                   "these zones rank last until the gaps close.", "warn")
    return f'<div class="eip-section-title">Blocking prerequisites</div>{intro}<ul>{items}</ul>'


def scorecard_view(services: Services) -> ScorecardView:
    """Everything the page shows; the heatmap is drawn to a fresh PNG."""
    from assistant.scorecard import heatmap_png

    card = current_scorecard(services)
    if card is None:
        return ScorecardView(None, empty_state(
            "No zone drafted yet", "Press “Draft all zones” above (or draft one zone on the "
            "Zone dossier tab); the scorecard compares every drafted zone."), "", "")
    image = heatmap_png(card, services.new_export_dir() / "scorecard.png")
    weights = ", ".join(f"{CATEGORY_LABELS.get(k, k)} {v:g}" for k, v in card.weights.items())
    missing = [z.name for z in services.zones() if card.zone(z.id) is None]
    note = (f"Readiness weighs the performance categories ({esc(weights)}); prerequisites are "
            "a gate, not a score. Reviewed statuses override drafted ones.")
    if missing:
        note += f" Not drafted yet: {esc(', '.join(missing))}."
    return ScorecardView(image, _ranking_html(card), _blocking_html(card),
                         notice(note, "info"))


def refresh(services: Services) -> tuple[Any, str, str, str]:
    view = scorecard_view(services)
    image = gr.update(value=str(view.image), visible=True) if view.image else \
        gr.update(value=None, visible=False)
    return image, view.ranking_html, view.blocking_html, view.note_html


def export_scorecard(services: Services, fmt: str) -> Path | None:
    from assistant.export import write_scorecard

    card = current_scorecard(services)
    if card is None:
        return None
    out = services.new_export_dir() / f"scorecard.{fmt}"
    write_scorecard(card, fmt, out)
    return out


def draft_all_zones(services: Services,
                    on_progress: Callable[[float, str], None] | None = None) -> str:
    """Draft the new and changed cells of every zone; returns a message (html).

    Every zone's lock is held for the run, so nobody drafts a zone twice at once.
    """
    from assistant import ops

    zones = [z.id for z in services.zones()]
    taken = []
    for zone in zones:
        lock = services.zone_lock(zone)
        if not lock.acquire(blocking=False):
            for held in taken:
                held.release()
            return notice(f"{esc(services.zone_name(zone))} is being drafted right now; try "
                          "again when that run ends.", "warn")
        taken.append(lock)

    def progress(p: ops.DraftProgress) -> None:
        if on_progress is not None:
            on_progress(p.done / max(p.total, 1),
                        f"Drafting {services.zone_name(p.zone)}: cell {p.done} of {p.total}")

    try:
        if on_progress is not None:
            on_progress(0.0, "Reading the zones' documents")
        result = ops.draft_all(services.assistant, services.reviews, zones or None,
                               drafter=services.drafter(), on_progress=progress)
    except EIPError as exc:
        return notice(esc(services.public(exc)), "error")
    finally:
        for held in taken:
            held.release()
    if result.drafted == 0:
        return notice(f"All {len(result.zones)} zones were up to date: nothing to draft.", "ok")
    return notice(f"Drafted {result.drafted} cells in {len(result.zones)} zones "
                  f"({result.requested - result.drafted} unchanged cells kept, {result.stale} "
                  f"stale) in {result.seconds:.0f} s.", "ok")


def export_brief(services: Services, fmt: str) -> Path | None:
    """The pilot-selection brief as a file to download (``None`` when nothing is drafted)."""
    from assistant import ops
    from assistant.export.brief import write_brief

    content = ops.brief(services.reviews, services.catalogue, services.registry,
                        services.settings.category_weights)
    if content is None:
        return None
    out = services.new_export_dir() / f"pilot-selection-brief.{fmt}"
    write_brief(content, fmt, out)
    return out


def build(services: Services) -> dict[str, Any]:
    with gr.Row(equal_height=True):
        draft_btn = gr.Button("Draft all zones", variant="primary", scale=0, min_width=160,
                              elem_id="eip-draft-all")
        refresh_btn = gr.Button("Refresh scorecard", variant="secondary", scale=0,
                                min_width=160, elem_id="eip-scorecard-refresh")
        buttons = {fmt: gr.Button(label, size="sm", scale=0, min_width=140)
                   for fmt, label in EXPORT_FORMATS.items()}
        briefs = {fmt: gr.Button(label, size="sm", scale=0, min_width=140,
                                 elem_id=f"eip-brief-{fmt}") for fmt, label in BRIEF_LABELS.items()}
        download = gr.File(label="Download", visible=False, interactive=False, scale=1,
                           elem_id="eip-scorecard-download")
    draft_msg = gr.HTML("", elem_id="eip-draft-all-message")
    note = gr.HTML("")
    image = gr.Image(show_label=False, type="filepath", interactive=False, visible=False,
                     elem_id="eip-heatmap", buttons=["download", "fullscreen"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=480):
            ranking = gr.HTML(empty_state("Scorecard", "Open this tab after drafting dossiers."))
        with gr.Column(scale=2, min_width=360):
            blocking = gr.HTML("")
    outputs = [image, ranking, blocking, note]
    refresh_btn.click(partial(refresh, services), None, outputs, concurrency_id="scorecard")

    def _export(fmt: str) -> Any:
        def handler() -> Any:
            path = export_scorecard(services, fmt)
            return gr.update(visible=path is not None, value=str(path) if path else None)
        return handler

    for fmt, btn in buttons.items():
        btn.click(_export(fmt), None, download)

    def _brief(fmt: str) -> Any:
        def handler() -> Any:
            path = export_brief(services, fmt)
            return gr.update(visible=path is not None, value=str(path) if path else None)
        return handler

    for fmt, btn in briefs.items():
        btn.click(_brief(fmt), None, download)

    def _draft_all(progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return draft_all_zones(services, on_progress=lambda frac, desc: progress(frac, desc=desc))

    draft_btn.click(_draft_all, None, draft_msg, concurrency_id="draft").then(
        partial(refresh, services), None, outputs, concurrency_id="scorecard")
    return {"refresh": partial(refresh, services), "outputs": outputs}
