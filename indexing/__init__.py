"""Offline path: files -> pages -> chunks -> embeddings -> vector store + keyword index.

Importing this package is cheap: the embedding model and chromadb load on first use.
"""

from indexing.discover import discover
from indexing.index import Index, open_index
from indexing.pipeline import IndexReport, Progress, build_index

__all__ = ["Index", "IndexReport", "Progress", "build_index", "discover", "open_index"]
