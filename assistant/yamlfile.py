"""YAML parsing for the catalogue, the zone registry and the sidecar files."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's C parser where PyYAML was built with it: the same documents, ~5x faster than the
# pure-Python one (the catalogue is parsed by every `eip ask`, a sidecar by every indexed file).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` of ``text``; raises :class:`yaml.YAMLError` on invalid YAML."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
