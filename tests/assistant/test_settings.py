"""Settings precedence: explicit (CLI) > EIP_* env > eip.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import Settings, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    assert s.data_dir == Path(".eip") and s.corpus_dir == Path("corpus")
    assert s.host == "127.0.0.1", "the app must bind to loopback by default"
    assert s.answerer == "extractive" and s.chroma_host is None


def test_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "eip.toml"
    toml.write_text('data_dir = "from-toml"\nchunk_size = 700\nretrieval_k = 7\n')
    monkeypatch.setenv("EIP_CONFIG", str(toml))
    monkeypatch.setenv("EIP_CHUNK_SIZE", "800")
    s = load_settings(retrieval_k=None)
    assert s.data_dir == Path("from-toml"), "toml beats defaults"
    assert s.chunk_size == 800, "env beats toml"
    assert s.retrieval_k == 7, "an unset CLI flag falls through"
    assert load_settings(chunk_size=600).chunk_size == 600, "CLI flag beats env"


def test_env_names_of_the_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EIP_DATA_DIR", "/tmp/x")
    monkeypatch.setenv("EIP_CORPUS_DIR", "/tmp/c")
    monkeypatch.setenv("EIP_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("EIP_CHROMA_PORT", "8123")
    monkeypatch.setenv("EIP_LLM_BASE_URL", "http://127.0.0.1:9/v1/")
    monkeypatch.setenv("EIP_LLM_API_KEY", "sk-secret")
    s = Settings()
    assert (s.data_dir, s.corpus_dir) == (Path("/tmp/x"), Path("/tmp/c"))
    assert (s.chroma_host, s.chroma_port) == ("127.0.0.1", 8123)
    assert s.llm_base_url == "http://127.0.0.1:9/v1"
    assert "sk-secret" not in repr(s), "secrets never show in logs"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        pytest.param({"chunk_size": 100, "chunk_overlap": 100}, "chunk_overlap", id="overlap>=size"),
        pytest.param({"unknown_field": 1}, "unknown_field", id="unknown-key"),
        pytest.param({"answerer": "magic"}, "answerer", id="bad-answerer"),
    ],
)
def test_invalid_settings(kwargs: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        Settings(**kwargs)


def test_e5_gets_its_own_evidence_floors_unless_set(monkeypatch) -> None:
    from assistant.settings import Settings

    monkeypatch.delenv("EIP_MIN_EVIDENCE_SCORE", raising=False)
    default = Settings()
    e5 = Settings(embedding_model="multilingual-e5-small")
    assert default.min_evidence_score == 0.31
    assert e5.min_evidence_score == 0.80
    assert Settings(embedding_model="multilingual-e5-small", min_evidence_score=0.8).min_evidence_score == 0.8
    monkeypatch.setenv("EIP_MIN_EVIDENCE_SCORE", "0.7")
    assert Settings(embedding_model="multilingual-e5-small").min_evidence_score == 0.7
    # The same-language bias offset: only the multilingual model has one to offset.
    monkeypatch.delenv("EIP_CROSS_LANGUAGE_BONUS", raising=False)
    assert default.cross_language_bonus == 0.0 and e5.cross_language_bonus == 0.08
    assert Settings(embedding_model="multilingual-e5-small", cross_language_bonus=0.0).cross_language_bonus == 0.0
