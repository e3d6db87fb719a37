"""Optional login for the web app.

Two sources of users, both optional and combinable:

- ``EIP_AUTH_USERS="alice:secret,bob:other"`` (plain passwords, for a quick team setup);
- ``EIP_AUTH_FILE`` pointing at lines ``user:pbkdf2_sha256$<iterations>$<salt>$<hash>``
  (made with ``eip serve --hash-password USER``); blank lines and ``#`` comments are ignored.

Every comparison is constant-time. When any user is configured, :class:`AuthGuard` refuses
every request that carries no valid session, except the login page and its static assets.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

logger = logging.getLogger(__name__)

ALGORITHM = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 600_000


def hash_password(password: str, *, iterations: int = DEFAULT_ITERATIONS,
                  salt: str | None = None) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` (salt and hash URL-safe base64)."""
    if not password:
        raise ValueError("empty password")
    salt = salt or secrets.token_urlsafe(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    encoded = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return f"{ALGORITHM}${iterations}${salt}${encoded}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches an encoded hash (malformed hashes never match)."""
    try:
        algorithm, iterations, salt, expected = encoded.split("$", 3)
        rounds = int(iterations)
    except ValueError:
        return False
    if algorithm != ALGORITHM or rounds < 1:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds)
    actual = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(actual.encode(), expected.encode())


def parse_users_env(value: str | None) -> dict[str, str]:
    """``"user:password,user2:pw2"`` -> ``{user: password}``; a malformed pair is an error."""
    users: dict[str, str] = {}
    for pair in (value or "").split(","):
        if not pair.strip():
            continue
        user, sep, password = pair.partition(":")
        user = user.strip()
        if not sep or not user or not password:
            raise ConfigError("EIP_AUTH_USERS must look like 'user:password,user2:password2'")
        users[user] = password
    return users


def load_auth_file(path: Path) -> dict[str, str]:
    """``{user: encoded hash}`` from a users file; lines that are not hashes are errors."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the auth file {path}: {exc}") from exc
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, encoded = line.partition(":")
        if not sep or not user.strip() or not encoded.startswith(f"{ALGORITHM}$") \
                or encoded.count("$") != 3:
            raise ConfigError(f"{path}:{number}: expected 'user:{ALGORITHM}$iterations$salt$hash' "
                              "(make one with `eip serve --hash-password USER`)")
        users[user.strip()] = encoded
    return users


@dataclass
class Authenticator:
    """The ``auth`` callable given to Gradio: ``(user, password) -> bool``."""

    plain: Mapping[str, str] = field(default_factory=dict)
    hashed: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Any) -> Authenticator | None:
        """The configured users, or ``None`` when login is off."""
        plain = parse_users_env(settings.auth_users)
        hashed = load_auth_file(settings.auth_file) if settings.auth_file else {}
        if not plain and not hashed:
            return None
        return cls(plain=plain, hashed=hashed)

    @property
    def users(self) -> list[str]:
        return sorted({*self.plain, *self.hashed})

    def __call__(self, user: str, password: str) -> bool:
        user = (user or "").strip()
        password = password or ""
        ok = False
        if user in self.hashed:
            ok = verify_password(password, self.hashed[user])
        elif user in self.plain:
            # Compare digests so that the time taken does not depend on the password length.
            ok = hmac.compare_digest(hashlib.sha256(password.encode()).digest(),
                                     hashlib.sha256(self.plain[user].encode()).digest())
        else:
            verify_password(password, _dummy_hash())  # same work for unknown users
        if not ok:
            logger.warning("failed login for user %r", user)
        return ok


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not-a-password", salt="dummy-salt")


# ----------------------------------------------------------------------------- request guard
# What an anonymous browser may fetch: the login page, the login form's endpoint and the
# static files that draw them, plus the start-up probe Gradio sends itself on launch (it
# returns a boolean). Everything else (config, API, queue, files, uploads, heartbeats,
# monitoring...) answers 401 until the browser holds a session cookie.
_PUBLIC_EXACT = frozenset({"/", "/login", "/login/", "/logout", "/favicon.ico", "/theme.css",
                           "/gradio_api/theme.css", "/robots.txt", "/manifest.json",
                           "/gradio_api/startup-events"})
_PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/gradio_api/assets/",
                    "/gradio_api/static/", "/gradio_api/svelte/")


def is_public_path(path: str) -> bool:
    return path in _PUBLIC_EXACT or path.startswith(_PUBLIC_PREFIXES)


class AuthGuard:
    """ASGI middleware: no session, no access (on top of Gradio's own per-route checks).

    Gradio keeps sessions in ``app.tokens`` keyed by the ``access-token[-unsecure]-<id>``
    cookie; the guard reads the same, so a login through Gradio's form opens every route.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or is_public_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        gradio_app = scope.get("app")
        if getattr(gradio_app, "auth", None) is None or _logged_in(gradio_app, scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        body = json.dumps({"detail": "Not authenticated"}).encode()
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"www-authenticate", b'Cookie realm="EIP Assistant"')]})
        await send({"type": "http.response.body", "body": body})


def _cookies(scope: Mapping[str, Any]) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar: dict[str, str] = {}
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is just no session
                continue
            jar.update({k: m.value for k, m in parsed.items()})
    return jar


def _logged_in(gradio_app: Any, scope: Mapping[str, Any]) -> bool:
    cookie_id = getattr(gradio_app, "cookie_id", None)
    tokens = getattr(gradio_app, "tokens", None) or {}
    if cookie_id is None:
        return False
    jar = _cookies(scope)
    token = jar.get(f"access-token-{cookie_id}") or jar.get(f"access-token-unsecure-{cookie_id}")
    return bool(token) and token in tokens
