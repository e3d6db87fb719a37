"""Fixtures of the web-app tests: a small real index of the sample corpus, built once.

The index covers the framework documents and two zones, embedded with the deterministic
hashing embedder into the in-memory store, so the suite needs no model and stays quick.
Each test gets its own review database and export folder.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus"
ZONES = ("prey-nob-coastal", "koh-kong-bay")
ZONE = "prey-nob-coastal"
QUESTION = "What share of industrial wastewater is treated at Prey Nob Coastal SEZ?"


@pytest.fixture(scope="session")
def ui_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ui-corpus")
    shutil.copytree(SAMPLE / "frameworks", root / "frameworks")
    for zone in ZONES:
        shutil.copytree(SAMPLE / "zones" / zone, root / "zones" / zone)
    for name in ("zones.yaml", "criteria.yaml"):
        shutil.copy(SAMPLE / name, root / name)
    # A file that cannot be read, so the library shows a failure with its reason.
    (root / "zones" / ZONE / "scanned-letter.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return root


@pytest.fixture(scope="session")
def ui_assistant(ui_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from assistant.service import build_assistant
    from assistant.settings import Settings
    from assistant.storage.vectors import InMemoryStore
    from indexing import build_index, open_index
    from indexing.embed import HashingEmbedder

    data = tmp_path_factory.mktemp("ui-data")
    with pytest.MonkeyPatch.context() as mp:  # no user config in a session-wide object
        mp.setenv("EIP_CONFIG", str(data / "no-such-eip.toml"))
        for key in [k for k in os.environ if k.startswith("EIP_")]:
            mp.delenv(key)
        # Hashing vectors give lower cosines than a sentence model; the bar is lowered.
        settings = Settings(data_dir=data, corpus_dir=ui_corpus, min_evidence_score=0.05)
    index = open_index(settings, embedder=HashingEmbedder(), store=InMemoryStore(),
                       must_exist=False)
    build_index(index, ui_corpus)
    assistant = build_assistant(settings, index=index)
    yield assistant
    assistant.close()


@pytest.fixture
def questions_file(tmp_path: Path) -> Path:
    rows = [line for line in (REPO / "evals" / "questions.jsonl").read_text().splitlines()
            if line.strip()]
    keep = [r for r in rows if json.loads(r)["id"] in ("fw-001", "za-023", "za-029")]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(keep) + "\n")
    return path


@pytest.fixture
def services(ui_assistant: Any, tmp_path: Path, questions_file: Path) -> Iterator[Any]:
    """Services over the shared index with a fresh review database per test."""
    from assistant.reviews import ReviewStore
    from assistant.ui.services import Services

    settings = ui_assistant.settings.model_copy(update={"data_dir": tmp_path / "data"})
    svc = Services(settings=settings, assistant_factory=lambda _s: ui_assistant,
                   review_store_factory=lambda s: ReviewStore(s.review_db),
                   questions_path=questions_file, export_dir=tmp_path / "exports")
    yield svc
    if svc._reviews is not None:
        svc._reviews.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve():
    """Start ``launch(services)`` on a free loopback port; stopped after the test."""
    from assistant.ui.app import launch

    started: list[Any] = []

    def start(svc: Any) -> str:
        port = free_port()
        demo, url = launch(svc, host="127.0.0.1", port=port, block=False, quiet=True,
                           warm_up=False)
        started.append(demo)
        return url.rstrip("/")

    yield start
    for demo in started:
        demo.close()



@pytest.fixture(scope="session")
def drafted_db(ui_assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A review database in which ZONE was drafted once with the real drafter."""
    from assistant.reviews import ReviewStore
    from assistant.ui.dossier import draft_dossier
    from assistant.ui.services import Services

    data = tmp_path_factory.mktemp("ui-drafted")
    settings = ui_assistant.settings.model_copy(update={"data_dir": data})
    svc = Services(settings=settings, assistant_factory=lambda _s: ui_assistant,
                   review_store_factory=lambda s: ReviewStore(s.review_db))
    message = draft_dossier(svc, ZONE)
    assert "Drafted" in message, message
    svc.reviews.close()
    return settings.review_db


@pytest.fixture
def drafted(services: Any, drafted_db: Path) -> Any:
    """``services`` whose review database already holds ZONE's drafted dossier."""
    target = services.settings.review_db
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(drafted_db, target)
    return services
