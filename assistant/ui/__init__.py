"""The web app (Gradio). ``import assistant`` never loads gradio; ``assistant.ui.app`` does.

``build_app(services)`` returns the Blocks; ``launch(services)`` serves it (``eip serve``).
The names below load lazily so that ``assistant.ui.auth`` and ``assistant.ui.uploads`` stay
cheap to import (``eip serve --hash-password`` needs no web framework).
"""

from __future__ import annotations

import os
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported

__all__ = ["Services", "build_app", "build_services", "launch"]


def __getattr__(name: str) -> Any:
    if name in ("build_app", "launch"):
        from assistant.ui import app

        return getattr(app, name)
    if name in ("Services", "build_services"):
        from assistant.ui import services

        return getattr(services, name)
    raise AttributeError(f"module 'assistant.ui' has no attribute {name!r}")
