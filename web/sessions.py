"""Sign-in: passwords hashed with Argon2 (argon2-cffi), sessions kept server-side in the desk.

The browser holds only a random session token (an HttpOnly cookie); the desk keeps its SHA-256,
the login, the session's CSRF token and when it ends, so a stolen desk file signs nobody in and a
session ends for good at sign-out. Every form and every fetch that writes carries the CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from adapters.desk_store import DeskStore, now_text

_HASHER = PasswordHasher()
# checked when the login is unknown, so that an unknown login costs the same time as a wrong password
_NOBODY = _HASHER.hash(secrets.token_hex(16))
MIN_PASSWORD_CHARS = 10


@dataclass(frozen=True)
class Session:
    login: str
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def set_password(store: DeskStore, login: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    with store.connect() as con:
        con.execute("insert into credentials values (?, ?, ?) on conflict (login) do update set "
                    "password_hash = excluded.password_hash, set_at = excluded.set_at",
                    (login, _HASHER.hash(password), now_text()))
        con.execute("delete from sessions where login = ?", (login,))  # a new password signs everyone out


def password_matches(store: DeskStore, login: str, password: str) -> bool:
    with store.connect() as con:
        row = con.execute("select password_hash from credentials where login = ?", (login,)).fetchone()
    try:
        return _HASHER.verify(row[0] if row else _NOBODY, password) and row is not None
    except (VerificationError, InvalidHashError):
        return False


def session_opened(store: DeskStore, login: str, hours: int) -> tuple[str, Session]:
    """A new session for `login`: (the token for the cookie, the session)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.connect() as con:
        con.execute("delete from sessions where expires_at < ?", (now.isoformat(timespec="seconds"),))
        con.execute("insert into sessions values (?, ?, ?, ?, ?)",
                    (_digest(token), login, csrf, now.isoformat(timespec="seconds"),
                     (now + timedelta(hours=hours)).isoformat(timespec="seconds")))
    return token, Session(login, csrf)


def session_for(store: DeskStore, token: str | None) -> Session | None:
    """The live session of a cookie's token, or None (unknown, ended or expired)."""
    if not token:
        return None
    with store.connect() as con:
        row = con.execute("select login, csrf_token from sessions where token_sha256 = ? and expires_at > ?",
                          (_digest(token), now_text())).fetchone()
    return Session(row[0], row[1]) if row else None


def session_closed(store: DeskStore, token: str | None) -> None:
    if token:
        with store.connect() as con:
            con.execute("delete from sessions where token_sha256 = ?", (_digest(token),))


def csrf_valid(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class SignInFailures:
    """Wrong passwords per login in the last `window_seconds`: after `limit` of them the login is
    refused until the oldest ages out, so a password cannot be guessed at speed. Kept in memory
    (a restart forgets; one process serves the screens)."""

    def __init__(self, limit: int = 5, window_seconds: float = 900) -> None:
        self.limit, self.window = limit, window_seconds
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, login: str, now: float) -> list[float]:
        recent = [moment for moment in self._failures.get(login, []) if now - moment < self.window]
        self._failures[login] = recent
        return recent

    def locked(self, login: str) -> bool:
        with self._lock:
            return len(self._recent(login, time.monotonic())) >= self.limit

    def failed(self, login: str) -> None:
        with self._lock:
            self._recent(login, time.monotonic()).append(time.monotonic())

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._failures.pop(login, None)
