"""``python -m assistant.cli``: the ``eip`` command."""

from assistant.cli import main

main()
