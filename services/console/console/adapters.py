"""The slow and the secret parts behind the use cases' ports: Argon2id off the event loop, and the
issuer's key ring signing access tokens."""

from __future__ import annotations

import asyncio
from typing import Any

from console.domain.accounts import Grant
from console.domain.passwords import Hasher
from shared.auth import mint
from shared.auth.keys import KeyRing


class ThreadedPasswords:
    """`Hasher` in a worker thread, so a sign-in does not stall every other request."""

    def __init__(self, hasher: Hasher, *, at_once: int = 2) -> None:
        self.hasher = hasher
        # Argon2id takes tens of milliseconds and 64 MiB per hash: a few at once, whatever the load.
        self._slots = asyncio.Semaphore(at_once)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self.hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self.hasher.verify, stored, password)

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.needs_rehash(stored)


class RingMinter:
    """Access tokens signed with the ring's active key; a rotation by the operators' CLI is picked up
    before the next signature."""

    def __init__(self, ring: KeyRing, *, issuer: str) -> None:
        self.ring, self.issuer = ring, issuer

    def access_token(self, *, sub: str, grant: Any, ttl_seconds: int, extra: dict[str, Any] | None = None) -> str:
        g: Grant = grant
        self.ring.reload_if_changed()
        return mint(
            self.ring,
            issuer=self.issuer,
            sub=sub,
            role=g.role,
            street=g.street,
            org_id=g.org_id,
            purchaser=g.purchaser,
            community=g.community,
            ttl_seconds=ttl_seconds,
            extra=extra,
        )
