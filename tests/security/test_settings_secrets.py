"""L: secret settings never show in a repr, a log line or an error message."""

from __future__ import annotations

from pathlib import Path

from assistant.reviews import ReviewStore
from assistant.settings import Settings, secret


def test_repr_of_settings_shows_no_secret(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EIP_AUTH_USERS", "alice:alice-pw-123")
    monkeypatch.setenv("EIP_DATABASE_URL", "postgresql+psycopg://eip:db-pw-456@127.0.0.1:1/eip")
    monkeypatch.setenv("EIP_LLM_API_KEY", "sk-key-789")
    monkeypatch.setenv("EIP_CHROMA_TOKEN", "chroma-tok-000")
    settings = Settings(data_dir=tmp_path)
    for text in (repr(settings), str(settings), str(settings.model_dump())):
        for leaked in ("alice-pw-123", "db-pw-456", "sk-key-789", "chroma-tok-000"):
            assert leaked not in text
    assert secret(settings.auth_users) == "alice:alice-pw-123"
    assert secret(settings.database_url).endswith("@127.0.0.1:1/eip")
    assert secret("plain") == "plain" and secret(None) is None


def test_review_store_reads_the_secret_database_url(tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'r.db'}"
    store = ReviewStore.from_settings(Settings(data_dir=tmp_path / "d", database_url=url))
    try:
        assert store.url.database == str(tmp_path / "r.db")
    finally:
        store.close()
