"""Shared fixtures. Tests are offline: any connection outside loopback fails loudly."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PDF_ZOO = SHARED / "pdf-zoo"
SAMPLE_CORPUS = REPO / "corpus"


def pytest_report_header(config: pytest.Config) -> list[str]:
    import importlib.metadata as md

    versions = []
    for name in ("chromadb", "sentence-transformers", "torch", "gradio", "pypdf", "langchain-core"):
        try:
            versions.append(f"{name}=={md.version(name)}")
        except md.PackageNotFoundError:
            versions.append(f"{name}: not installed")
    return ["eip-assistant deps: " + ", ".join(versions)]


_real_connect = socket.socket.connect


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # unix sockets


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user config or EIP_* variable leaks into a test."""
    for key in list(os.environ):
        if key.startswith("EIP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("EIP_CONFIG", str(tmp_path / "no-such-eip.toml"))


@pytest.fixture(name="settings")
def fixture_settings(tmp_path: Path):
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")


@pytest.fixture(name="hashing_embedder")
def fixture_hashing_embedder():
    from indexing.embed import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture(name="real_embedder", scope="session")
def fixture_real_embedder():
    from indexing.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(name="sample_index_template", scope="session")
def fixture_sample_index_template(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:
    """The sample corpus indexed once per session with the real (bundled) embedder."""
    from assistant.settings import Settings
    from indexing import build_index, open_index

    data = tmp_path_factory.mktemp("sample-index")
    settings = Settings(data_dir=data, corpus_dir=SAMPLE_CORPUS)
    index = open_index(settings, embedder=real_embedder, must_exist=False)
    try:
        report = build_index(index, SAMPLE_CORPUS)
    finally:
        index.close()
    assert report.failed == [], f"sample corpus must index cleanly: {report.failed}"
    return data


@pytest.fixture(name="sample_data_dir")
def fixture_sample_data_dir(sample_index_template: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session's sample index."""
    import shutil

    target = tmp_path / "sample-index"
    shutil.copytree(sample_index_template, target)
    return target
