"""Offline path: discover -> parse -> chunk -> embed -> build (into :mod:`assistant.storage`).

Importing this package is cheap: its names load on first use (PEP 562), so the storage
modules, which use :mod:`indexing.khmer` and :mod:`indexing.embed`, can import those without
an import cycle through this package.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "IndexReport": "indexing.pipeline",
    "Progress": "indexing.pipeline",
    "build_index": "indexing.pipeline",
    # The index handle lives in assistant.storage; kept here for callers that build an index.
    "Index": "assistant.storage.index",
    "open_index": "assistant.storage.index",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'indexing' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
