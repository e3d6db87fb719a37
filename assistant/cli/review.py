"""``eip review``: accept, edit or reject drafted cells; list them; show a cell's history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from assistant import ops
from assistant.catalogue import normalise_id
from assistant.cli.base import Ctx, cli, fail, open_store, pass_ctx, shorten
from assistant.errors import EIPError
from assistant.vocabulary import ACTIONS, STATUSES

if TYPE_CHECKING:  # SQLAlchemy loads only when a review command runs
    from assistant.reviews import StoredCell


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
    obj: Ctx = ctx.obj
    store = open_store(obj)
    try:
        event = ops.review(store, zone, criterion, reviewer=reviewer, comment=note, action=action,
                           status=status, justification=justification)
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        store.close()
    click.echo(f"Recorded {event.action} #{event.id} on {event.zone}/{event.criterion} by {event.reviewer}: "
               f"status {event.status}.")


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
def review_list_cmd(obj: Ctx, zone: str | None, stale_only: bool, unreviewed: bool,
                    as_json: bool) -> None:
    """List drafted cells with their drafted and reviewed status."""
    store = open_store(obj)
    try:
        cells = store.drafts(zone.strip().lower() if zone else None)
    except EIPError as exc:
        raise fail(exc) from exc
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
def review_history_cmd(obj: Ctx, zone: str, criterion: str, as_json: bool) -> None:
    """Show every review of one cell, oldest first."""
    zone = zone.strip().lower()
    criterion = normalise_id(criterion) or criterion.strip()
    store = open_store(obj)
    try:
        events = store.history(zone, criterion)
        cell = store.cell(zone, criterion)
    except EIPError as exc:
        raise fail(exc) from exc
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
        extra = f" justification: \"{shorten(e.justification, 80)}\"" if e.justification else ""
        click.echo(f"  #{e.id} {e.at} {e.action:<6} -> {e.status:<22} by {e.reviewer}"
                   f"{': ' + e.comment if e.comment else ''}{extra}")
