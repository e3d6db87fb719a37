"""Error types. Each says what failed, where, and what to do about it."""

from __future__ import annotations


class EIPError(Exception):
    """Base class for every error the assistant raises on purpose."""


class ConfigError(EIPError):
    """Settings or a configuration file are invalid."""


class ParseError(EIPError):
    """A document could not be read. ``kind`` is a short machine-readable reason."""

    def __init__(self, message: str, *, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


class IndexMissingError(EIPError):
    """No index exists yet in the data directory."""


class IndexMismatchError(EIPError):
    """The index on disk was built with different settings than the current ones."""


class CatalogueError(EIPError):
    """A criteria catalogue or zone registry is malformed."""


class ModelUnavailableError(EIPError):
    """An embedding or language model could not be loaded or reached."""


class StoreUnavailableError(EIPError):
    """The vector store (embedded or server) could not be opened or reached."""


class StorageError(EIPError):
    """The data directory cannot take a write: read-only, full, or failing."""
