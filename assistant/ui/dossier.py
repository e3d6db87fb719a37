"""Zone dossier page: the criteria table of a zone, criterion detail, review and export."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.errors import EIPError
from assistant.ui.common import (
    empty_state,
    esc,
    notice,
    page_label,
    pill,
    public,
    status_badge,
    status_label,
)
from assistant.ui.services import Services
from assistant.vocabulary import CATEGORY_LABELS, CITATION_MARKER, STATUS_LABELS, STATUSES

if TYPE_CHECKING:
    from assistant.reviews import StoredCell

logger = logging.getLogger(__name__)

COLUMNS = ["ID", "Criterion", "Status", "Conf.", "Evid.", "Review"]
DATATYPES = ["str", "str", "html", "str", "number", "str"]
EXPORT_FORMATS = {"docx": "DOCX", "xlsx": "XLSX", "md": "Markdown"}
NO_CRITERION = empty_state("No criterion open",
                           "Click a row of the table (or pick a criterion above) to see its "
                           "evidence and justification, and to review it.")
ProgressFn = Callable[[float, str], None]


# ----------------------------------------------------------------------------- reading
def categories(services: Services) -> list[tuple[str, str]]:
    """``(category, label)`` in catalogue order."""
    catalogue = services.catalogue
    if catalogue is None:
        return []
    return [(cat, CATEGORY_LABELS.get(cat, cat)) for cat in catalogue.by_category()]


def _cells(services: Services, zone: str) -> dict[str, StoredCell]:
    return {c.criterion_id: c for c in services.reviews.drafts(zone)}


def _review_label(cell: StoredCell) -> str:
    if cell.stale:
        return "⚠ stale: documents changed"
    r = cell.review
    if r is None:
        return "—"
    verb = {"accept": "✔ accepted", "edit": "✎ edited", "reject": "✖ rejected"}
    return f"{verb.get(r.action, r.action)} · {r.reviewer}"


def criteria_rows(services: Services, zone: str) -> dict[str, list[list[Any]]]:
    """Table rows per category: one per catalogue criterion (undrafted ones say so)."""
    catalogue = services.catalogue
    cells = _cells(services, zone) if zone else {}
    out: dict[str, list[list[Any]]] = {}
    if catalogue is None:
        return out
    for category, crits in catalogue.by_category().items():
        rows: list[list[Any]] = []
        for crit in crits:
            cell = cells.get(crit.id)
            if cell is None:
                rows.append([crit.id, crit.title, '<span class="eip-muted">not drafted</span>',
                             "", 0, ""])
                continue
            rows.append([crit.id, crit.title, status_badge(cell.effective_status),
                         f"{100 * cell.draft.confidence:.0f}%", len(cell.draft.evidence),
                         _review_label(cell)])
        out[category] = rows
    return out


def category_label(label: str, rows: list[list[Any]], cells: dict[str, StoredCell],
                   category: str) -> str:
    statuses = [c.effective_status for c in cells.values() if c.draft.category == category]
    if not statuses:
        return f"{label} · {len(rows)} criteria"
    counts = [f"{sum(s == st for s in statuses)} {STATUS_LABELS[st].lower()}"
              for st in STATUSES if any(s == st for s in statuses)]
    return f"{label} · {len(rows)} criteria · " + ", ".join(counts)


def zone_summary(services: Services, zone: str) -> str:
    if not zone:
        return empty_state("Pick a zone", "Choose a zone to see its dossier.")
    cells = _cells(services, zone)
    zone_rec = services.zone(zone)
    name = zone_rec.name if zone_rec is not None else zone
    illustrative = (" " + pill("illustrative sample zone", "warn")) \
        if zone_rec is not None and zone_rec.extra.get("illustrative") else ""
    total = len(services.catalogue) if services.catalogue is not None else len(cells)
    if not cells:
        return (f'<div class="eip-section-title">{esc(name)}{illustrative}</div>'
                + empty_state("Not drafted yet",
                              f"Draft the dossier to assess {esc(name)} against all {total} "
                              "criteria from the zone's own documents. It takes a minute or "
                              "two; you can keep working in the other tabs meanwhile."))
    statuses = [c.effective_status for c in cells.values()]
    reviewed = sum(c.reviewed for c in cells.values())
    stale = sum(c.stale for c in cells.values())
    cards = [(len(cells), f"of {total} criteria drafted")]
    cards += [(sum(s == st for s in statuses), STATUS_LABELS[st]) for st in STATUSES]
    cards.append((reviewed, "reviewed by a person"))
    html = "".join(f'<div class="eip-card"><div class="eip-card-value">{v}</div>'
                   f'<div class="eip-card-label">{esc(label)}</div></div>' for v, label in cards)
    stale_note = notice(f"{stale} criteria are stale: their documents changed after review. "
                        "Open them to see the redraft and review again.", "warn") if stale else ""
    return (f'<div class="eip-section-title">{esc(name)}{illustrative}</div>'
            f'<div class="eip-cards">{html}</div>{stale_note}')


def criterion_choices(services: Services, zone: str) -> list[tuple[str, str]]:
    catalogue = services.catalogue
    if catalogue is None or not zone:
        return []
    drafted = _cells(services, zone)
    return [(f"{c.id} · {c.title}", c.id) for c in catalogue if c.id in drafted]


def load_zone(services: Services, zone: str | None) -> tuple[Any, ...]:
    """Outputs for a zone: summary, one table and one accordion label per category, picker."""
    zone = zone or ""
    rows = criteria_rows(services, zone)
    cells = _cells(services, zone) if zone else {}
    tables, labels = [], []
    for category, label in categories(services):
        data = rows.get(category, [])
        tables.append(gr.update(value=_frame(data)))
        labels.append(gr.update(label=category_label(label, data, cells, category)))
    picker = gr.update(choices=criterion_choices(services, zone), value=None)
    return (zone_summary(services, zone), *tables, *labels, picker)


def _frame(rows: list[list[Any]]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=COLUMNS)


def _markers(text: str) -> str:
    return CITATION_MARKER.sub(r"<b>[\1]</b>", esc(text))


def criterion_detail(services: Services, zone: str | None, criterion_id: str | None
                     ) -> tuple[str, Any, Any]:
    """``(detail html, status field, justification field)`` for one cell."""
    if not zone or not criterion_id:
        return NO_CRITERION, gr.update(value=None), gr.update(value="")
    cell = services.reviews.cell(zone, criterion_id)
    if cell is None:
        return (empty_state("Not drafted", f"{esc(criterion_id)} has no draft for this zone yet."),
                gr.update(value=None), gr.update(value=""))
    draft = cell.effective_draft()
    crit = services.catalogue.get(criterion_id) if services.catalogue is not None else None
    shown = cell.pending if cell.pending is not None else draft
    parts = [
        '<div class="eip-detail">',
        f"<h3>{esc(draft.criterion_id)} · {esc(draft.title)}</h3>",
        f'<div>{pill(CATEGORY_LABELS.get(draft.category, draft.category))} '
        f"{status_badge(cell.effective_status)} "
        f'{pill(f"confidence {100 * draft.confidence:.0f}%")} '
        f'{pill(f"{len(draft.evidence)} evidence")} '
        f'{pill(_review_label(cell) if cell.reviewed or cell.stale else "not reviewed")}</div>',
        f'<div class="eip-req"><b>Requirement.</b> {esc(draft.requirement)}'
        + (f"<br><b>Threshold.</b> {esc(crit.threshold)}" if crit is not None and crit.threshold
           else "") + "</div>",
    ]
    if cell.stale:
        pending = (f" The redraft says <b>{esc(status_label(cell.pending.status))}</b>."
                   if cell.pending is not None else "")
        parts.append(notice("The documents behind this cell changed after it was reviewed."
                            f"{pending} Review it again to accept or correct.", "warn"))
    parts.append(f'<p><b>Rationale.</b> {esc(shown.rationale)}</p>')
    parts.append(f'<p><b>Justification.</b> {_markers(draft.justification)}</p>')
    if shown.conflict:
        parts.append(notice(f"<b>Documents disagree.</b> {esc(shown.conflict)}", "warn"))
    if shown.evidence:
        parts.append('<div class="eip-section-title">Evidence</div>')
        for n, ev in enumerate(shown.evidence, start=1):
            extra = []
            if ev.value:
                extra.append(f"value {ev.value}")
            if ev.date:
                extra.append(ev.date)
            parts.append(
                f'<div class="eip-evidence"><div class="eip-evidence-src"><b>[{n}]</b> '
                f"{esc(ev.file)} · {esc(page_label(ev.page))}"
                f'{" · " + esc(", ".join(extra)) if extra else ""}</div>'
                f"<mark>{esc(ev.quote)}</mark></div>")
    else:
        parts.append(notice("No evidence was found in this zone's documents.", "info"))
    if shown.gaps:
        parts.append('<div class="eip-section-title">Gaps</div><ul>'
                     + "".join(f"<li>{esc(g)}</li>" for g in shown.gaps) + "</ul>")
    events = services.reviews.history(zone, criterion_id)
    if events:
        items = "".join(
            f"<li>{esc(e.at[:16].replace('T', ' '))} · <b>{esc(e.action)}</b> by "
            f"{esc(e.reviewer)} → {esc(status_label(e.status or ''))}"
            f'{": " + esc(e.comment) if e.comment else ""}</li>' for e in events)
        parts.append(f'<div class="eip-section-title">Review history</div>'
                     f'<ul class="eip-history">{items}</ul>')
    else:
        parts.append(f'<p class="eip-muted">Drafted {esc(cell.drafted_at[:16].replace("T", " "))}'
                     f" ({esc(shown.mode)}); not reviewed yet.</p>")
    parts.append("</div>")
    return "".join(parts), gr.update(value=cell.effective_status), \
        gr.update(value=cell.effective_justification)


# ----------------------------------------------------------------------------- actions
def draft_dossier(services: Services, zone: str | None,
                  on_progress: ProgressFn | None = None) -> str:
    """Draft the new and changed criteria of ``zone``; returns a message (html)."""
    from assistant import ops

    if not zone:
        return notice("Pick a zone first.", "warn")
    catalogue = services.catalogue
    if catalogue is None:
        return notice("No criteria catalogue (criteria.yaml) was found for this corpus.", "error")
    lock = services.zone_lock(zone)
    if not lock.acquire(blocking=False):
        return notice(f"{esc(services.zone_name(zone))} is being drafted by someone else right "
                      "now; its table fills in when that run ends.", "warn")
    drafted = {"n": 0}

    def progress(done: int, total: int) -> None:
        drafted["n"] = total
        if on_progress is not None:
            on_progress(done / max(total, 1), f"Drafting criterion {done} of {total}")

    try:
        if on_progress is not None:
            on_progress(0.0, "Reading the zone's documents")
        ops.draft_zone(services.assistant, services.reviews, zone, drafter=services.drafter(),
                       on_progress=progress)
    except EIPError as exc:
        return notice(esc(public(services, exc)), "error")
    finally:
        lock.release()
    if drafted["n"] == 0:
        return notice("Everything was up to date: no document of this zone changed since the "
                      "last draft.", "ok")
    return notice(f"Drafted {drafted['n']} criteria for {esc(services.zone_name(zone))}. "
                  "Reviewed cells were kept; changed ones are flagged stale.", "ok")


def review_criterion(services: Services, zone: str | None, criterion_id: str | None,
                     action: str, reviewer: str, status: str | None = None,
                     justification: str | None = None, comment: str = "",
                     user: str | None = None) -> str:
    """Record an accept / edit / reject by a named reviewer; returns a message (html).

    With login on, ``user`` is the logged-in name and is the reviewer, whatever the
    Reviewer box says: nobody records a decision in someone else's name.
    """
    reviewer = (user or reviewer or "").strip()
    comment = (comment or "").strip()
    if not zone or not criterion_id:
        return notice("Open a criterion first.", "warn")
    if not reviewer:
        return notice("Enter your name as reviewer; every decision is recorded with it.", "warn")
    try:
        cell = services.reviews.cell(zone, criterion_id)
    except EIPError as exc:  # e.g. the review database went away
        return notice(esc(public(services, exc)), "error")
    if cell is None:
        return notice("This criterion has no draft yet.", "warn")
    new_status = new_just = None
    if action == "edit":
        if status and status != cell.effective_status:
            new_status = status
        if justification is not None and justification.strip() and \
                justification.strip() != cell.effective_justification.strip():
            new_just = justification.strip()
        if new_status is None and new_just is None:
            return notice("Change the status or the justification before saving an edit.", "warn")
    if action in ("edit", "reject") and not comment:
        return notice("Say why in the comment box; edits and rejections need a reason.", "warn")
    try:
        event = services.reviews.review(zone, criterion_id, action=action, reviewer=reviewer,
                                        comment=comment, status=new_status,
                                        justification=new_just)
    except EIPError as exc:
        return notice(esc(public(services, exc)), "error")
    verb = {"accept": "Accepted", "edit": "Saved edit of", "reject": "Rejected"}.get(action, action)
    return notice(f"{verb} {esc(criterion_id)} as {esc(event.reviewer)}: status "
                  f"<b>{esc(status_label(event.status or ''))}</b>.", "ok")


def export_dossier(services: Services, zone: str | None, fmt: str) -> Path | None:
    """Write the zone's dossier (reviewed values win) as ``fmt``; ``None`` if nothing drafted."""
    from assistant import ops
    from assistant.export import write_dossier

    if not zone or services.catalogue is None:
        return None
    cells = _cells(services, zone)
    if not cells:
        return None
    zone_rec = services.zone(zone)
    dossier = ops.stored_dossier(services.reviews, services.catalogue, zone,
                                 zone_name=zone_rec.name if zone_rec is not None else None)
    out = services.new_export_dir() / f"{zone}-dossier.{fmt}"
    result = write_dossier(dossier, fmt, out, cells, zone=zone_rec)
    return Path(result) if isinstance(result, (str, Path)) and Path(result).exists() else out


