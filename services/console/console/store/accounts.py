"""Accounts, their one-time links and recovery codes, and the audit: every SQL statement for them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from console.domain.accounts import Account, Grant, Status
from shared.errors import Conflict

_COLUMNS = (
    "account_id, version, login, display_name, email, phone, roles, status, password_hash, totp_secret,"
    " totp_enabled, totp_last_step, failed_signins, locked_until, org_id, created_at, updated_at"
)


def _account(row: asyncpg.Record) -> Account:
    roles = row["roles"] if isinstance(row["roles"], list) else json.loads(row["roles"])
    return Account(
        account_id=row["account_id"],
        version=row["version"],
        login=row["login"],
        display_name=row["display_name"],
        email=row["email"],
        phone=row["phone"],
        roles=[Grant.from_json(r) for r in roles],
        status=Status(row["status"]),
        password_hash=row["password_hash"],
        totp_secret=row["totp_secret"],
        totp_enabled=row["totp_enabled"],
        totp_last_step=row["totp_last_step"],
        failed_signins=row["failed_signins"],
        locked_until=row["locked_until"],
        org_id=row["org_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class AccountStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, account_id: UUID, *, for_update: bool = False) -> Account | None:
        """An account by id (locked for the transaction with `for_update`)."""
        lock = " FOR UPDATE" if for_update else ""
        row = await self._conn.fetchrow(f"SELECT {_COLUMNS} FROM accounts WHERE account_id = $1{lock}", account_id)
        return None if row is None else _account(row)

    async def by_login(self, login: str, *, for_update: bool = False) -> Account | None:
        """An account by login, case-insensitively."""
        lock = " FOR UPDATE" if for_update else ""
        row = await self._conn.fetchrow(f"SELECT {_COLUMNS} FROM accounts WHERE lower(login) = lower($1){lock}", login)
        return None if row is None else _account(row)

    async def login_taken(self, login: str) -> bool:
        return bool(await self._conn.fetchval("SELECT 1 FROM accounts WHERE lower(login) = lower($1)", login))

    async def of_org(self, org_id: UUID) -> Account | None:
        """The account invited as an organisation's contact."""
        row = await self._conn.fetchrow(f"SELECT {_COLUMNS} FROM accounts WHERE org_id = $1", org_id)
        return None if row is None else _account(row)

    async def lock(self, key: str) -> None:
        """Serialise the transactions that decide about `key` (an organisation, a login) until they end."""
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", key)

    async def insert(self, account: Account) -> None:
        try:
            # In a savepoint: a clash leaves the surrounding transaction usable.
            async with self._conn.transaction():
                await self._conn.execute(
                    f"INSERT INTO accounts ({_COLUMNS})"
                    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
                    *_values(account),
                )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"登录名 {account.login} 已被使用", code="login_taken") from None

    async def update(self, account: Account) -> None:
        """Write the account back (its row was read FOR UPDATE in this transaction)."""
        await self._conn.execute(
            "UPDATE accounts SET version=$2, login=$3, display_name=$4, email=$5, phone=$6, roles=$7, status=$8,"
            " password_hash=$9, totp_secret=$10, totp_enabled=$11, totp_last_step=$12, failed_signins=$13,"
            " locked_until=$14, org_id=$15, created_at=$16, updated_at=$17 WHERE account_id=$1",
            *_values(account),
        )

    async def listing(self, *, text: str | None = None, status: str | None = None, limit: int = 200) -> list[Account]:
        """Accounts for the staff list, newest first, filtered by text (login, name, e-mail) and status."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM accounts"
            " WHERE ($1::text IS NULL OR login ILIKE '%' || $1 || '%' OR display_name ILIKE '%' || $1 || '%'"
            "        OR email ILIKE '%' || $1 || '%')"
            " AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, login LIMIT $3",
            text or None,
            status or None,
            limit,
        )
        return [_account(r) for r in rows]

    # --- one-time links ----------------------------------------------------------------------

    async def add_link(
        self, secret_hash: bytes, account_id: UUID, purpose: str, *, expires_at: datetime, now: datetime
    ) -> None:
        """A new link; the account's earlier unused links of any purpose stop working."""
        await self.spend_links(account_id, now)
        await self._conn.execute(
            "INSERT INTO one_time_links (secret_hash, account_id, purpose, expires_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            secret_hash,
            account_id,
            purpose,
            expires_at,
            now,
        )

    async def spend_links(self, account_id: UUID, now: datetime) -> None:
        """Every unused link of the account stops working."""
        await self._conn.execute(
            "UPDATE one_time_links SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL", account_id, now
        )

    async def link(self, secret_hash: bytes) -> dict[str, Any] | None:
        """A link's account, purpose and state, by its digest."""
        row = await self._conn.fetchrow(
            "SELECT account_id, purpose, expires_at, used_at FROM one_time_links WHERE secret_hash = $1 FOR UPDATE",
            secret_hash,
        )
        return None if row is None else dict(row)

    async def use_link(self, secret_hash: bytes, now: datetime) -> None:
        await self._conn.execute("UPDATE one_time_links SET used_at = $2 WHERE secret_hash = $1", secret_hash, now)

    # --- recovery codes ----------------------------------------------------------------------

    async def replace_recovery_codes(self, account_id: UUID, digests: Sequence[bytes]) -> None:
        await self._conn.execute("DELETE FROM recovery_codes WHERE account_id = $1", account_id)
        await self._conn.executemany(
            "INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)", [(account_id, d) for d in digests]
        )

    async def use_recovery_code(self, account_id: UUID, code_hash: bytes, now: datetime) -> bool:
        """Spend a recovery code; False when it is unknown or spent."""
        done = await self._conn.fetchval(
            "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL"
            " RETURNING 1",
            account_id,
            code_hash,
            now,
        )
        return bool(done)

    async def recovery_codes_left(self, account_id: UUID) -> int:
        return int(
            await self._conn.fetchval(
                "SELECT count(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL", account_id
            )
        )

    # --- audit -------------------------------------------------------------------------------

    async def audit(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        account_id: UUID | None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> None:
        """Record who did what to which account, when (and from where)."""
        await self._conn.execute(
            "INSERT INTO audit (at, actor, action, account_id, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)",
            at,
            actor,
            action,
            account_id,
            json.dumps(detail or {}, ensure_ascii=False),
            ip,
        )

    async def audit_of(self, account_id: UUID, limit: int = 50) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT at, actor, action, detail, ip FROM audit WHERE account_id = $1 ORDER BY at DESC, audit_id DESC"
            " LIMIT $2",
            account_id,
            limit,
        )
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


def _values(a: Account) -> tuple[Any, ...]:
    return (
        a.account_id,
        a.version,
        a.login,
        a.display_name,
        a.email,
        a.phone,
        json.dumps([g.as_json() for g in a.roles], ensure_ascii=False),
        a.status.value,
        a.password_hash,
        a.totp_secret,
        a.totp_enabled,
        a.totp_last_step,
        a.failed_signins,
        a.locked_until,
        a.org_id,
        a.created_at,
        a.updated_at,
    )
