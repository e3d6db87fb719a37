"""``python -m assistant`` runs the ``eip`` command."""

from assistant.cli import main

main()
