"""One-time secrets (invitation and reset links, sessions, recovery codes, client secrets): random,
shown once, kept only as a SHA-256 digest, looked up by digest — a comparison of secrets never
happens in Python, so there is none to time."""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets

RECOVERY_CODES = 10


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return _secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def recovery_codes(n: int = RECOVERY_CODES) -> list[str]:
    """Codes a person writes down: 10 groups like `k7qm-2xfp-9d`, each good for one sign-in."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return ["-".join("".join(_secrets.choice(alphabet) for _ in range(4)) for _ in range(3)) for _ in range(n)]


def normalise_code(code: str) -> str:
    return code.strip().lower().replace(" ", "")


def csrf_token(key: str, bound_to: str) -> str:
    """A CSRF token bound to a cookie's value (the session's, or an anonymous visitor's)."""
    return hmac.new(key.encode(), b"csrf:" + bound_to.encode(), hashlib.sha256).hexdigest()


def csrf_ok(key: str, bound_to: str | None, presented: str | None) -> bool:
    """Compared in constant time (hmac.compare_digest)."""
    if not bound_to or not presented:
        return False
    return hmac.compare_digest(csrf_token(key, bound_to), presented)
