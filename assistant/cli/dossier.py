"""``eip draft``: the evidence dossier of one zone."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant import ops
from assistant.cli.base import Ctx, build, cli, emit, fail, open_store, pass_ctx
from assistant.errors import EIPError
from assistant.vocabulary import DOSSIER_FORMATS

if TYPE_CHECKING:  # SQLAlchemy loads only when the command runs
    from assistant.reviews import ReviewStore


@cli.command("draft")
@click.option("--zone", help="Zone id from zones.yaml, e.g. mekong-riverside.")
@click.option("--all", "all_zones", is_flag=True,
              help="Draft every zone of zones.yaml (new and changed cells only), no export.")
@click.option("--criteria", "criteria_ids",
              help="Comma-separated criterion ids, e.g. PRE-1,ENV-12 (default: whole catalogue).")
@click.option("--format", "fmt", type=click.Choice(DOSSIER_FORMATS), default="md",
              show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (md/json default to stdout; docx/xlsx to ZONE-dossier.EXT).")
@pass_ctx
def draft_cmd(obj: Ctx, zone: str | None, all_zones: bool, criteria_ids: str | None, fmt: str,
              out: Path | None) -> None:
    """Draft (or update) the evidence dossier of one zone and export it, or of every zone.

    Only new cells and cells whose evidence files changed are drafted; the rest come from the
    review database. Reviewed cells are never replaced: a changed one is marked stale and its
    redraft waits for the reviewer.

    \b
    Examples:
      eip draft --zone mekong-riverside
      eip draft --zone koh-kong-bay --criteria PRE-1,ENV-12 --format json
      eip draft --zone prey-nob-coastal --format docx --out reports/prey-nob.docx
      eip draft --all                       # every zone, one model load; then `eip scorecard`
    """
    if all_zones:
        if zone or criteria_ids or out:
            raise click.UsageError("--all drafts every zone and criterion; it takes no --zone, "
                                   "--criteria or --out (export one zone with --zone).")
        draft_all(obj)
        return
    if not zone:
        raise click.UsageError("give --zone ID (one zone) or --all (every zone).")
    from assistant.export import write_dossier

    assistant = build(obj)
    store: ReviewStore | None = None
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=f"Drafting {zone}", file=sys.stderr,
                                    show_pos=True)
            bar.__enter__()
        bar.update(1)

    try:
        catalogue = assistant.catalogue
        if catalogue is None:
            raise click.ClickException("no criteria catalogue found (corpus/criteria.yaml).")
        criteria = ops.parse_criteria(catalogue, criteria_ids)
        zone_rec = ops.check_zone(assistant.registry, zone)
        store = open_store(obj)
        try:
            result = ops.draft_zone(assistant, store, zone, criteria, on_progress=progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        zone = result.dossier.zone
        click.echo(f"{zone}: {result.drafted} of {result.requested} criteria drafted, "
                   f"{result.requested - result.drafted} kept; {result.stale} stale "
                   f"(see `eip review list --zone {zone} --stale`).", err=True)
        emit(write_dossier(result.dossier, fmt, out, result.cells, zone=zone_rec))
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        if store is not None:
            store.close()
        assistant.close()


def draft_all(obj: Ctx) -> None:
    """``eip draft --all``: every zone in one process, with one progress bar over all cells."""
    assistant = build(obj)
    store: ReviewStore | None = None
    bar: Any = None

    def progress(p: ops.DraftProgress) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=p.total, label="Drafting all zones", file=sys.stderr,
                                    show_pos=True, item_show_func=lambda z: z)
            bar.__enter__()
        bar.update(p.done - bar.pos, p.zone)

    try:
        store = open_store(obj)
        try:
            result = ops.draft_all(assistant, store, on_progress=progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        if store is not None:
            store.close()
        assistant.close()
    for r in result.zones:
        click.echo(f"{r.dossier.zone}: {r.drafted} of {r.requested} drafted, "
                   f"{r.requested - r.drafted} kept, {r.stale} stale", err=True)
    click.echo(f"{len(result.zones)} zones: {result.drafted} cells drafted, "
               f"{result.requested - result.drafted} unchanged and kept, {result.stale} stale "
               f"({result.seconds:.1f} s). Next: `eip scorecard` or `eip brief`.", err=True)
