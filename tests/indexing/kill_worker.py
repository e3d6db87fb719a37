"""Indexes a corpus slowly so a test can SIGKILL it mid-run (see test_pipeline.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.settings import Settings
from assistant.storage.vectors import ChromaStore
from indexing import build_index, open_index
from indexing.embed import HashingEmbedder


class SlowEmbedder(HashingEmbedder):
    def embed_documents(self, texts):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return super().embed_documents(texts)


if __name__ == "__main__":
    settings = Settings()
    index = open_index(settings, embedder=SlowEmbedder(), store=ChromaStore(settings), must_exist=False)
    build_index(index, Path(sys.argv[1]), batch_chunks=64)
