"""``eip index``, ``eip status`` and ``eip sources``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from assistant import ops
from assistant.cli.base import Ctx, cli, fail, pass_ctx
from assistant.errors import EIPError


@cli.command("index")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Corpus root (env EIP_CORPUS_DIR, default corpus/).",
)
@click.option("--rebuild", is_flag=True, help="Drop the index and build it from scratch.")
@click.option("--strict", is_flag=True, help="Exit 1 if any file could not be indexed.")
@pass_ctx
def index_cmd(obj: Ctx, corpus_dir: Path | None, rebuild: bool, strict: bool) -> None:
    """Index the corpus: new and changed files are added, deleted files removed."""
    settings = obj.settings(corpus_dir=corpus_dir)
    bar = ProgressBar()
    try:
        report = ops.index_corpus(settings, rebuild=rebuild, on_progress=bar)
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        bar.close()
    click.echo(
        f"Indexed {len(report.indexed)} file(s), {report.unchanged} unchanged, "
        f"{len(report.failed)} failed, {len(report.removed)} removed; "
        f"{report.chunks_added} chunks added, {report.chunks_total} in the index "
        f"({report.seconds:.1f} s)."
    )
    for failure in report.failed:
        click.echo(f"  FAILED {failure['source']} [{failure['kind']}]: {failure['reason']}", err=True)
    if report.ocr_pages or report.ocr_rejected:
        click.echo(f"  OCR: {report.ocr_pages} scanned page(s) indexed, {len(report.ocr_rejected)} "
                   "below the confidence floor (not indexed)")
    for low in report.ocr_rejected:
        click.echo(f"  LOW OCR {low['source']} page {low['page']}: mean confidence "
                   f"{low['confidence']:.0f}% (EIP_OCR_MIN_CONFIDENCE)", err=True)
    if report.orphans_removed:
        click.echo(f"  repaired an interrupted run: {report.orphans_removed} orphan vectors removed")
    if strict and report.failed:
        sys.exit(1)


class ProgressBar:
    """Adapts pipeline progress events to a click progress bar on stderr."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __call__(self, event: Any) -> None:
        if event.stage == "file":
            if self._bar is None and event.total > 0:
                self._bar = click.progressbar(
                    length=event.total,
                    label="Indexing",
                    file=sys.stderr,
                    show_pos=True,
                    item_show_func=lambda s: s or "",
                )
                self._bar.__enter__()
            if self._bar is not None:
                self._bar.update(event.done - self._done, event.source)
                self._done = event.done
        elif event.stage == "embed" and self._bar is not None:
            self._bar.label = f"Indexing ({event.done} chunks embedded)"
        elif event.stage == "done" and self._bar is not None:
            self._bar.update(event.total - self._done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _open_docs(obj: Ctx) -> Any:
    try:
        return ops.open_docs(obj.settings())
    except EIPError as exc:
        raise fail(exc) from exc


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def status_cmd(obj: Ctx, as_json: bool) -> None:
    """Show what is indexed: documents, chunks, zones, types, model, last run, failures."""
    docs = _open_docs(obj)
    try:
        info = ops.index_info(docs, obj.settings())
    finally:
        docs.close()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Index:      {info['data_dir']} (corpus {info['corpus']})")
    click.echo(f"Documents:  {info['documents']} indexed, {info['failed']} failed; {info['chunks']} chunks")
    click.echo(
        f"Zones:      {len(info['zones'])} " + ", ".join(f"{z} ({n})" for z, n in info["zones"].items())
    )
    click.echo("Doc types:  " + ", ".join(f"{t} ({n})" for t, n in info["doc_types"].items()))
    click.echo(
        f"Model:      {info['embedding_model']} (dim {info['dimension']}), "
        f"chunks {info['chunk_size']}/{info['chunk_overlap']} chars"
    )
    click.echo(f"Last run:   {info['last_run']}")
    click.echo(f"OCR:        {info['ocr_pages']} scanned page(s) read by OCR in {info['ocr_documents']} "
               f"document(s); {len(info['ocr_rejected'])} below the confidence floor, not indexed")
    for r in info["ocr_rejected"]:
        click.echo(f"  LOW OCR {r['source']} page {r['page']}: mean confidence {r['confidence']:.0f}%")
    for f in info["failures"]:
        click.echo(f"  FAILED {f['source']} [{f['kind']}]: {f['reason']}")


@cli.command("sources")
@click.option("--zone", help="Only documents of this zone id.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def sources_cmd(obj: Ctx, zone: str | None, as_json: bool) -> None:
    """List indexed documents with type, zone, pages, chunks and status."""
    docs = _open_docs(obj)
    try:
        rows = ops.documents(docs, zone)
    finally:
        docs.close()
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    if not rows:
        click.echo(f"No documents{' for zone ' + zone if zone else ''}.")
        return
    for r in rows:
        pages = "-" if r.pages is None else str(r.pages)
        status = r.status if r.status == "indexed" else f"{r.status}: {r.kind}"
        click.echo(
            f"{r.source:<62} {r.doc_type or '':<18} {r.zone or '-':<18} "
            f"pages {pages:>3}  chunks {r.chunks:>4}  {status}"
        )
