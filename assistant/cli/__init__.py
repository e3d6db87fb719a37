"""The ``eip`` command: parses flags, calls :mod:`assistant.ops`, prints, owns exit codes.

One module per command group; each registers on :data:`~assistant.cli.base.cli` when this
package imports it. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

from assistant.cli import ask, brief, dossier, evaluate, index, review, scorecard, serve
from assistant.cli.base import cli

__all__ = ["cli", "main"]
_COMMAND_MODULES = (ask, brief, dossier, evaluate, index, review, scorecard, serve)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="eip")
