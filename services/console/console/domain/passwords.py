"""Passwords: the policy a new one must meet, and Argon2id hashes (argon2-cffi).

The policy follows what district intranets audit (等保: length and character classes) and what
NIST SP 800-63B adds (no password that contains the login, no well-known one)."""

from __future__ import annotations

import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from shared.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON = frozenset(
    {
        "password123",
        "password1234",
        "p@ssw0rd123",
        "qwerty123456",
        "1qaz2wsx3edc",
        "abc123456789",
        "admin123456",
        "iloveyou123",
        "woaini1314",
        "zxcvbnm123",
        "a1234567890",
        "qq123456789",
        "passw0rd!",
        "welcome123",
    }
)


def check_policy(password: str, *, login: str) -> None:
    """Refuse a password that is short, of too few character classes, contains the login, or is well known."""
    if len(password) < MIN_LENGTH:
        raise Invalid("password", f"密码至少 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        raise Invalid("password", f"密码不超过 {MAX_LENGTH} 个字符")
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        raise Invalid("password", "密码须包含小写字母、大写字母、数字、符号中的至少三类")
    if login and login.lower() in password.lower():
        raise Invalid("password", "密码不能包含登录名")
    if password.lower() in COMMON:
        raise Invalid("password", "密码过于常见，请换一个")


class Hasher:
    """Argon2id with the deployment's cost; `verify` takes as long for an unknown login as for a known one."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._ph = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)
        # Verified against when the login is unknown, so a wrong login costs what a wrong password costs.
        self._decoy = self._ph.hash("decoy password that no account has")

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._ph.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._ph.check_needs_rehash(stored)
