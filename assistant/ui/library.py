"""Library page: what is indexed (per zone and type, with failures) and uploads into a zone."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import EIPError
from assistant.ui.common import DOC_TYPE_LABELS, esc, notice, public
from assistant.ui.services import Services
from assistant.ui.uploads import ALLOWED_SUFFIXES, UploadError, save_upload

logger = logging.getLogger(__name__)

COLUMNS = ["Zone", "Type", "Document", "Pages", "Chunks", "Status", "Reason"]
DATATYPES = ["str", "str", "html", "number", "number", "str", "str"]
ALL = ""
FOLDERS = [("Zone document", "zone_document"), ("Consultant report", "consultant_report")]
ProgressFn = Callable[[float, str], None]


def library_rows(services: Services, zone: str | None = None,
                 status: str | None = None) -> list[list[Any]]:
    """One row per file in the index manifest; failed files carry their reason."""
    rows = []
    for rec in sorted(services.documents(),
                      key=lambda r: (r.zone or "", r.doc_type or "", r.source)):
        if zone and rec.zone != zone and not (zone == "framework" and rec.doc_type == "framework"):
            continue
        ok = rec.status == "indexed"
        if status == "failed" and ok:
            continue
        label = "✔ indexed" if ok else f"✖ {rec.status}" + (f" ({rec.kind})" if rec.kind else "")
        title = f"<b>{esc(rec.title)}</b><br>" if rec.title else ""
        rows.append([
            short_zone_name(services.zone_name(rec.zone)) if rec.zone else "—",
            DOC_TYPE_LABELS.get(rec.doc_type or "", rec.doc_type or ""),
            f'{title}<span class="eip-passage-file">{esc(rec.source)}</span>',
            None if rec.pages is None else rec.pages, rec.chunks, label,
            public(services, rec.reason or ""),
        ])
    return rows


def short_zone_name(name: str) -> str:
    """``"Bavet Gateway Special Economic Zone"`` -> ``"Bavet Gateway"`` for narrow tables."""
    for suffix in (" Special Economic Zone", " SEZ"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def library_summary(services: Services) -> str:
    files = services.documents()
    ok = [f for f in files if f.status == "indexed"]
    failed = [f for f in files if f.status != "indexed"]
    per_type = Counter(f.doc_type for f in ok)
    cards = [(len(ok), "documents indexed", False),
             (sum(f.chunks for f in ok), "passages (chunks)", False),
             (len({f.zone for f in ok if f.zone}), "zones with documents", False),
             (per_type.get("framework", 0), "framework documents", False),
             (per_type.get("consultant_report", 0), "consultant reports", False),
             (len(failed), "failed files", True)]
    html = "".join(
        f'<div class="eip-card"><div class="eip-card-value{" eip-bad" if bad and value else ""}">'
        f'{value}</div><div class="eip-card-label">{esc(label)}</div></div>'
        for value, label, bad in cards)
    last_run = services.index_info()["last_run"]
    when = f'<div class="eip-muted" style="margin-top:6px">Last index run: ' \
           f'{esc(last_run or "unknown")} · corpus ' \
           f"{esc(services.corpus_dir.name)}</div>"
    return f'<div class="eip-cards">{html}</div>{when}'


def filter_choices(services: Services) -> list[tuple[str, str]]:
    return [("All documents", ALL), ("Framework documents", "framework"),
            *services.zone_choices()]


def may_replace(services: Services, user: str | None) -> bool:
    """Whether ``user`` may overwrite corpus files: an admin (``EIP_ADMIN_USERS``); without
    a login only when no admins are configured (one person on their own machine)."""
    admins = services.admin_users
    if user:
        return user in admins
    return not admins


def upload_documents(services: Services, files: Sequence[Any] | None, zone: str | None,
                     folder: str = "zone_document", overwrite: bool = False,
                     on_progress: ProgressFn | None = None, user: str = "") -> str:
    """Save uploads into the zone (every check applied), record them, then index."""
    if not files:
        return notice("Choose one or more files to upload.", "warn")
    if not zone or services.zone(zone) is None:
        return notice("Pick the zone the documents belong to.", "warn")
    if overwrite and not may_replace(services, user):
        return notice("Replacing existing documents needs an admin (EIP_ADMIN_USERS). Untick "
                      "“Replace documents with the same name” to upload under a new name.",
                      "error")
    saved, refused = [], []
    for item in files:
        path = Path(getattr(item, "name", None) or str(item))
        original = getattr(item, "orig_name", None) or path.name
        try:
            saved.append(save_upload(services.corpus_dir, zone, path, original,
                                     report=folder == "consultant_report",
                                     max_bytes=services.max_upload_bytes, overwrite=overwrite))
        except UploadError as exc:
            refused.append(str(exc))
        except OSError as exc:  # no server path in the message
            refused.append(f"{original}: {exc.strerror or type(exc).__name__}")
    parts = []
    unrecorded = []
    for s in saved:
        try:
            services.reviews.activity.record_upload(s.rel_path, s.sha256, s.size, user,
                                           replaced=s.replaced, original_name=s.original)
        except EIPError as exc:
            logger.error("upload of %s by %r not recorded: %s", s.rel_path, user, exc)
            unrecorded.append(s.rel_path)
        else:
            logger.info("upload: %s %s by %r (sha256 %s)", "replaced" if s.replaced else "added",
                        s.rel_path, user, s.sha256)
    if unrecorded:
        parts.append(notice("Saved but not recorded in the upload log (the review database "
                            "failed): " + esc(", ".join(unrecorded)), "error"))
    if refused:
        parts.append(notice("Refused:<br>" + "<br>".join(esc(r) for r in refused), "error"))
    if not saved:
        return "".join(parts)

    def progress(event: Any) -> None:
        if on_progress is None:
            return
        if event.stage == "file" and event.total:
            on_progress(event.done / event.total, f"Indexing {event.source}")
        elif event.stage == "embed":
            on_progress(0.95, f"Embedding passages ({event.done} so far)")
        elif event.stage == "scan":
            on_progress(0.0, "Scanning the corpus")

    try:
        report = services.reindex(on_progress=progress)
    except (EIPError, RuntimeError) as exc:
        parts.append(notice(f"Saved {len(saved)} file(s) but indexing did not run: "
                            f"{esc(public(services, exc))}", "error"))
        return "".join(parts)
    names = ", ".join(esc(s.rel_path) for s in saved)
    failed = {f["source"]: f for f in report.failed}
    bad = [s for s in saved if s.rel_path in failed]
    parts.insert(0, notice(
        f"Saved {len(saved)} file(s): {names}. Indexed {len(report.indexed)} new or changed "
        f"file(s), {report.chunks_added} passages added; {report.chunks_total} in the index.",
        "ok" if not bad else "warn"))
    for s in bad:
        parts.append(notice(f"{esc(s.rel_path)} could not be read: "
                            f"{esc(public(services, failed[s.rel_path].get('reason', '')))}",
                            "error"))
    return "".join(parts)


def reindex_corpus(services: Services, on_progress: ProgressFn | None = None) -> str:
    """Pick up files added to (or removed from) the corpus folder by other means."""
    def progress(event: Any) -> None:
        if on_progress is not None and event.stage == "file" and event.total:
            on_progress(event.done / event.total, f"Indexing {event.source}")

    try:
        report = services.reindex(on_progress=progress)
    except (EIPError, RuntimeError) as exc:
        return notice(esc(public(services, exc)), "error")
    return notice(f"Index up to date: {len(report.indexed)} new or changed, "
                  f"{report.unchanged} unchanged, {len(report.removed)} removed, "
                  f"{len(report.failed)} failed.", "ok" if not report.failed else "warn")


UPLOAD_COLUMNS = ["When (UTC)", "User", "File", "SHA-256", "Action"]


def upload_rows(services: Services, limit: int = 200) -> list[list[Any]]:
    """The upload log, newest first: who added or replaced which file, with its hash."""
    try:
        entries = services.reviews.activity.uploads(limit)
    except EIPError as exc:
        logger.error("cannot read the upload log: %s", exc)
        return []
    return [[(e["at"] or "")[:19].replace("T", " "), e["user"] or "(no login)", e["file"],
             e["sha256"][:16], "replaced" if e["replaced"] else "added"] for e in entries]


def refresh(services: Services, zone: str | None = None, failed_only: bool = False
            ) -> tuple[str, Any, Any]:
    import pandas as pd

    rows = library_rows(services, zone or None, "failed" if failed_only else None)
    return (library_summary(services), pd.DataFrame(rows, columns=COLUMNS),
            pd.DataFrame(upload_rows(services), columns=UPLOAD_COLUMNS))


def build(services: Services) -> dict[str, Any]:
    summary = gr.HTML(library_summary(services))
    with gr.Row(equal_height=False):
        with gr.Column(scale=7, min_width=620):
            with gr.Row(equal_height=True):
                zone_filter = gr.Dropdown(filter_choices(services), value=ALL, label="Show",
                                          scale=3)
                failed_only = gr.Checkbox(label="Only failed files", value=False, scale=1)
                rescan = gr.Button("Re-scan corpus folder", size="sm", scale=1)
            _, frame, uploads_frame = refresh(services)
            table = gr.Dataframe(frame, headers=COLUMNS, datatype=DATATYPES, interactive=False,
                                 wrap=True,
                                 max_height=560, elem_id="eip-library-table",
                                 elem_classes=["eip-table"],
                                 column_widths=["14%", "12%", "38%", "7%", "7%", "10%", "12%"])
        with gr.Column(scale=3, min_width=320):
            gr.HTML('<div class="eip-section-title">Add documents to a zone</div>'
                    f'<div class="eip-muted">Accepted: {esc(", ".join(sorted(ALLOWED_SUFFIXES)))}'
                    f"; up to {services.max_upload_bytes // (1024 * 1024)} MB each. Files are "
                    "indexed right away; existing documents are not re-read.</div>")
            zone = gr.Dropdown(services.zone_choices(), value=None, label="Zone",
                               elem_id="eip-upload-zone")
            folder = gr.Radio(FOLDERS, value="zone_document", label="Document type")
            files = gr.File(label="Documents", file_count="multiple",
                            file_types=sorted(ALLOWED_SUFFIXES), type="filepath",
                            elem_id="eip-upload-files")
            overwrite = gr.Checkbox(label="Replace documents with the same name", value=False,
                                    info="Admins only (EIP_ADMIN_USERS); every upload is "
                                         "recorded with its user and SHA-256.")
            upload = gr.Button("Upload and index", variant="primary", elem_id="eip-upload")
            message = gr.HTML("")
    gr.HTML('<div class="eip-section-title">Upload log</div>')
    uploads_table = gr.Dataframe(uploads_frame, headers=UPLOAD_COLUMNS, interactive=False,
                                 wrap=True, max_height=300, elem_id="eip-upload-log",
                                 elem_classes=["eip-table"])

    def _upload(items: list[str] | None, zone_id: str, kind: str, replace: bool,
                request: gr.Request,
                progress: gr.Progress = gr.Progress()) -> tuple[str, None]:  # noqa: B008
        user = getattr(request, "username", None) or ""
        return upload_documents(services, items, zone_id, kind, replace,
                                on_progress=lambda f, d: progress(f, desc=d), user=user), None

    def _rescan(progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        return reindex_corpus(services, lambda f, d: progress(f, desc=d))

    view = partial(refresh, services)
    upload.click(_upload, [files, zone, folder, overwrite], [message, files],
                 concurrency_limit=1, concurrency_id="index").then(
        view, [zone_filter, failed_only], [summary, table, uploads_table])
    rescan.click(_rescan, None, message, concurrency_limit=1, concurrency_id="index").then(
        view, [zone_filter, failed_only], [summary, table, uploads_table])
    zone_filter.change(view, [zone_filter, failed_only], [summary, table, uploads_table], queue=False)
    failed_only.change(view, [zone_filter, failed_only], [summary, table, uploads_table], queue=False)
    return {"refresh": view, "outputs": [summary, table, uploads_table],
            "inputs": [zone_filter, failed_only]}