# ----------------------------------------------------------------------------- layout
def build(services: Services) -> dict[str, Any]:
    """Lay out the Zone dossier page; returns components other pages may refresh."""
    zones = services.zone_choices()
    with gr.Row(equal_height=False):
        zone = gr.Dropdown(zones, value=None, label="Zone", scale=4, min_width=320,
                           elem_id="eip-dossier-zone", info="Pick the zone to assess.")
        with gr.Column(scale=3, min_width=300):
            draft_btn = gr.Button("Draft / update dossier", variant="primary",
                                  elem_id="eip-draft")
            gr.HTML('<div class="eip-muted">Drafts new and changed criteria from the zone\'s '
                    "own documents; reviewed cells are kept.</div>")
        with gr.Column(scale=3, min_width=300):
            gr.HTML('<div class="eip-export-label">Export the dossier</div>')
            with gr.Row():
                export_btns = {fmt: gr.Button(label, size="sm", min_width=80,
                                              elem_id=f"eip-export-{fmt}")
                               for fmt, label in EXPORT_FORMATS.items()}
            export_file = gr.File(label="Download", visible=False, interactive=False,
                                  elem_id="eip-export-file", height=60)
    message = gr.HTML("")
    summary = gr.HTML(zone_summary(services, ""))
    with gr.Row(equal_height=False):
        with gr.Column(scale=11, min_width=560):
            picker = gr.Dropdown([], value=None, label="Open criterion",
                                 info="Or click a row of the tables below.",
                                 elem_id="eip-criterion-picker")
            tables, accordions = [], []
            for _category, label in categories(services):
                with gr.Accordion(label, open=True) as acc:
                    table = gr.Dataframe(value=_frame([]), headers=COLUMNS, datatype=DATATYPES,
                                         interactive=False, wrap=True, max_height=420,
                                         column_widths=["9%", "35%", "25%", "10%", "8%", "13%"],
                                         elem_classes=["eip-criteria", "eip-table"])
                tables.append(table)
                accordions.append(acc)
        with gr.Column(scale=9, min_width=400):
            detail = gr.HTML(NO_CRITERION, elem_id="eip-criterion-detail")
            gr.HTML('<div class="eip-section-title">Review</div>')
            with gr.Group():
                reviewer = gr.Textbox(label="Reviewer", placeholder="Your name",
                                      elem_id="eip-reviewer")
                comment = gr.Textbox(label="Comment", placeholder="Why (needed for edit and "
                                     "reject)", lines=1, elem_id="eip-review-comment")
            with gr.Accordion("Edit the status or justification", open=False):
                status = gr.Dropdown([(STATUS_LABELS[s], s) for s in STATUSES], value=None,
                                     label="Status")
                justification = gr.Textbox(label="Justification", lines=4, max_lines=10)
            with gr.Row():
                accept = gr.Button("✔ Accept", variant="primary", elem_id="eip-accept")
                edit = gr.Button("✎ Save edit", elem_id="eip-edit")
                reject = gr.Button("✖ Reject", variant="stop", elem_id="eip-reject")
            review_msg = gr.HTML("", elem_id="eip-review-msg")

    zone_outputs = [summary, *tables, *accordions, picker]
    detail_outputs = [detail, status, justification]
    zone.change(partial(load_zone, services), zone, zone_outputs).then(
        lambda: (NO_CRITERION, gr.update(value=None), gr.update(value=""), "", ""), None,
        [*detail_outputs, message, review_msg])

    def _draft(zone_id: str, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return draft_dossier(services, zone_id,
                             on_progress=lambda frac, desc: progress(frac, desc=desc))

    draft_btn.click(_draft, zone, message, concurrency_limit=2, concurrency_id="draft").then(
        partial(load_zone, services), zone, zone_outputs)
    picker.change(partial(criterion_detail, services), [zone, picker], detail_outputs)

    def _row(evt: gr.SelectData) -> Any:
        row = getattr(evt, "row_value", None)
        return gr.update(value=row[0]) if row else gr.update()

    for table in tables:
        table.select(_row, None, picker)

    def _review(action: str) -> Callable[..., tuple[Any, ...]]:
        def handler(zone_id: str, crit: str, who: str, st: str, just: str, why: str,
                    request: gr.Request) -> tuple[Any, ...]:
            user = getattr(request, "username", None) if request is not None else None
            msg = review_criterion(services, zone_id, crit, action, who, st, just, why,
                                   user=user)
            return (msg, *criterion_detail(services, zone_id, crit), *load_zone_keep(zone_id, crit))
        return handler

    def load_zone_keep(zone_id: str, crit: str) -> tuple[Any, ...]:
        *rest, picker_update = load_zone(services, zone_id)
        return (*rest, gr.update(choices=picker_update["choices"], value=crit))

    review_inputs = [zone, picker, reviewer, status, justification, comment]
    review_outputs = [review_msg, *detail_outputs, *zone_outputs]
    accept.click(_review("accept"), review_inputs, review_outputs, concurrency_id="review")
    edit.click(_review("edit"), review_inputs, review_outputs, concurrency_id="review")
    reject.click(_review("reject"), review_inputs, review_outputs, concurrency_id="review")

    def _export(fmt: str) -> Callable[[str], tuple[Any, str]]:
        def handler(zone_id: str) -> tuple[Any, str]:
            path = export_dossier(services, zone_id, fmt)
            if path is None:
                return gr.update(visible=False, value=None), notice(
                    "Draft the dossier first; there is nothing to export yet.", "warn")
            return gr.update(visible=True, value=str(path)), notice(
                f"{esc(EXPORT_FORMATS[fmt])} export ready: {esc(path.name)}", "ok")
        return handler

    for fmt, btn in export_btns.items():
        btn.click(_export(fmt), zone, [export_file, message])
    return {"zone": zone, "reviewer": reviewer}
