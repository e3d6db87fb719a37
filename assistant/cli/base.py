"""What every ``eip`` command shares: the group, its context, and turning errors into exits.

Command modules import this one (never the package), and the package imports them: no cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant.errors import EIPError
from assistant.logs import configure_logging
from assistant.settings import Settings, load_settings

if TYPE_CHECKING:  # SQLAlchemy and the index load only when a command needs them
    from assistant.reviews import ReviewStore
    from assistant.service import Assistant


class Ctx:
    """Global flags and the settings they make, loaded once per invocation."""

    def __init__(self, overrides: dict[str, Any], verbose: int) -> None:
        self.overrides = overrides
        self.verbose = verbose
        self._settings: Settings | None = None

    def settings(self, **more: Any) -> Settings:
        if self._settings is None or more:
            try:
                self._settings = load_settings(**{**self.overrides, **more})
            except ValueError as exc:
                raise click.UsageError(f"invalid settings: {exc}") from exc
        return self._settings


pass_ctx = click.make_pass_decorator(Ctx)


def fail(exc: EIPError) -> click.ClickException:
    """The click error that prints ``exc``'s message and exits 1."""
    from assistant.ops import UnknownNameError

    if isinstance(exc, UnknownNameError):
        return click.UsageError(str(exc))
    return click.ClickException(str(exc))


def build(obj: Ctx, **more: Any) -> Assistant:
    """The assistant over the configured index (a missing or mismatched index exits 1)."""
    from assistant.service import build_assistant

    try:
        return build_assistant(obj.settings(**more))
    except EIPError as exc:
        raise fail(exc) from exc


def open_store(obj: Ctx) -> ReviewStore:
    """The review database of the configured settings."""
    from assistant.reviews import ReviewStore

    try:
        return ReviewStore.from_settings(obj.settings())
    except EIPError as exc:
        raise fail(exc) from exc


def emit(result: str | Path) -> None:
    """Print text output, or say which file was written."""
    if isinstance(result, Path):
        click.echo(f"Wrote {result}", err=True)
    else:
        click.echo(result, nl=not result.endswith("\n"))


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the index and databases live (env EIP_DATA_DIR, default .eip/).",
)
@click.option("-v", "--verbose", count=True, help="-v for progress details, -vv for debug logs.")
@click.version_option(package_name="eip-assistant")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, verbose: int) -> None:
    """EIP Assistant: grounded answers and evidence dossiers for eco-industrial park assessments.

    \b
    Typical session:
      eip index                      # index corpus/ (incremental)
      eip status                     # what is indexed
      eip ask "Which zones treat all of their industrial wastewater?"
    """
    configure_logging(verbose)
    ctx.obj = Ctx({"data_dir": data_dir}, verbose)
