"""``eip draft``, ``eip review`` and ``eip scorecard`` (registered on the main ``cli`` group).

Imported at the bottom of :mod:`assistant.cli`; heavy modules are imported inside commands.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant.catalogue import normalise_id
from assistant.cli import _build, _Ctx, _fail, _shorten, cli, pass_ctx
from assistant.errors import EIPError
from assistant.types import STATUSES

if TYPE_CHECKING:  # SQLAlchemy loads only when a review command runs
    from assistant.reviews import ReviewStore, StoredCell

# Same values as assistant.reviews.ACTIONS and assistant.export.*_FORMATS (a test checks).
ACTIONS = ("accept", "edit", "reject")
DOSSIER_FORMATS = ("md", "docx", "xlsx", "json")
SCORECARD_FORMATS = ("md", "xlsx", "png", "json")


def _store(obj: _Ctx) -> ReviewStore:
    from assistant.reviews import ReviewStore

    try:
        return ReviewStore.from_settings(obj.settings())
    except EIPError as exc:
        raise _fail(exc) from exc


def _emit(result: str | Path, fmt: str) -> None:
    if isinstance(result, Path):
        click.echo(f"Wrote {result}", err=True)
    else:
        click.echo(result, nl=not result.endswith("\n"))


# ----------------------------------------------------------------------------- eip draft
@cli.command("draft")
@click.option("--zone", required=True, help="Zone id from zones.yaml, e.g. mekong-riverside.")
@click.option("--criteria", "criteria_ids",
              help="Comma-separated criterion ids, e.g. PRE-1,ENV-12 (default: whole catalogue).")
@click.option("--format", "fmt", type=click.Choice(DOSSIER_FORMATS), default="md",
              show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (md/json default to stdout; docx/xlsx to ZONE-dossier.EXT).")
@pass_ctx
def draft_cmd(obj: _Ctx, zone: str, criteria_ids: str | None, fmt: str, out: Path | None) -> None:
    """Draft (or update) the evidence dossier of one zone and export it.

    Only new cells and cells whose evidence files changed are drafted; the rest come from the
    review database. Reviewed cells are never replaced: a changed one is marked stale and its
    redraft waits for the reviewer.

    \b
    Examples:
      eip draft --zone mekong-riverside
      eip draft --zone koh-kong-bay --criteria PRE-1,ENV-12 --format json
      eip draft --zone prey-nob-coastal --format docx --out reports/prey-nob.docx
    """
    from assistant.dossier import Drafter
    from assistant.dossier_runner import run_dossier
    from assistant.export import write_dossier

    assistant = _build(obj)
    store: ReviewStore | None = None
    try:
        zone_rec = _check_zone(assistant.registry, zone)
        zone = zone_rec.id if zone_rec is not None else zone.strip().lower()
        catalogue = assistant.catalogue
        if catalogue is None:
            raise click.ClickException("no criteria catalogue found (corpus/criteria.yaml).")
        criteria = _parse_criteria(catalogue, criteria_ids)
        store = _store(obj)
        drafter = Drafter(assistant)
        bar: Any = None
        counted = {"total": 0}

        def progress(done: int, total: int) -> None:
            nonlocal bar
            counted["total"] = total
            if bar is None:
                bar = click.progressbar(length=total, label=f"Drafting {zone}", file=sys.stderr,
                                        show_pos=True)
                bar.__enter__()
            bar.update(1)

        try:
            dossier = run_dossier(drafter, store, assistant.index.docs, zone, criteria,
                                  on_progress=progress,
                                  zone_name=zone_rec.name if zone_rec else None,
                                  framework=catalogue.framework.title)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        cells = {c.criterion_id: c for c in store.drafts(zone)}
        stale = sum(1 for d in dossier.drafts if cells[d.criterion_id].stale)
        click.echo(f"{zone}: {counted['total']} of {len(criteria)} criteria drafted, "
                   f"{len(criteria) - counted['total']} kept; {stale} stale "
                   f"(see `eip review list --zone {zone} --stale`).", err=True)
        _emit(write_dossier(dossier, fmt, out, cells, zone=zone_rec), fmt)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        if store is not None:
            store.close()
        assistant.close()


def _check_zone(registry: Any, zone: str) -> Any:
    if registry is None:
        return None
    found = registry.get(zone)
    if found is None:
        known = ", ".join(z.id for z in registry)
        raise click.UsageError(f"unknown zone {zone!r}; known zones: {known}")
    return found


def _parse_criteria(catalogue: Any, raw: str | None) -> list[Any]:
    if not raw:
        return list(catalogue.criteria)
    wanted, unknown = [], []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        crit = catalogue.get(part)
        if crit is None:
            unknown.append(part)
        elif crit not in wanted:
            wanted.append(crit)
    if unknown:
        raise click.UsageError(f"unknown criterion id(s): {', '.join(unknown)} "
                               f"(ids look like PRE-1, PM-2, ENV-12, SOC-4, ECO-5)")
    return wanted


# ----------------------------------------------------------------------------- eip review
@cli.group("review", invoke_without_command=True)
@click.option("--zone", help="Zone id.")
@click.option("--criterion", help="Criterion id, e.g. ENV-12.")
@click.option("--status", type=click.Choice(STATUSES), help="Status the reviewer sets.")
@click.option("--action", type=click.Choice(ACTIONS),
              help="accept, edit or reject (default: edit when --status/--justification "
                   "changes the cell, else accept).")
@click.option("--note", default="", help="Reviewer's comment (required for edit and reject).")
@click.option("--reviewer", help="Reviewer's name (required).")
@click.option("--justification", help="Replacement justification text (an edit).")
@click.pass_context
def review_cmd(ctx: click.Context, zone: str | None, criterion: str | None, status: str | None,
               action: str | None, note: str, reviewer: str | None,
               justification: str | None) -> None:
    """Accept, edit or reject a drafted cell; every decision is kept with time and reviewer.

    \b
    Examples:
      eip review --zone koh-kong-bay --criterion ENV-12 --reviewer "A. Sok" --note "checked p. 4"
      eip review --zone koh-kong-bay --criterion SOC-4 --status does_not_meet \\
                 --note "no zone-wide mechanism" --reviewer "A. Sok"
      eip review --zone koh-kong-bay --criterion ECO-5 --action reject \\
                 --note "wrong page" --reviewer "A. Sok"
      eip review list --zone koh-kong-bay [--stale]
      eip review history --zone koh-kong-bay --criterion ENV-12
    """
    if ctx.invoked_subcommand is not None:
        if any(v for v in (zone, criterion, status, action, note, reviewer, justification)):
            raise click.UsageError(f"give options after the subcommand: "
                                   f"eip review {ctx.invoked_subcommand} --zone ...")
        return
    missing = [f"--{n}" for n, v in (("zone", zone), ("criterion", criterion),
                                     ("reviewer", reviewer)) if not v]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or use `eip review list` / "
                               "`eip review history`)")
    obj: _Ctx = ctx.obj
    zone = zone.strip().lower()
    criterion = normalise_id(criterion) or criterion.strip()
    store = _store(obj)
    try:
        if action is None:
            action = _infer_action(store.cell(zone, criterion), status, justification)
        if action != "edit":
            # accept/reject take no new values; a --status equal to the shown one is allowed.
            status = justification = None
        event = store.review(zone, criterion, action=action, reviewer=reviewer, comment=note,
                             status=status, justification=justification)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    click.echo(f"Recorded {event.action} #{event.id} on {zone}/{criterion} by {event.reviewer}: "
               f"status {event.status}.")


def _infer_action(cell: StoredCell | None, status: str | None, justification: str | None) -> str:
    if justification:
        return "edit"
    if status is None or cell is None:
        return "accept" if status is None else "edit"
    target = cell.pending.status if cell.pending is not None else cell.effective_status
    return "accept" if status == target else "edit"


def _cell_row(c: StoredCell) -> dict[str, Any]:
    r = c.review
    return {
        "zone": c.zone, "criterion": c.criterion_id, "drafted_status": c.draft.status,
        "status": c.effective_status, "confidence": c.draft.confidence,
        "review": r.action if r else None, "reviewer": r.reviewer if r else None,
        "reviewed_at": r.at if r else None, "stale": c.stale,
        "pending_status": c.pending.status if c.pending is not None else None,
        "drafted_at": c.drafted_at,
    }


@review_cmd.command("list")
@click.option("--zone", help="Only this zone.")
@click.option("--stale", "stale_only", is_flag=True, help="Only cells whose documents changed.")
@click.option("--unreviewed", is_flag=True, help="Only cells nobody has reviewed.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def review_list_cmd(obj: _Ctx, zone: str | None, stale_only: bool, unreviewed: bool,
                    as_json: bool) -> None:
    """List drafted cells with their drafted and reviewed status."""
    store = _store(obj)
    try:
        cells = store.drafts(zone.strip().lower() if zone else None)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    cells = [c for c in cells if (not stale_only or c.stale) and (not unreviewed or not c.reviewed)]
    rows = [_cell_row(c) for c in cells]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No drafted cells" + (f" for zone {zone}" if zone else "") +
                   ". Draft some with `eip draft --zone ID`.")
        return
    for r in rows:
        review = "unreviewed"
        if r["review"]:
            review = f"{r['review']} by {r['reviewer']} {r['reviewed_at'][:10]}"
        flag = ""
        if r["stale"]:
            flag = "  STALE" + (f" (redraft: {r['pending_status']})" if r["pending_status"] else "")
        click.echo(f"{r['zone']:<18} {r['criterion']:<7} drafted {r['drafted_status']:<22} "
                   f"now {r['status']:<22} {review}{flag}")


@review_cmd.command("history")
@click.option("--zone", required=True, help="Zone id.")
@click.option("--criterion", required=True, help="Criterion id.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def review_history_cmd(obj: _Ctx, zone: str, criterion: str, as_json: bool) -> None:
    """Show every review of one cell, oldest first."""
    zone = zone.strip().lower()
    criterion = normalise_id(criterion) or criterion.strip()
    store = _store(obj)
    try:
        events = store.history(zone, criterion)
        cell = store.cell(zone, criterion)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([e.as_dict() for e in events], indent=2, ensure_ascii=False))
        return
    if cell is None:
        raise click.ClickException(f"no draft for {zone}/{criterion}; "
                                   f"run `eip draft --zone {zone}` first")
    click.echo(f"{zone}/{criterion}: drafted {cell.draft.status} at {cell.drafted_at}; "
               f"now {cell.effective_status}{' (STALE)' if cell.stale else ''}")
    if not events:
        click.echo("  no reviews yet")
    for e in events:
        extra = f" justification: \"{_shorten(e.justification, 80)}\"" if e.justification else ""
        click.echo(f"  #{e.id} {e.at} {e.action:<6} -> {e.status:<22} by {e.reviewer}"
                   f"{': ' + e.comment if e.comment else ''}{extra}")


# ----------------------------------------------------------------------------- eip scorecard
@cli.command("scorecard")
@click.option("--format", "fmt", type=click.Choice(SCORECARD_FORMATS), default="md",
              show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (md/json default to stdout; xlsx/png to scorecard.EXT).")
@click.option("--zones", "zone_ids", help="Comma-separated zone ids (default: every drafted zone).")
@pass_ctx
def scorecard_cmd(obj: _Ctx, fmt: str, out: Path | None, zone_ids: str | None) -> None:
    """Zones x criteria scorecard from the drafted and reviewed cells, with a ranking.

    Reviewed statuses win over drafted ones. Readiness weights come from
    EIP_CATEGORY_WEIGHTS / eip.toml `category_weights`; prerequisites not met block a zone.

    \b
    Examples:
      eip scorecard
      eip scorecard --format png --out scorecard.png
      eip scorecard --format xlsx --out scorecard.xlsx
    """
    from assistant.export import write_scorecard
    from assistant.scorecard import build_scorecard
    from assistant.service import load_registry_and_catalogue

    settings = obj.settings()
    store = _store(obj)
    try:
        cells = store.drafts()
        registry, catalogue = load_registry_and_catalogue(settings.corpus_dir)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    by_zone: dict[str, list[StoredCell]] = defaultdict(list)
    for c in cells:
        by_zone[c.zone].append(c)
    if zone_ids:
        wanted = [z.strip().lower() for z in zone_ids.split(",") if z.strip()]
        if unknown := [z for z in wanted if z not in by_zone]:
            raise click.UsageError(f"no drafted cells for zone(s) {', '.join(unknown)}; "
                                   f"drafted: {', '.join(sorted(by_zone)) or 'none'}")
        by_zone = defaultdict(list, {z: by_zone[z] for z in wanted})
    if not by_zone:
        raise click.ClickException("no drafted cells yet; run `eip draft --zone ID` first.")
    if registry is not None and not zone_ids:
        if missing := [z.id for z in registry if z.id not in by_zone]:
            click.echo(f"Note: not drafted yet: {', '.join(missing)}", err=True)
    card = build_scorecard(by_zone, catalogue, registry, settings.category_weights)
    try:
        _emit(write_scorecard(card, fmt, out), fmt)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc}") from exc
