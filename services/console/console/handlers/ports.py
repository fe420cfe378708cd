"""What the use cases need of the stores and of the slow or secret parts: narrow interfaces, met by
the classes in `console/store/` and `console/adapters.py`, and by the unit tests' fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from console.domain.accounts import Account
from console.store.sessions import Client, Session


class Accounts(Protocol):
    async def get(self, account_id: UUID, *, for_update: bool = False) -> Account | None: ...

    async def by_login(self, login: str, *, for_update: bool = False) -> Account | None: ...

    async def login_taken(self, login: str) -> bool: ...

    async def of_org(self, org_id: UUID) -> Account | None: ...

    async def lock(self, key: str) -> None: ...

    async def insert(self, account: Account) -> None: ...

    async def update(self, account: Account) -> None: ...

    async def add_link(
        self, secret_hash: bytes, account_id: UUID, purpose: str, *, expires_at: datetime, now: datetime
    ) -> None: ...

    async def spend_links(self, account_id: UUID, now: datetime) -> None: ...

    async def link(self, secret_hash: bytes) -> dict[str, Any] | None: ...

    async def use_link(self, secret_hash: bytes, now: datetime) -> None: ...

    async def replace_recovery_codes(self, account_id: UUID, digests: Sequence[bytes]) -> None: ...

    async def use_recovery_code(self, account_id: UUID, code_hash: bytes, now: datetime) -> bool: ...

    async def audit(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        account_id: UUID | None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> None: ...


class Sessions(Protocol):
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
    ) -> None: ...

    async def get(self, session_hash: bytes, now: datetime) -> Session | None: ...

    async def delete(self, session_hash: bytes) -> None: ...

    async def delete_of_account(self, account_id: UUID) -> int: ...

    async def set_acting_role(self, session_hash: bytes, index: int) -> None: ...

    async def add_failure(self, ip: str, now: datetime) -> None: ...

    async def failures_since(self, ip: str, since: datetime) -> int: ...

    async def client(self, client_id: str) -> Client | None: ...


class Passwords(Protocol):
    """Argon2id, off the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, stored: str | None, password: str) -> bool: ...

    def needs_rehash(self, stored: str) -> bool: ...


class Minter(Protocol):
    """Signs access tokens with the issuer's active key."""

    def access_token(self, *, sub: str, grant: Any, ttl_seconds: int, extra: dict[str, Any] | None = None) -> str: ...
