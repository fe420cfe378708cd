"""Signing in on in-memory stores: the stages a session goes through, lockout, the per-address
limit, TOTP (no replay) and recovery codes, and a new session id at every step up."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.domain import totp
from console.domain.accounts import Grant, Profile, Status
from console.domain.secrets import digest
from console.handlers import accounts as cases
from console.handlers import signin, tokens
from console.store.sessions import Client
from shared.auth import Role
from shared.clock import DISTRICT_ZONE
from shared.errors import Invalid

from .fakes import FakeAccounts, FakeMinter, FakeSessions, QuickPasswords

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=DISTRICT_ZONE)
LINKS = cases.Links("https://console.example", timedelta(days=7), timedelta(hours=24))
LIMITS = signin.Limits(
    lockout_failures=3, lockout=timedelta(minutes=15), ip_failures=10, ip_window=timedelta(minutes=10)
)
PASSWORD = "Lanterns-2026"


async def active(accounts, sessions, hashing, login="wangmin", roles=None):
    account, (event,) = await cases.invite(
        accounts,
        Profile(login, "王敏", f"{login}@example.org"),
        roles or [Grant(Role.REVIEWER)],
        actor="alice",
        now=NOW,
        links=LINKS,
    )
    await cases.set_password(accounts, sessions, hashing, event.invitation_url.rsplit("/", 1)[1], PASSWORD, now=NOW)
    return account


@pytest.fixture
def world():
    return FakeAccounts(), FakeSessions(), QuickPasswords()


async def test_a_right_password_opens_a_full_session_and_replaces_whatever_cookie_came_along(world):
    accounts, sessions, hashing = world
    await active(*world)
    planted = digest("attacker-chosen")
    await sessions.create(
        planted,
        next(iter(accounts.rows)),
        stage="full",
        acting_role=0,
        now=NOW,
        expires_at=NOW + timedelta(hours=1),
        ip=None,
    )
    out = await signin.sign_in(
        accounts, sessions, hashing, "WANGMIN", PASSWORD, ip="10.0.0.1", now=NOW, limits=LIMITS, previous=planted
    )
    assert out.ok and out.stage == "full"
    assert planted not in sessions.rows and digest(out.session) in sessions.rows
    assert accounts.actions()[-1] == "signed_in"


async def test_a_hash_of_an_older_cost_is_replaced_at_sign_in(world):
    accounts, sessions, hashing = world
    account = await active(*world)
    accounts.rows[account.account_id].password_hash = "argon2-of-an-older-cost"
    hashing_verify = hashing.verify

    async def accepts_old(stored, password):
        return stored == "argon2-of-an-older-cost" or await hashing_verify(stored, password)

    hashing.verify = accepts_old
    assert (await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="1", now=NOW, limits=LIMITS)).ok
    assert accounts.rows[account.account_id].password_hash == await hashing.hash(PASSWORD)


async def test_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(world):
    accounts, sessions, hashing = world
    account = await active(*world)
    for _ in range(3):
        out = await signin.sign_in(
            accounts, sessions, hashing, "wangmin", "wrong", ip="10.0.0.1", now=NOW, limits=LIMITS
        )
        assert out.status == 401 and out.message == signin.WRONG
    out = await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="10.0.0.1", now=NOW, limits=LIMITS)
    assert out.status == 423 and not out.ok
    assert "locked" in accounts.actions()
    later = NOW + timedelta(minutes=16)
    assert (
        await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="10.0.0.1", now=later, limits=LIMITS)
    ).ok
    assert accounts.rows[account.account_id].failed_signins == 0


async def test_an_unknown_login_and_a_wrong_password_get_the_same_answer(world):
    accounts, sessions, hashing = world
    await active(*world)
    unknown = await signin.sign_in(accounts, sessions, hashing, "nobody", PASSWORD, ip="1", now=NOW, limits=LIMITS)
    wrong = await signin.sign_in(accounts, sessions, hashing, "wangmin", "nope", ip="1", now=NOW, limits=LIMITS)
    assert (unknown.status, unknown.message) == (wrong.status, wrong.message) == (401, signin.WRONG)


async def test_an_address_with_too_many_failures_is_refused_whatever_the_login(world):
    accounts, sessions, hashing = world
    await active(*world)
    for i in range(10):
        await signin.sign_in(accounts, sessions, hashing, f"guess{i}", "x", ip="10.9.9.9", now=NOW, limits=LIMITS)
    out = await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="10.9.9.9", now=NOW, limits=LIMITS)
    assert out.status == 429
    assert (
        await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="10.0.0.2", now=NOW, limits=LIMITS)
    ).ok


async def test_a_disabled_account_cannot_sign_in(world):
    accounts, sessions, hashing = world
    account = await active(*world)
    await cases.disable(accounts, sessions, account.account_id, "离职", actor="alice", now=NOW)
    out = await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="1", now=NOW, limits=LIMITS)
    assert out.status == 401 and not out.ok


async def enrolled_admin(world):
    accounts, sessions, hashing = world
    account = await active(*world, login="alice", roles=[Grant(Role.DISTRICT_ADMIN)])
    out = await signin.sign_in(accounts, sessions, hashing, "alice", PASSWORD, ip="1", now=NOW, limits=LIMITS)
    assert out.stage == "enrol"
    assert (
        await tokens.for_session(accounts, sessions, digest(out.session), now=NOW, minter=FakeMinter(), ttl_seconds=600)
        is None
    )
    secret = await signin.begin_enrolment(accounts, account.account_id)
    with pytest.raises(Invalid):
        await signin.confirm_enrolment(
            accounts, sessions, digest(out.session), "000000", ip="1", now=NOW, limits=LIMITS
        )
    full, codes = await signin.confirm_enrolment(
        accounts, sessions, digest(out.session), totp.code_at(secret, NOW), ip="1", now=NOW, limits=LIMITS
    )
    assert len(codes) == 10 and digest(out.session) not in sessions.rows and digest(full) in sessions.rows
    assert (await sessions.get(digest(full), NOW)).stage == "full"
    return account, secret, codes


async def test_a_district_admin_must_enrol_totp_before_anything_else(world):
    _, _, codes = await enrolled_admin(world)
    assert len(set(codes)) == 10


async def test_totp_after_the_password_steps_up_under_a_new_id_and_a_code_works_once(world):
    accounts, sessions, hashing = world
    _, secret, codes = await enrolled_admin(world)
    later = NOW + timedelta(minutes=5)
    first = await signin.sign_in(accounts, sessions, hashing, "alice", PASSWORD, ip="1", now=later, limits=LIMITS)
    assert first.stage == "password"
    code = totp.code_at(secret, later)
    done = await signin.second_factor(accounts, sessions, digest(first.session), code, ip="1", now=later, limits=LIMITS)
    assert done.ok and done.session != first.session and digest(first.session) not in sessions.rows
    again = await signin.sign_in(accounts, sessions, hashing, "alice", PASSWORD, ip="1", now=later, limits=LIMITS)
    replayed = await signin.second_factor(
        accounts, sessions, digest(again.session), code, ip="1", now=later, limits=LIMITS
    )
    assert replayed.status == 401 and replayed.message == signin.WRONG_CODE
    recovered = await signin.second_factor(
        accounts, sessions, digest(again.session), codes[0].upper(), ip="1", now=later, limits=LIMITS
    )
    assert recovered.ok
    third = await signin.sign_in(accounts, sessions, hashing, "alice", PASSWORD, ip="1", now=later, limits=LIMITS)
    spent = await signin.second_factor(
        accounts, sessions, digest(third.session), codes[0], ip="1", now=later, limits=LIMITS
    )
    assert spent.status == 401


async def test_a_session_token_carries_the_acting_role_and_stops_when_the_account_is_disabled(world):
    accounts, sessions, hashing = world
    roles = [Grant(Role.REVIEWER), Grant.of("street_officer", street="110101006")]
    account = await active(*world, roles=roles)
    out = await signin.sign_in(accounts, sessions, hashing, "wangmin", PASSWORD, ip="1", now=NOW, limits=LIMITS)
    await sessions.set_acting_role(digest(out.session), 1)
    minter = FakeMinter()
    issued = await tokens.for_session(accounts, sessions, digest(out.session), now=NOW, minter=minter, ttl_seconds=600)
    assert issued is not None and issued.role == "street_officer" and issued.expires_in == 600
    assert minter.minted[0]["sub"] == "wangmin" and minter.minted[0]["grant"].street == "110101006"
    await cases.disable(accounts, sessions, account.account_id, "离职", actor="alice", now=NOW)
    assert (
        await tokens.for_session(accounts, sessions, digest(out.session), now=NOW, minter=minter, ttl_seconds=600)
        is None
    )
    assert accounts.rows[account.account_id].status is Status.DISABLED


async def test_client_credentials_give_a_service_account_its_one_role():
    sessions, hashing, minter = FakeSessions(), QuickPasswords(), FakeMinter()
    sessions.clients["demo"] = Client("demo", await hashing.hash("s3cret"), "演示", {"role": "district_admin"}, False)
    issued = await tokens.for_client(sessions, hashing, "demo", "s3cret", minter=minter, ttl_seconds=300)
    assert issued is not None and issued.oauth()["token_type"] == "Bearer" and minter.minted[0]["sub"] == "client:demo"
    assert await tokens.for_client(sessions, hashing, "demo", "wrong", minter=minter, ttl_seconds=300) is None
    assert await tokens.for_client(sessions, hashing, "nobody", "s3cret", minter=minter, ttl_seconds=300) is None
