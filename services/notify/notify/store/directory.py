"""The recipient directory: organisations, purchasers and the rest, learned from events."""

from __future__ import annotations

import asyncpg

from notify.domain import Entry
from notify.store.rows import lock, record
from shared.readmodel import versioned_upsert

_ENTRY_COLS = "kind, key, name, email, webhook_url, street_code, status, ref"
_GET_ENTRY = f"SELECT {_ENTRY_COLS} FROM directory WHERE kind = $1 AND key = $2"
# Newest snapshot wins, on the directory's composite key (kind, key).
_UPSERT_VERSIONED = versioned_upsert(
    "directory",
    ("kind", "key"),
    ["name", "email", "webhook_url", "street_code", "status", "ref", "domains"],
)
_ORGS_IN_DOMAIN = f"""SELECT {_ENTRY_COLS} FROM directory
    WHERE kind = 'org' AND $1 = ANY(domains) AND status = 'registered' ORDER BY key"""


class DirectoryStore:
    """Directory entries on one connection (the caller owns the transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        # Entries this store read and nothing since changed (one event's work reads the same
        # recipient more than once). Absent ones are never kept: "not known" must be read again
        # under the recipient's lock, or a notice could wait for a recipient already learned.
        self._known: dict[tuple[str, str], Entry] = {}

    async def entry(self, kind: str, key: str) -> Entry | None:
        if (kind, key) in self._known:
            return self._known[kind, key]
        row = await self._conn.fetchrow(_GET_ENTRY, kind, key)
        if row is None:
            return None
        self._known[kind, key] = found = record(Entry, row)
        return found

    async def learn(self, entry: Entry, *, version: int, domains: list[str] | None = None) -> bool:
        """Store an entry unless a newer version is already known; True when it was applied."""
        self._known.pop((entry.kind, entry.key), None)
        applied = await self._conn.fetchval(
            _UPSERT_VERSIONED,
            entry.kind,
            entry.key,
            version,
            entry.name,
            entry.email,
            entry.webhook_url,
            entry.street_code,
            entry.status,
            entry.ref,
            domains or [],
        )
        return applied is not None

    async def lock_recipient(self, kind: str, key: str) -> None:
        """Serialise "is the recipient known? else wait" against "the recipient is now known" (until commit)."""
        await lock(self._conn, f"{kind}:{key}")
        self._known.pop((kind, key), None)  # read it again under the lock

    async def orgs_in_domain(self, domain: str) -> list[Entry]:
        return [record(Entry, r) for r in await self._conn.fetch(_ORGS_IN_DOMAIN, domain)]
