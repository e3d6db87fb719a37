"""Drafts one zone's dossier slowly, printing each saved cell, so a test can SIGKILL it.

Usage: python dossier_worker.py DATA_DIR CORPUS_DIR ZONE DELAY
Runs the real Drafter over an index embedded with the hashing embedder.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.dossier import Drafter
from assistant.dossier_runner import run_dossier
from assistant.reviews import ReviewStore
from assistant.service import build_assistant
from assistant.settings import Settings
from indexing import open_index
from indexing.embed import HashingEmbedder

if __name__ == "__main__":
    data, corpus, zone = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    delay = float(sys.argv[4])
    settings = Settings(data_dir=data, corpus_dir=corpus, embedding_model="hashing-bow",
                        min_evidence_score=0.05)
    assistant = build_assistant(settings, index=open_index(settings, embedder=HashingEmbedder()))
    store = ReviewStore.from_settings(settings)
    catalogue = assistant.catalogue
    assert catalogue is not None

    def progress(done: int, total: int) -> None:
        print(f"SAVED {done} {total}", flush=True)
        time.sleep(delay)

    run_dossier(Drafter(assistant), store, assistant.index.docs, zone, list(catalogue.criteria),
                on_progress=progress)
    print("DONE", flush=True)
