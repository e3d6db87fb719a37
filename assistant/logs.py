"""Logging set-up for entry points (CLI, web app, eval runner); libraries only log."""

from __future__ import annotations

import logging
import os

_NOISY = ("httpx", "httpcore", "chromadb", "sentence_transformers", "urllib3", "gradio", "openai")


def quiet_third_parties() -> None:
    """Turn off telemetry and analytics before any of those libraries import."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def configure_logging(verbosity: int = 0) -> None:
    """``0``: warnings; ``1`` (-v): info from this project; ``2`` (-vv): debug everywhere."""
    quiet_third_parties()
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
