"""Signing in and out: password, then the second factor; sessions whose id is new at every step up;
lockout of an account and refusal of an address after too many failures.

A refused attempt still commits what it counted, so these use cases return an outcome rather than
raise: the route reports it after the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from console.domain import totp
from console.domain.accounts import Account, Status
from console.domain.passwords import check_policy
from console.domain.secrets import digest, new_secret, normalise_code, recovery_codes
from console.handlers.ports import Accounts, Passwords, Sessions
from shared.errors import Conflict, Invalid

WRONG = "登录名或密码错误"
WRONG_CODE = "验证码错误或已使用"


@dataclass(frozen=True)
class Limits:
    lockout_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    ip_failures: int = 30
    ip_window: timedelta = timedelta(minutes=10)
    session: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class Outcome:
    """What an attempt came to: a new session (its secret, for the cookie) or a refusal (status, message)."""

    session: str | None = None
    stage: str | None = None
    status: int = 200
    message: str = ""
    account_id: UUID | None = None

    @property
    def ok(self) -> bool:
        return self.session is not None


def _stage(account: Account) -> str:
    if account.totp_enabled:
        return "password"
    return "enrol" if account.requires_totp else "full"


async def _new_session(
    sessions: Sessions,
    account: Account,
    *,
    stage: str,
    now: datetime,
    limits: Limits,
    ip: str | None,
    replacing: bytes | None,
    acting_role: int = 0,
) -> str:
    """A session with a new id; the one it replaces (an earlier step, or whatever cookie came along) ends."""
    if replacing is not None:
        await sessions.delete(replacing)
    secret = new_secret()
    await sessions.create(
        digest(secret),
        account.account_id,
        stage=stage,
        acting_role=acting_role,
        now=now,
        expires_at=now + limits.session,
        ip=ip,
    )
    return secret


async def sign_in(
    accounts: Accounts,
    sessions: Sessions,
    hashing: Passwords,
    login: str,
    password: str,
    *,
    ip: str,
    now: datetime,
    limits: Limits,
    previous: bytes | None = None,
) -> Outcome:
    """Check a login and password; a right one opens a session at the stage the account needs next."""
    if await sessions.failures_since(ip, now - limits.ip_window) >= limits.ip_failures:
        return Outcome(status=429, message="登录失败次数过多，请稍后再试")
    account = await accounts.by_login(login.strip(), for_update=True) if login.strip() else None
    # Verified even for an unknown login (against a decoy hash): the answer takes as long either way.
    right = await hashing.verify(account.password_hash if account else None, password)
    if account is not None and account.locked(now):
        await sessions.add_failure(ip, now)
        return Outcome(status=423, message="连续登录失败次数过多，账号已临时锁定，请稍后再试")
    if account is None or not right or account.status is not Status.ACTIVE:
        await sessions.add_failure(ip, now)
        if account is not None:
            if account.sign_in_failed(now=now, limit=limits.lockout_failures, lock_for=limits.lockout):
                await accounts.audit(at=now, actor=account.login, action="locked", account_id=account.account_id, ip=ip)
            await accounts.update(account)
            await accounts.audit(
                at=now, actor=account.login, action="sign_in_failed", account_id=account.account_id, ip=ip
            )
        disabled = right and account is not None and account.status is Status.DISABLED
        return Outcome(status=401, message="账号已停用" if disabled else WRONG)
    account.signed_in()
    if account.password_hash is not None and hashing.needs_rehash(account.password_hash):
        account.password_hash = await hashing.hash(password)  # the deployment raised the Argon2id cost
    await accounts.update(account)
    stage = _stage(account)
    secret = await _new_session(sessions, account, stage=stage, now=now, limits=limits, ip=ip, replacing=previous)
    await accounts.audit(
        at=now,
        actor=account.login,
        action="signed_in" if stage == "full" else "password_accepted",
        account_id=account.account_id,
        ip=ip,
    )
    return Outcome(session=secret, stage=stage, account_id=account.account_id)


async def second_factor(
    accounts: Accounts,
    sessions: Sessions,
    session_hash: bytes,
    code: str,
    *,
    ip: str,
    now: datetime,
    limits: Limits,
) -> Outcome:
    """The TOTP code (or a recovery code) after the password: the session steps up under a new id."""
    session = await sessions.get(session_hash, now)
    if session is None or session.stage != "password":
        return Outcome(status=401, message="请先输入登录名和密码")
    account = await accounts.get(session.account_id, for_update=True)
    if account is None or not account.may_sign_in() or account.totp_secret is None:
        await sessions.delete(session_hash)
        return Outcome(status=401, message="请重新登录")
    if account.locked(now):
        await sessions.delete(session_hash)
        return Outcome(status=423, message="连续登录失败次数过多，账号已临时锁定，请稍后再试")
    step = totp.accepted_step(account.totp_secret, code, now=now, last_step=account.totp_last_step)
    used = "totp"
    if step is None and len(normalise_code(code)) > 6:
        used = (
            "recovery_code"
            if await accounts.use_recovery_code(account.account_id, digest(normalise_code(code)), now)
            else ""
        )
    if step is None and used != "recovery_code":
        await sessions.add_failure(ip, now)
        locked = account.sign_in_failed(now=now, limit=limits.lockout_failures, lock_for=limits.lockout)
        await accounts.update(account)
        await accounts.audit(
            at=now, actor=account.login, action="second_factor_failed", account_id=account.account_id, ip=ip
        )
        if locked:
            await sessions.delete(session_hash)
            return Outcome(status=423, message="连续登录失败次数过多，账号已临时锁定，请稍后再试")
        return Outcome(status=401, message=WRONG_CODE)
    if step is not None:
        account.totp_last_step = step
    account.signed_in()
    await accounts.update(account)
    secret = await _new_session(
        sessions,
        account,
        stage="full",
        now=now,
        limits=limits,
        ip=ip,
        replacing=session_hash,
        acting_role=session.acting_role,
    )
    await accounts.audit(
        at=now,
        actor=account.login,
        action="signed_in",
        account_id=account.account_id,
        ip=ip,
        detail={"second_factor": used},
    )
    return Outcome(session=secret, stage="full", account_id=account.account_id)


async def begin_enrolment(accounts: Accounts, account_id: UUID) -> str:
    """A new TOTP secret for the account, not yet in force (enrolment confirms it with a code)."""
    account = await accounts.get(account_id, for_update=True)
    if account is None:
        raise Conflict("账号不存在")
    if account.totp_enabled:
        raise Conflict("已启用两步验证", code="totp_enabled")
    if account.totp_secret is None:
        account.totp_secret = totp.new_secret()
        await accounts.update(account)
    return account.totp_secret


async def confirm_enrolment(
    accounts: Accounts,
    sessions: Sessions,
    session_hash: bytes,
    code: str,
    *,
    ip: str,
    now: datetime,
    limits: Limits,
) -> tuple[str, list[str]]:
    """The first code from the authenticator puts TOTP in force; returns a new session (every other
    one ends) and the recovery codes, shown once."""
    session = await sessions.get(session_hash, now)
    if session is None or session.stage not in ("enrol", "full"):
        raise Conflict("请先登录")
    account = await accounts.get(session.account_id, for_update=True)
    if account is None or account.totp_secret is None or account.totp_enabled:
        raise Conflict("请重新开始两步验证设置")
    step = totp.accepted_step(account.totp_secret, code, now=now, last_step=account.totp_last_step)
    if step is None:
        raise Invalid("code", "验证码不正确，请检查手机时间后重试")
    account.totp_enabled, account.totp_last_step = True, step
    account.version += 1
    await accounts.update(account)
    codes = recovery_codes()
    await accounts.replace_recovery_codes(account.account_id, [digest(normalise_code(c)) for c in codes])
    await sessions.delete_of_account(account.account_id)
    secret = await _new_session(
        sessions, account, stage="full", now=now, limits=limits, ip=ip, replacing=None, acting_role=session.acting_role
    )
    await accounts.audit(at=now, actor=account.login, action="totp_enrolled", account_id=account.account_id, ip=ip)
    return secret, codes


async def sign_out_everywhere(
    accounts: Accounts, sessions: Sessions, account_id: UUID, *, now: datetime, ip: str | None
) -> int:
    ended = await sessions.delete_of_account(account_id)
    account = await accounts.get(account_id)
    await accounts.audit(
        at=now,
        actor=account.login if account else str(account_id),
        action="signed_out_everywhere",
        account_id=account_id,
        ip=ip,
        detail={"sessions_ended": ended},
    )
    return ended


async def change_password(
    accounts: Accounts,
    sessions: Sessions,
    hashing: Passwords,
    account_id: UUID,
    current: str,
    new: str,
    *,
    acting_role: int,
    now: datetime,
    limits: Limits,
    ip: str | None,
) -> str:
    """The person's own change, with the current password: every session ends, this one goes on under a new id."""
    account = await accounts.get(account_id, for_update=True)
    if account is None or not await hashing.verify(account.password_hash, current):
        raise Invalid("current_password", "当前密码不正确")
    check_policy(new, login=account.login)
    account.set_password(await hashing.hash(new), now=now)
    await accounts.update(account)
    await sessions.delete_of_account(account_id)
    secret = await _new_session(
        sessions, account, stage="full", now=now, limits=limits, ip=ip, replacing=None, acting_role=acting_role
    )
    await accounts.audit(at=now, actor=account.login, action="password_changed", account_id=account_id, ip=ip)
    return secret
