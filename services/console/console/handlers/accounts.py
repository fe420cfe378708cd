"""What staff do to accounts — invite, disable, enable, reset a password, change roles — and what a
person does with a one-time link. Each change is audited (who, when, what) and is an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from console.domain import passwords
from console.domain.accounts import Account, Grant, Profile, Status
from console.domain.secrets import digest, new_secret
from console.handlers.ports import Accounts, Passwords, Sessions
from shared.contracts.base import IntegrationEvent
from shared.contracts.console import AccountInvited, PasswordResetIssued
from shared.errors import Conflict, DomainError, NotFound


class LinkGone(DomainError):
    """A one-time link that was used, replaced or has expired."""

    status_code = 410
    code = "link_gone"


@dataclass(frozen=True)
class Links:
    """Where one-time links point and how long they work."""

    base_url: str
    invitation_valid: timedelta
    reset_valid: timedelta

    def url(self, secret: str) -> str:
        return f"{self.base_url}/password/{secret}"


async def invite(
    accounts: Accounts,
    profile: Profile,
    roles: list[Grant],
    *,
    actor: str,
    now: datetime,
    links: Links,
    org_id: UUID | None = None,
    ip: str | None = None,
) -> tuple[Account, list[IntegrationEvent]]:
    """A new account and its invitation, e-mailed by notify from the event."""
    account = Account.invite(uuid4(), profile, roles, now=now, org_id=org_id)
    if await accounts.login_taken(account.login):
        raise Conflict(f"登录名 {account.login} 已被使用", code="login_taken")
    await accounts.insert(account)
    event = await _invitation(accounts, account, actor=actor, now=now, links=links)
    await accounts.audit(
        at=now,
        actor=actor,
        action="invited",
        account_id=account.account_id,
        detail={"roles": [g.as_json() for g in roles], "email": account.email},
        ip=ip,
    )
    return account, [event]


async def _invitation(
    accounts: Accounts, account: Account, *, actor: str, now: datetime, links: Links
) -> AccountInvited:
    secret = new_secret()
    expires = now + links.invitation_valid
    await accounts.add_link(digest(secret), account.account_id, "invitation", expires_at=expires, now=now)
    return AccountInvited(account=account.snapshot(), invitation_url=links.url(secret), expires_at=expires, actor=actor)


async def _load(accounts: Accounts, account_id: UUID) -> Account:
    account = await accounts.get(account_id, for_update=True)
    if account is None:
        raise NotFound("账号不存在")
    return account


async def disable(
    accounts: Accounts,
    sessions: Sessions,
    account_id: UUID,
    reason: str,
    *,
    actor: str,
    now: datetime,
    ip: str | None = None,
) -> list[IntegrationEvent]:
    """Disable an account: its sessions and one-time links end in the same transaction; no token is
    minted for it again."""
    account = await _load(accounts, account_id)
    event = account.disable(reason, actor=actor, now=now)
    await accounts.update(account)
    ended = await sessions.delete_of_account(account_id)
    await accounts.spend_links(account_id, now)
    await accounts.audit(
        at=now,
        actor=actor,
        action="disabled",
        account_id=account_id,
        detail={"reason": event.reason, "sessions_ended": ended},
        ip=ip,
    )
    return [event]


async def enable(
    accounts: Accounts, account_id: UUID, *, actor: str, now: datetime, ip: str | None = None
) -> list[IntegrationEvent]:
    account = await _load(accounts, account_id)
    event = account.enable(actor=actor, now=now)
    await accounts.update(account)
    await accounts.audit(at=now, actor=actor, action="enabled", account_id=account_id, ip=ip)
    return [event]


async def change_roles(
    accounts: Accounts,
    sessions: Sessions,
    account_id: UUID,
    roles: list[Grant],
    *,
    actor: str,
    now: datetime,
    ip: str | None = None,
) -> list[IntegrationEvent]:
    """New roles apply from the next sign-in: the account's sessions end (a new admin must enrol TOTP)."""
    account = await _load(accounts, account_id)
    event = account.change_roles(roles, actor=actor, now=now)
    await accounts.update(account)
    await sessions.delete_of_account(account_id)
    await accounts.audit(
        at=now,
        actor=actor,
        action="roles_changed",
        account_id=account_id,
        detail={
            "previous": [r.model_dump(mode="json", exclude_none=True) for r in event.previous_roles],
            "roles": [g.as_json() for g in roles],
        },
        ip=ip,
    )
    return [event]


async def reset_password(
    accounts: Accounts, account_id: UUID, *, actor: str, now: datetime, links: Links, ip: str | None = None
) -> list[IntegrationEvent]:
    """A new one-time link (earlier ones stop working): an invitee is invited again, anyone else
    gets a reset link. The password stays until the link is used."""
    account = await _load(accounts, account_id)
    if account.status is Status.DISABLED:
        raise Conflict("账号已停用，请先启用再重置密码", code="account_disabled")
    if account.email is None:
        raise Conflict("账号没有电子邮箱，无法发送重置链接", code="no_email")
    account.version += 1
    account.updated_at = now
    await accounts.update(account)
    event: IntegrationEvent
    if account.status is Status.INVITED:
        event = await _invitation(accounts, account, actor=actor, now=now, links=links)
    else:
        secret = new_secret()
        expires = now + links.reset_valid
        await accounts.add_link(digest(secret), account_id, "reset", expires_at=expires, now=now)
        event = PasswordResetIssued(
            account=account.snapshot(), reset_url=links.url(secret), expires_at=expires, actor=actor
        )
    await accounts.audit(at=now, actor=actor, action="password_reset_issued", account_id=account_id, ip=ip)
    return [event]


async def open_link(accounts: Accounts, secret: str, *, now: datetime) -> Account:
    """The account a one-time link is for, if the link still works (else 404 or 410, in Chinese)."""
    link = await accounts.link(digest(secret))
    if link is None:
        raise NotFound("链接无效")
    if link["used_at"] is not None:
        raise LinkGone("链接已使用或已失效，请联系管理员重新发送")
    if link["expires_at"] <= now:
        raise LinkGone("链接已过期，请联系管理员重新发送")
    account = await accounts.get(link["account_id"], for_update=True)
    if account is None or account.status is Status.DISABLED:
        raise LinkGone("账号已停用")
    return account


async def set_password(
    accounts: Accounts,
    sessions: Sessions,
    hashing: Passwords,
    secret: str,
    password: str,
    *,
    now: datetime,
    ip: str | None = None,
) -> tuple[Account, list[IntegrationEvent]]:
    """The person sets a password through a one-time link; the link is spent and every session ends."""
    account = await open_link(accounts, secret, now=now)
    passwords.check_policy(password, login=account.login)
    event = account.set_password(await hashing.hash(password), now=now)
    await accounts.update(account)
    await accounts.use_link(digest(secret), now)
    await sessions.delete_of_account(account.account_id)
    await accounts.audit(at=now, actor=account.login, action="password_set", account_id=account.account_id, ip=ip)
    return account, [event] if event else []
