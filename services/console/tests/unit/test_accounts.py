"""Accounts on in-memory stores: invitations, one-time links, what staff do (each audited and an
event), and what is refused with nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from console.domain.accounts import Grant, Profile, Status
from console.handlers import accounts as cases
from shared.auth import Role
from shared.clock import DISTRICT_ZONE
from shared.contracts.console import (
    AccountActivated,
    AccountDisabled,
    AccountEnabled,
    AccountInvited,
    AccountRolesChanged,
    PasswordResetIssued,
)
from shared.errors import Conflict, Forbidden, Invalid, NotFound

from .fakes import FakeAccounts, FakeSessions, QuickPasswords

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=DISTRICT_ZONE)
LINKS = cases.Links("https://console.example", timedelta(days=7), timedelta(hours=24))
GOOD = "Lanterns-2026"


def secret_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def invited(accounts: FakeAccounts, login: str = "wangmin", roles: list[Grant] | None = None):
    profile = Profile(login, "王敏", "wangmin@example.org", "010-64001234")
    return await cases.invite(
        accounts,
        profile,
        roles or [Grant.of("street_officer", street="110101006")],
        actor="alice",
        now=NOW,
        links=LINKS,
    )


async def test_an_invitation_is_an_event_with_a_one_time_link_and_an_audit_row():
    accounts = FakeAccounts()
    account, events = await invited(accounts)
    (event,) = events
    assert isinstance(event, AccountInvited) and event.actor == "alice"
    assert event.invitation_url.startswith("https://console.example/password/")
    assert event.expires_at == NOW + timedelta(days=7)
    assert event.account.status == "invited" and event.account.roles[0].street == "110101006"
    assert accounts.rows[account.account_id].password_hash is None
    # Only the digest of the link's secret is kept.
    assert secret_of(event.invitation_url).encode() not in b"".join(accounts.links)
    assert accounts.audits[0] | {"at": NOW} == {
        "at": NOW,
        "actor": "alice",
        "action": "invited",
        "account_id": account.account_id,
        "detail": accounts.audits[0]["detail"],
        "ip": None,
    }


@pytest.mark.parametrize(
    ("profile", "roles", "field"),
    [
        (Profile("x", "王敏", "a@b.cn"), [Grant(Role.REVIEWER)], "login"),
        (Profile("wangmin", "", "a@b.cn"), [Grant(Role.REVIEWER)], "display_name"),
        (Profile("wangmin", "王敏", None), [Grant(Role.REVIEWER)], "email"),
        (Profile("wangmin", "王敏", "not-an-email"), [Grant(Role.REVIEWER)], "email"),
        (Profile("wangmin", "王敏", "a@b.cn"), [], "roles"),
    ],
)
async def test_a_bad_invitation_is_refused_naming_the_field_and_nothing_is_written(profile, roles, field):
    accounts = FakeAccounts()
    with pytest.raises(Invalid) as caught:
        await cases.invite(accounts, profile, roles, actor="alice", now=NOW, links=LINKS)
    assert caught.value.field == field and caught.value.message
    assert accounts.rows == {} and accounts.links == {}


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        ("street_officer", {}, "street"),
        ("street_officer", {"street": "999999999"}, "street"),
        ("community_worker", {"street": "110101006"}, "community"),
        ("district_department", {"purchaser": "东城"}, "purchaser"),
        ("org", {}, "org_id"),
        ("emperor", {}, "role"),
    ],
)
def test_a_role_needs_exactly_its_scope(role, scope, field):
    with pytest.raises(Invalid) as caught:
        Grant.of(role, **scope)
    assert caught.value.field == field


def test_a_role_drops_scope_it_does_not_have():
    assert Grant.of("reviewer", street="110101006", purchaser="X1") == Grant(Role.REVIEWER)


async def test_a_login_is_taken_once_whatever_its_case():
    accounts = FakeAccounts()
    await invited(accounts, "wangmin")
    with pytest.raises(Conflict):
        await invited(accounts, "WangMin")


async def test_the_invitee_sets_a_password_once_and_the_account_becomes_active():
    accounts, sessions, hashing = FakeAccounts(), FakeSessions(), QuickPasswords()
    account, (event,) = await invited(accounts)
    secret = secret_of(event.invitation_url)
    _, events = await cases.set_password(accounts, sessions, hashing, secret, GOOD, now=NOW)
    assert isinstance(events[0], AccountActivated) and events[0].account.status == "active"
    assert accounts.rows[account.account_id].status is Status.ACTIVE
    with pytest.raises(cases.LinkGone):
        await cases.set_password(accounts, sessions, hashing, secret, "Another-2026x", now=NOW)


async def test_an_expired_link_is_refused():
    accounts = FakeAccounts()
    _, (event,) = await invited(accounts)
    with pytest.raises(cases.LinkGone) as caught:
        await cases.set_password(
            accounts,
            FakeSessions(),
            QuickPasswords(),
            secret_of(event.invitation_url),
            GOOD,
            now=NOW + timedelta(days=7, seconds=1),
        )
    assert "过期" in caught.value.message


async def test_an_unknown_link_is_not_found():
    with pytest.raises(NotFound):
        await cases.open_link(FakeAccounts(), "made-up", now=NOW)


@pytest.mark.parametrize(
    ("password", "why"),
    [("Short-1a", "至少"), ("alllowercaseletters", "三类"), ("Wangmin-2026!", "登录名"), ("Password123", "常见")],
)
async def test_a_weak_password_is_refused_and_the_link_still_works(password, why):
    accounts = FakeAccounts()
    _, (event,) = await invited(accounts)
    secret = secret_of(event.invitation_url)
    with pytest.raises(Invalid) as caught:
        await cases.set_password(accounts, FakeSessions(), QuickPasswords(), secret, password, now=NOW)
    assert caught.value.field == "password" and why in caught.value.message
    await cases.open_link(accounts, secret, now=NOW)


async def test_disabling_ends_every_session_at_once_and_is_audited():
    accounts, sessions = FakeAccounts(), FakeSessions()
    account, _ = await invited(accounts)
    for i in range(3):
        await sessions.create(
            bytes([i]),
            account.account_id,
            stage="full",
            acting_role=0,
            now=NOW,
            expires_at=NOW + timedelta(hours=8),
            ip=None,
        )
    (event,) = await cases.disable(accounts, sessions, account.account_id, "离职", actor="alice", now=NOW)
    assert isinstance(event, AccountDisabled) and event.reason == "离职" and event.account.status == "disabled"
    assert sessions.rows == {}
    assert accounts.audits[-1]["action"] == "disabled" and accounts.audits[-1]["detail"]["sessions_ended"] == 3
    with pytest.raises(Conflict):
        await cases.disable(accounts, sessions, account.account_id, "again", actor="alice", now=NOW)


async def test_a_disabled_accounts_links_stop_working_and_enabling_does_not_revive_them():
    accounts, sessions = FakeAccounts(), FakeSessions()
    account, (invite,) = await invited(accounts)
    await cases.disable(accounts, sessions, account.account_id, "误发", actor="alice", now=NOW)
    with pytest.raises(cases.LinkGone):
        await cases.open_link(accounts, secret_of(invite.invitation_url), now=NOW)
    (enabled,) = await cases.enable(accounts, account.account_id, actor="alice", now=NOW)
    assert isinstance(enabled, AccountEnabled) and enabled.account.status == "invited"
    with pytest.raises(cases.LinkGone):
        await cases.open_link(accounts, secret_of(invite.invitation_url), now=NOW)


async def test_a_reset_replaces_earlier_links_and_an_invitee_is_invited_again():
    accounts = FakeAccounts()
    account, (first,) = await invited(accounts)
    (again,) = await cases.reset_password(accounts, account.account_id, actor="alice", now=NOW, links=LINKS)
    assert isinstance(again, AccountInvited)
    with pytest.raises(cases.LinkGone):
        await cases.open_link(accounts, secret_of(first.invitation_url), now=NOW)
    await cases.set_password(accounts, FakeSessions(), QuickPasswords(), secret_of(again.invitation_url), GOOD, now=NOW)
    (reset,) = await cases.reset_password(accounts, account.account_id, actor="alice", now=NOW, links=LINKS)
    assert isinstance(reset, PasswordResetIssued) and reset.expires_at == NOW + timedelta(hours=24)


async def test_changing_roles_names_the_previous_ones_and_ends_sessions():
    accounts, sessions = FakeAccounts(), FakeSessions()
    account, _ = await invited(accounts)
    await sessions.create(
        b"s", account.account_id, stage="full", acting_role=0, now=NOW, expires_at=NOW + timedelta(hours=1), ip=None
    )
    org = uuid4()
    (event,) = await cases.change_roles(
        accounts,
        sessions,
        account.account_id,
        [Grant(Role.REVIEWER), Grant.of("org", org_id=org)],
        actor="alice",
        now=NOW,
    )
    assert isinstance(event, AccountRolesChanged)
    assert [r.role for r in event.previous_roles] == ["street_officer"]
    assert [r.role for r in event.account.roles] == ["reviewer", "org"] and event.account.roles[1].org_id == org
    assert event.account.version > 1 and sessions.rows == {}


def test_only_a_district_admin_manages_accounts_and_nobody_disables_themselves():
    from console.access import check_manages_accounts, check_not_self
    from shared.auth import Principal

    check_manages_accounts(Principal("alice", Role.DISTRICT_ADMIN))
    for p in (None, Principal("bob", Role.STREET_OFFICER, street="110101006"), Principal("r", Role.REVIEWER)):
        with pytest.raises(Forbidden):
            check_manages_accounts(p)
    with pytest.raises(Forbidden):
        check_not_self(Principal("alice", Role.DISTRICT_ADMIN), "Alice", "停用")
