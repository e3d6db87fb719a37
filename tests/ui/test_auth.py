"""Login: password helpers, and every page and API route refused without a session (over HTTP)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.errors import ConfigError
from assistant.ui.auth import (
    Authenticator,
    hash_password,
    is_public_path,
    load_auth_file,
    parse_users_env,
    verify_password,
)


# ----------------------------------------------------------------------------- helpers
def test_hash_and_verify() -> None:
    encoded = hash_password("correct horse", iterations=1000)
    algorithm, iterations, salt, digest = encoded.split("$")
    assert algorithm == "pbkdf2_sha256" and iterations == "1000" and salt and digest
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct horsE", encoded)
    assert not verify_password("x", "pbkdf2_sha256$notanumber$s$h")
    assert not verify_password("x", "md5$1$s$h")
    assert hash_password("pw", salt="s", iterations=10) == hash_password("pw", salt="s",
                                                                         iterations=10)
    with pytest.raises(ValueError):
        hash_password("")


def test_users_from_env_and_file(tmp_path: Path) -> None:
    assert parse_users_env("alice:pw1, bob:p:w2") == {"alice": "pw1", "bob": "p:w2"}
    assert parse_users_env("") == {}
    with pytest.raises(ConfigError):
        parse_users_env("alice")
    path = tmp_path / "users"
    path.write_text(f"# team\nalice:{hash_password('a', iterations=1000)}\n\n")
    assert list(load_auth_file(path)) == ["alice"]
    path.write_text("alice:plaintext\n")
    with pytest.raises(ConfigError, match="users:1"):
        load_auth_file(path)
    with pytest.raises(ConfigError):
        load_auth_file(tmp_path / "missing")


def test_authenticator(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text(f"carol:{hash_password('c-pass', iterations=1000)}\n")
    settings = type("S", (), {"auth_users": "alice:a-pass", "auth_file": path})()
    auth = Authenticator.from_settings(settings)
    assert auth is not None and auth.users == ["alice", "carol"]
    assert auth("alice", "a-pass") and auth(" carol ", "c-pass")
    assert not auth("alice", "c-pass") and not auth("carol", "a-pass")
    assert not auth("mallory", "a-pass") and not auth("", "")
    off = type("S", (), {"auth_users": None, "auth_file": None})()
    assert Authenticator.from_settings(off) is None


def test_only_the_login_page_and_its_assets_are_public() -> None:
    assert is_public_path("/") and is_public_path("/login") and is_public_path("/assets/x.js")
    for path in ("/config", "/gradio_api/info", "/gradio_api/queue/join", "/gradio_api/upload",
                 "/gradio_api/file=/etc/passwd", "/gradio_api/heartbeat/x", "/monitoring",
                 "/gradio_api/runs", "/gradio_api/cancel"):
        assert not is_public_path(path), path


# ----------------------------------------------------------------------------- over HTTP
PROTECTED_GET = ["/config", "/config/", "/gradio_api/info", "/gradio_api/info?all_endpoints=true",
                 "/gradio_api/openapi.json", "/gradio_api/queue/data?session_hash=abc",
                 "/gradio_api/heartbeat/abc",
                 "/gradio_api/file=/etc/passwd", "/gradio_api/upload_progress?upload_id=x",
                 "/gradio_api/runs", "/monitoring", "/gradio_api/user", "/gradio_api/token",
                 "/gradio_api/app_id", "/docs", "/openapi.json"]
PROTECTED_POST = [("/gradio_api/queue/join", {"data": [], "fn_index": 0, "session_hash": "abc"}),
                  ("/gradio_api/run/predict", {"data": []}),
                  ("/gradio_api/call/predict", {"data": []}),
                  ("/gradio_api/cancel", {"session_hash": "abc", "fn_index": 0, "event_id": "x"}),
                  ("/gradio_api/reset", {"session_hash": "abc", "fn_index": 0, "event_id": "x"})]


@pytest.fixture
def authed_url(services: Any, serve: Any) -> str:
    svc = copy.copy(services)
    svc.settings = services.settings.model_copy(update={"auth_users": "alice:s3cret-pw"})
    return serve(svc)


def _login(client: Any, base: str, password: str) -> Any:
    return client.post(f"{base}/login", data={"username": "alice", "password": password})


def test_unauthenticated_requests_are_refused(authed_url: str) -> None:
    with httpx.Client(timeout=20, follow_redirects=False) as client:
        page = client.get(f"{authed_url}/")
        assert page.status_code == 200
        html = page.text
        # The login page gives nothing of the app away: no layout, no endpoints, no data.
        assert '"auth_required":true' in html.replace(" ", "")
        for leak in ("Zone dossier", "eip-question", "Koh Kong", "Grounded answers",
                     "stream_answer", "/gradio_api/run"):
            assert leak not in html, leak
        for path in PROTECTED_GET:
            r = client.get(f"{authed_url}{path}")
            assert r.status_code in (401, 403), (path, r.status_code)
            assert "Koh Kong" not in r.text and "components" not in r.text
        for path, body in PROTECTED_POST:
            r = client.post(f"{authed_url}{path}", json=body)
            assert r.status_code in (401, 403), (path, r.status_code)
        r = client.post(f"{authed_url}/gradio_api/upload",
                        files={"files": ("x.pdf", b"%PDF-1.4", "application/pdf")})
        assert r.status_code in (401, 403)

        assert _login(client, authed_url, "wrong").status_code == 400
        assert client.get(f"{authed_url}/config").status_code == 401


def test_login_opens_the_app(authed_url: str) -> None:
    with httpx.Client(timeout=20) as client:
        r = _login(client, authed_url, "s3cret-pw")
        assert r.status_code == 200 and r.json() == {"success": True}
        config = client.get(f"{authed_url}/config")
        assert config.status_code == 200
        assert "Zone dossier" in config.text
        assert client.get(f"{authed_url}/gradio_api/info").status_code == 200
        page = client.get(f"{authed_url}/")
        assert page.status_code == 200 and "eip-question" in page.text
        # Session cookie forged: refused again.
        client.cookies.clear()
        client.cookies.set("access-token-unsecure-x", "forged")
        assert client.get(f"{authed_url}/config").status_code == 401


def test_without_users_the_app_is_open_on_loopback(services: Any, serve: Any) -> None:
    url = serve(services)
    assert url.startswith("http://127.0.0.1:")
    with httpx.Client(timeout=20) as client:
        assert client.get(f"{url}/config").status_code == 200
        info = client.get(f"{url}/gradio_api/info").json()
        # Events are for the browser only: nothing is published as a client API.
        assert not info.get("named_endpoints") and not info.get("unnamed_endpoints")
