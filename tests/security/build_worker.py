"""Builds an index in its own process (embedded Chroma) for the lock tests."""

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
        time.sleep(0.2)
        return super().embed_documents(texts)


if __name__ == "__main__":
    settings = Settings()
    index = open_index(settings, embedder=SlowEmbedder(), store=ChromaStore(settings),
                       must_exist=False)
    report = build_index(index, Path(sys.argv[1]), batch_chunks=16)
    print(f"built {len(report.indexed)} files")
