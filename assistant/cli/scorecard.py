"""``eip scorecard``: zones x criteria from the review store, with a ranking."""

from __future__ import annotations

from pathlib import Path

import click

from assistant import ops
from assistant.cli.base import Ctx, cli, emit, fail, open_store, pass_ctx
from assistant.errors import EIPError
from assistant.vocabulary import SCORECARD_FORMATS


@cli.command("scorecard")
@click.option("--format", "fmt", type=click.Choice(SCORECARD_FORMATS), default="md",
              show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (md/json default to stdout; xlsx/png to scorecard.EXT).")
@click.option("--zones", "zone_ids", help="Comma-separated zone ids (default: every drafted zone).")
@pass_ctx
def scorecard_cmd(obj: Ctx, fmt: str, out: Path | None, zone_ids: str | None) -> None:
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

    settings = obj.settings()
    store = open_store(obj)
    try:
        registry, catalogue = ops.index_catalogue(settings)
        zones = zone_ids.split(",") if zone_ids else None
        card = ops.scorecard(store, catalogue, registry, settings.category_weights, zones)
        missing = ops.undrafted_zones(store, registry) if card is not None and not zone_ids else []
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        store.close()
    if card is None:
        raise click.ClickException("no drafted cells yet; run `eip draft --zone ID` first.")
    if missing:
        click.echo(f"Note: not drafted yet: {', '.join(missing)}", err=True)
    try:
        emit(write_scorecard(card, fmt, out))
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc}") from exc
