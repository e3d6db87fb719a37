"""``eip brief``: the pilot-selection brief from the review store."""

from __future__ import annotations

from pathlib import Path

import click

from assistant import ops
from assistant.cli.base import Ctx, cli, emit, fail, open_store, pass_ctx
from assistant.errors import EIPError
from assistant.vocabulary import BRIEF_FORMATS


@cli.command("brief")
@click.option("--format", "fmt", type=click.Choice(BRIEF_FORMATS), default="md",
              show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (md defaults to stdout, docx to brief.docx).")
@pass_ctx
def brief_cmd(obj: Ctx, fmt: str, out: Path | None) -> None:
    """The pilot-selection brief: ranking, heatmap, per-zone strengths, blocking prerequisites,
    top gaps and contradictions, and a recommendation with its caveats; every statement cites
    its evidence. Reviewed statuses win over drafted ones.

    \b
    Examples:
      eip draft --all && eip brief --format docx --out brief.docx
      eip brief --format md --out brief.md      # the heatmap is written beside it
    """
    from assistant.export.brief import write_brief

    settings = obj.settings()
    store = open_store(obj)
    try:
        registry, catalogue = ops.index_catalogue(settings)
        content = ops.brief(store, catalogue, registry, settings.category_weights)
        missing = ops.undrafted_zones(store, registry)
    except EIPError as exc:
        raise fail(exc) from exc
    finally:
        store.close()
    if content is None:
        raise click.ClickException("no drafted cells yet; run `eip draft --all` first.")
    if missing:
        click.echo(f"Note: not drafted yet (left out): {', '.join(missing)}", err=True)
    try:
        emit(write_brief(content, fmt, out))
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc}") from exc
