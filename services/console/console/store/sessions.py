"""Sign-in sessions, failures counted per address, and service clients: every SQL statement for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Session:
    account_id: UUID
    stage: str
    acting_role: int
    expires_at: datetime


@dataclass(frozen=True)
class Client:
    client_id: str
    secret_hash: str
    display_name: str
    grant: dict[str, Any]
    disabled: bool


class SessionStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def create(
        self,
        session_hash: bytes,
        account_id: UUID,
        *,
        stage: str,
        acting_role: int,
        now: datetime,
        expires_at: datetime,
        ip: str | None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO sessions (session_hash, account_id, stage, acting_role, created_at, last_seen_at, expires_at,"
            " ip) VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
            session_hash,
            account_id,
            stage,
            acting_role,
            now,
            expires_at,
            ip,
        )

    async def get(self, session_hash: bytes, now: datetime) -> Session | None:
        """A live session by its digest (expired ones are not sessions)."""
        row = await self._conn.fetchrow(
            "SELECT account_id, stage, acting_role, expires_at FROM sessions"
            " WHERE session_hash = $1 AND expires_at > $2",
            session_hash,
            now,
        )
        return None if row is None else Session(**dict(row))

    async def delete(self, session_hash: bytes) -> None:
        await self._conn.execute("DELETE FROM sessions WHERE session_hash = $1", session_hash)

    async def delete_of_account(self, account_id: UUID) -> int:
        """End every session of an account (sign-out everywhere, a disabled account, a new password)."""
        status = await self._conn.execute("DELETE FROM sessions WHERE account_id = $1", account_id)
        return int(status.split()[-1])

    async def count_of_account(self, account_id: UUID, now: datetime) -> int:
        return int(
            await self._conn.fetchval(
                "SELECT count(*) FROM sessions WHERE account_id = $1 AND expires_at > $2", account_id, now
            )
        )

    async def set_acting_role(self, session_hash: bytes, index: int) -> None:
        await self._conn.execute("UPDATE sessions SET acting_role = $2 WHERE session_hash = $1", session_hash, index)

    async def purge_expired(self, now: datetime) -> None:
        await self._conn.execute("DELETE FROM sessions WHERE expires_at <= $1", now)

    # --- failures per address ---------------------------------------------------------------------

    async def add_failure(self, ip: str, now: datetime) -> None:
        await self._conn.execute("INSERT INTO signin_failures (ip, at) VALUES ($1, $2)", ip, now)

    async def failures_since(self, ip: str, since: datetime) -> int:
        return int(
            await self._conn.fetchval("SELECT count(*) FROM signin_failures WHERE ip = $1 AND at > $2", ip, since)
        )

    async def forget_failures_before(self, before: datetime) -> None:
        await self._conn.execute("DELETE FROM signin_failures WHERE at <= $1", before)

    # --- service clients ------------------------------------------------------------------------

    async def client(self, client_id: str) -> Client | None:
        row = await self._conn.fetchrow(
            "SELECT client_id, secret_hash, display_name, grant_json, disabled FROM service_clients"
            " WHERE client_id = $1",
            client_id,
        )
        if row is None:
            return None
        grant = row["grant_json"] if isinstance(row["grant_json"], dict) else json.loads(row["grant_json"])
        return Client(row["client_id"], row["secret_hash"], row["display_name"], grant, row["disabled"])

    async def put_client(self, client: Client, now: datetime) -> None:
        """Add a client or replace its secret and grant."""
        await self._conn.execute(
            "INSERT INTO service_clients (client_id, secret_hash, display_name, grant_json, disabled, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash,"
            " display_name = EXCLUDED.display_name, grant_json = EXCLUDED.grant_json, disabled = EXCLUDED.disabled",
            client.client_id,
            client.secret_hash,
            client.display_name,
            json.dumps(client.grant),
            client.disabled,
            now,
        )
