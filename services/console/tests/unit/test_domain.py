"""The rules without I/O: safe redirects, CSRF tokens, TOTP windows, Argon2id hashes."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta

import pytest

from console.domain import totp
from console.domain.navigation import safe_next
from console.domain.passwords import Hasher
from console.domain.secrets import csrf_ok, csrf_token
from shared.clock import DISTRICT_ZONE

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=DISTRICT_ZONE)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "http:/evil.example",
        " https://evil.example",
        "evil.example",
        "",
        None,
        "/%0d%0aSet-Cookie:x=1".replace("%0d%0a", "\r\n"),
        "/" + "a" * 600,
    ],
)
def test_next_never_leaves_the_site(target):
    assert safe_next(target) == "/account"


@pytest.mark.parametrize("target", ["/staff/accounts", "/staff/accounts?q=王&status=active", "/account#top"])
def test_next_keeps_a_path_on_the_site(target):
    assert safe_next(target) == target


def test_a_csrf_token_is_bound_to_its_cookie_and_key():
    token = csrf_token("key", "cookie-a")
    assert csrf_ok("key", "cookie-a", token)
    assert not csrf_ok("key", "cookie-b", token)
    assert not csrf_ok("other-key", "cookie-a", token)
    assert not csrf_ok("key", None, token) and not csrf_ok("key", "cookie-a", None) and not csrf_ok("key", "a", "")


def test_totp_accepts_one_step_either_side_and_never_the_same_step_twice():
    secret = totp.new_secret()
    for offset in (-30, 0, 30):
        assert (
            totp.accepted_step(secret, totp.code_at(secret, NOW + timedelta(seconds=offset)), now=NOW, last_step=None)
            is not None
        )
    assert (
        totp.accepted_step(secret, totp.code_at(secret, NOW - timedelta(seconds=90)), now=NOW, last_step=None) is None
    )
    step = totp.accepted_step(secret, totp.code_at(secret, NOW), now=NOW, last_step=None)
    assert totp.accepted_step(secret, totp.code_at(secret, NOW), now=NOW, last_step=step) is None
    assert totp.accepted_step(secret, "12345x", now=NOW, last_step=None) is None


def test_hashes_are_argon2id_and_verify_only_the_right_password():
    hasher = Hasher(time_cost=1, memory_kib=8192)
    stored = hasher.hash("Lanterns-2026")
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "Lanterns-2026") and not hasher.verify(stored, "lanterns-2026")
    assert not hasher.verify("not a hash", "x") and not hasher.verify(None, "decoy password that no account has")


def test_a_hash_of_a_lower_cost_needs_rehashing():
    cheap = Hasher(time_cost=1, memory_kib=8192).hash("Lanterns-2026")
    assert Hasher(time_cost=2, memory_kib=8192).needs_rehash(cheap)
    assert not Hasher(time_cost=1, memory_kib=8192).needs_rehash(cheap)


def test_an_unknown_login_costs_as_much_time_as_a_wrong_password():
    """Timing-safe: verifying against the decoy hash takes what a real verification takes, so the
    answer's time does not tell whether a login exists."""
    hasher = Hasher(time_cost=2, memory_kib=16384)
    stored = hasher.hash("Lanterns-2026")

    runs: dict[str | None, list[float]] = {stored: [], None: []}
    for _ in range(9):  # interleaved, so a busy moment of the machine falls on both alike
        for stored_hash in (stored, None):
            t = time.perf_counter()
            hasher.verify(stored_hash, "wrong password")
            runs[stored_hash].append(time.perf_counter() - t)
    known, unknown = statistics.median(runs[stored]), statistics.median(runs[None])
    # Without the decoy an unknown login is answered in microseconds: a ratio near 0.01.
    assert 0.33 < unknown / known < 3.0, (known, unknown)
