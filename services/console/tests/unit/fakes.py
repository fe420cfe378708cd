"""In-memory stores and a quick hasher for the use cases' unit tests (the Protocols of
`console/handlers/ports.py`), with the stores' own refusals (a login taken twice)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from console.domain.accounts import Account
from console.store.sessions import Client, Session
from shared.errors import Conflict


class FakeAccounts:
    def __init__(self) -> None:
        self.rows: dict[UUID, Account] = {}
        self.links: dict[bytes, dict[str, Any]] = {}
        self.codes: dict[tuple[UUID, bytes], datetime | None] = {}
        self.audits: list[dict[str, Any]] = []

    async def get(self, account_id: UUID, *, for_update: bool = False) -> Account | None:
        a = self.rows.get(account_id)
        return None if a is None else a.copy()

    async def by_login(self, login: str, *, for_update: bool = False) -> Account | None:
        return next((a.copy() for a in self.rows.values() if a.login.lower() == login.lower()), None)

    async def login_taken(self, login: str) -> bool:
        return any(a.login.lower() == login.lower() for a in self.rows.values())

    async def of_org(self, org_id: UUID) -> Account | None:
        return next((a.copy() for a in self.rows.values() if a.org_id == org_id), None)

    async def lock(self, key: str) -> None:
        self.locked = [*getattr(self, "locked", []), key]

    async def insert(self, account: Account) -> None:
        if await self.login_taken(account.login):
            raise Conflict("taken")
        self.rows[account.account_id] = account.copy()

    async def update(self, account: Account) -> None:
        self.rows[account.account_id] = account.copy()

    async def add_link(
        self, secret_hash: bytes, account_id: UUID, purpose: str, *, expires_at: datetime, now: datetime
    ) -> None:
        for link in self.links.values():
            if link["account_id"] == account_id and link["used_at"] is None:
                link["used_at"] = now
        self.links[secret_hash] = {
            "account_id": account_id,
            "purpose": purpose,
            "expires_at": expires_at,
            "used_at": None,
        }

    async def spend_links(self, account_id: UUID, now: datetime) -> None:
        for link in self.links.values():
            if link["account_id"] == account_id and link["used_at"] is None:
                link["used_at"] = now

    async def link(self, secret_hash: bytes) -> dict[str, Any] | None:
        link = self.links.get(secret_hash)
        return None if link is None else dict(link)

    async def use_link(self, secret_hash: bytes, now: datetime) -> None:
        self.links[secret_hash]["used_at"] = now

    async def replace_recovery_codes(self, account_id: UUID, digests: Sequence[bytes]) -> None:
        self.codes = {k: v for k, v in self.codes.items() if k[0] != account_id}
        self.codes.update({(account_id, d): None for d in digests})

    async def use_recovery_code(self, account_id: UUID, code_hash: bytes, now: datetime) -> bool:
        if (account_id, code_hash) in self.codes and self.codes[(account_id, code_hash)] is None:
            self.codes[(account_id, code_hash)] = now
            return True
        return False

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
        self.audits.append(
            {"at": at, "actor": actor, "action": action, "account_id": account_id, "detail": detail or {}, "ip": ip}
        )

    def actions(self) -> list[str]:
        return [a["action"] for a in self.audits]


@dataclass
class FakeSessions:
    rows: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    failures: list[tuple[str, datetime]] = field(default_factory=list)
    clients: dict[str, Client] = field(default_factory=dict)

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
        self.rows[session_hash] = {
            "account_id": account_id,
            "stage": stage,
            "acting_role": acting_role,
            "expires_at": expires_at,
        }

    async def get(self, session_hash: bytes, now: datetime) -> Session | None:
        row = self.rows.get(session_hash)
        return Session(**row) if row and row["expires_at"] > now else None

    async def delete(self, session_hash: bytes) -> None:
        self.rows.pop(session_hash, None)

    async def delete_of_account(self, account_id: UUID) -> int:
        gone = [k for k, v in self.rows.items() if v["account_id"] == account_id]
        for k in gone:
            del self.rows[k]
        return len(gone)

    async def set_acting_role(self, session_hash: bytes, index: int) -> None:
        self.rows[session_hash]["acting_role"] = index

    async def add_failure(self, ip: str, now: datetime) -> None:
        self.failures.append((ip, now))

    async def failures_since(self, ip: str, since: datetime) -> int:
        return sum(1 for i, at in self.failures if i == ip and at > since)

    async def client(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)


class QuickPasswords:
    """SHA-256 instead of Argon2id: the use cases' logic, not the hash's cost, is under test."""

    async def hash(self, password: str) -> str:
        return "sha256:" + hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, stored: str | None, password: str) -> bool:
        return stored is not None and stored == await self.hash(password)

    def needs_rehash(self, stored: str) -> bool:
        return not stored.startswith("sha256:")


class FakeMinter:
    def __init__(self) -> None:
        self.minted: list[dict[str, Any]] = []

    def access_token(self, *, sub: str, grant: Any, ttl_seconds: int, extra: dict[str, Any] | None = None) -> str:
        self.minted.append({"sub": sub, "grant": grant, "ttl": ttl_seconds, **(extra or {})})
        return f"token-{len(self.minted)}"
