"""Optional login for the web app.

Two sources of users, both optional and combinable:

- ``EIP_AUTH_USERS="alice:secret,bob:other"`` (plain passwords, for a quick team setup);
- ``EIP_AUTH_FILE`` pointing at lines ``user:pbkdf2_sha256$<iterations>$<salt>$<hash>``
  (made with ``eip serve --hash-password USER``); blank lines and ``#`` comments are ignored.

Every login costs one PBKDF2 of the same strength, known user or not (plain passwords are
hashed at start-up), and runs in a worker thread so the event loop keeps serving pages
(:meth:`Authenticator.login`). :class:`LoginLimiter` answers 429 with ``Retry-After`` to a
client after too many failures. Configuration that is set but names nobody is an error.
When any user is configured, :class:`AuthGuard` refuses every request that carries no valid
session, except the login page and its static assets.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import math
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.settings import secret

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


def configured_users(settings: Any) -> tuple[dict[str, str], dict[str, str]]:
    """``(plain, hashed)`` users from the settings, checked but not hashed yet.

    A setting that is present but names nobody (``EIP_AUTH_USERS=" , "``, an auth file of
    comments) is an error, not "login off": a typo must not open the app.
    """
    raw = secret(settings.auth_users)
    plain = parse_users_env(raw)
    if raw is not None and not plain:
        raise ConfigError("EIP_AUTH_USERS is set but names no user; give 'user:password,...' "
                          "or unset it to turn login off")
    hashed: dict[str, str] = {}
    if settings.auth_file:
        hashed = load_auth_file(settings.auth_file)
        if not hashed:
            raise ConfigError(f"the auth file {settings.auth_file} names no user; add lines from "
                              "`eip serve --hash-password USER` or unset EIP_AUTH_FILE")
    return plain, hashed


@dataclass
class Authenticator:
    """Checks logins; every user, known or not, costs one PBKDF2 of the same strength.

    Plain-text users (``EIP_AUTH_USERS``) are hashed once at start-up, and an unknown name is
    verified against a dummy hash of the usual iteration count, so the time a login takes
    says nothing about whether the name exists. :meth:`login` is the coroutine Gradio awaits:
    the hashing runs in a worker thread, at most ``concurrency`` at a time, and when more
    than ``max_waiting`` logins queue up the next ones are answered 429 at once.
    """

    hashed: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 2
    max_waiting: int = 16
    _dummy: str = field(default="", init=False, repr=False)
    _waiting: int = field(default=0, init=False, repr=False)
    _semaphore: asyncio.Semaphore | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        rounds = Counter(_iterations(h) for h in self.hashed.values()).most_common(1)
        self._dummy = hash_password(secrets.token_urlsafe(12),
                                    iterations=rounds[0][0] if rounds else DEFAULT_ITERATIONS)

    @classmethod
    def from_settings(cls, settings: Any, *, iterations: int = DEFAULT_ITERATIONS
                      ) -> Authenticator | None:
        """The configured users, or ``None`` when login is off (set-but-empty is an error)."""
        plain, hashed = configured_users(settings)
        if not plain and not hashed:
            return None
        users = {u: hash_password(p, iterations=iterations) for u, p in plain.items()}
        users.update(hashed)  # a users-file entry wins over a plain one of the same name
        return cls(hashed=users)

    @property
    def users(self) -> list[str]:
        return sorted(self.hashed)

    def check(self, user: str, password: str) -> bool:
        """Whether the login is valid (blocking: one PBKDF2, whoever the user is)."""
        user = (user or "").strip()
        encoded = self.hashed.get(user)
        ok = verify_password(password or "", encoded or self._dummy) and encoded is not None
        if not ok:
            logger.warning("failed login for user %r", user[:64])
        return ok

    __call__ = check

    async def login(self, user: str, password: str) -> bool:
        """:meth:`check` off the event loop, behind a small semaphore (what Gradio awaits)."""
        if self._waiting >= self.max_waiting:
            from fastapi import HTTPException

            raise HTTPException(status_code=429, headers={"Retry-After": "2"},
                                detail="Too many logins in progress; try again in a moment.")
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrency)
        self._waiting += 1
        try:
            async with self._semaphore:
                return await asyncio.to_thread(self.check, user, password)
        finally:
            self._waiting -= 1


def _iterations(encoded: str) -> int:
    try:
        return max(1, int(encoded.split("$", 2)[1]))
    except (IndexError, ValueError):
        return DEFAULT_ITERATIONS


class LoginLimiter:
    """Per-client failed-login limit: ``max_failures`` within ``window`` seconds, then 429.

    Every attempt counts until it succeeds (a success clears the client's record), so a
    burst of parallel guesses is limited as well as a slow series. Clients are keyed by
    address; behind a reverse proxy that address is the one uvicorn takes from the trusted
    proxy's ``X-Forwarded-For``.
    """

    MAX_CLIENTS = 10_000

    def __init__(self, max_failures: int = 5, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float | None:
        """Seconds the client must wait, or ``None`` when it may try now."""
        with self._lock:
            attempts = self._recent(client)
            if len(attempts) < self.max_failures:
                return None
            return max(1.0, attempts[0] + self.window - self.clock())

    def attempt(self, client: str) -> None:
        with self._lock:
            if len(self._attempts) >= self.MAX_CLIENTS and client not in self._attempts:
                for key in [k for k in self._attempts if not self._recent(k)]:
                    del self._attempts[key]
                while len(self._attempts) >= self.MAX_CLIENTS:
                    del self._attempts[next(iter(self._attempts))]
            self._attempts.setdefault(client, deque()).append(self.clock())

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._attempts.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        attempts = self._attempts.get(client, deque())
        cutoff = self.clock() - self.window
        while attempts and attempts[0] <= cutoff:
            attempts.popleft()
        return attempts


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

    def __init__(self, app: Any, limiter: LoginLimiter | None = None) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (self.limiter is not None and scope["type"] == "http"
                and scope.get("method") == "POST" and scope.get("path") in ("/login", "/login/")
                and getattr(scope.get("app"), "auth", None) is not None):
            await self._limited_login(scope, receive, send, self.limiter)
            return
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


    async def _limited_login(self, scope: dict[str, Any], receive: Any, send: Any,
                             limiter: LoginLimiter) -> None:
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = limiter.retry_after(client)
        if wait is not None:
            logger.warning("login refused for %s: too many failed attempts", client)
            body = json.dumps({"detail": "Too many failed logins; wait before trying again."})
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", str(math.ceil(wait)).encode())]})
            await send({"type": "http.response.body", "body": body.encode()})
            return
        limiter.attempt(client)

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                limiter.succeeded(client)
            await send(message)

        await self.app(scope, receive, watch)


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
