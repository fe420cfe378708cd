"""Disabled accounts, refused at once: every service learns from the console's events which
accounts are disabled, and refuses a token naming one, however long the token still has to live
(docs/architecture.md §4). Access tokens live minutes; without this, a person disabled for cause
could go on for those minutes.

The kit registers the consumer in every service (`register`), on a queue of its own
(`<service>.kit.<routing key>`), so a service consuming the same events for its own reasons
keeps its queue. The state is a table of the service's own database (kit migration 0004),
written under the newest-version-wins rule, so duplicates and events out of order change
nothing; each process reads it again at most once a second, and only when it changed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg
import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.console import AccountDisabled, AccountEnabled
from shared.messaging.consumer import Consumers

log = structlog.get_logger("shared.revocation")

KEYS = (AccountDisabled, AccountEnabled)

_UPSERT = """
INSERT INTO disabled_accounts (account_id, subjects, version, disabled)
VALUES ($1, $2, $3, $4)
ON CONFLICT (account_id) DO UPDATE
   SET subjects = EXCLUDED.subjects, version = EXCLUDED.version, disabled = EXCLUDED.disabled,
       changed_at = clock_timestamp()
 WHERE disabled_accounts.version < EXCLUDED.version
"""
_STAMP = "SELECT max(changed_at) FROM disabled_accounts"
_DISABLED = "SELECT DISTINCT unnest(subjects) FROM disabled_accounts WHERE disabled"


async def learn(event: IntegrationEvent, conn: asyncpg.Connection) -> Sequence[IntegrationEvent]:
    """The account's state as the event's snapshot says, unless a newer snapshot is known."""
    assert isinstance(event, AccountDisabled | AccountEnabled)
    account = event.account
    disabled = account.status == "disabled"
    await conn.execute(_UPSERT, account.account_id, [str(account.account_id), account.login], account.version, disabled)
    log.info("account_state_learned", account_id=str(account.account_id), disabled=disabled, version=account.version)
    return []


def register(consumers: Consumers) -> None:
    """The kit's consumers of the console's account events, in `consumers`' service."""
    for event_cls in KEYS:
        key = event_cls.routing_key
        consumers.on(
            event_cls,
            name=f"kit.{key.removeprefix('console.').removesuffix('.v1')}",
            queue_name=f"{consumers.service}.kit.{key}",
            stores=lambda conn: conn,
        )(learn)


class DisabledAccounts:
    """The subjects (account ids and logins) of the disabled accounts, as this process last read
    them from the service's database; read again at most every `refresh_every` seconds, and then
    only when the table changed."""

    def __init__(self, pool: Callable[[], asyncpg.Pool | None], *, refresh_every: float = 1.0) -> None:
        self._pool, self._every = pool, refresh_every
        self._subjects: frozenset[str] = frozenset()
        self._stamp: datetime | None = None
        self._checked = float("-inf")
        self._lock = asyncio.Lock()

    async def named(self, subject: str) -> bool:
        """Whether `subject` names a disabled account."""
        if time.monotonic() - self._checked >= self._every:
            async with self._lock:
                if time.monotonic() - self._checked >= self._every:
                    await self._refresh()
        return subject in self._subjects

    async def _refresh(self) -> None:
        pool = self._pool()
        if pool is None:
            return  # no database yet: what was known stays; routes needing the database answer 503
        try:
            async with pool.acquire() as conn:
                stamp = await conn.fetchval(_STAMP)
                if stamp != self._stamp:
                    self._subjects = frozenset(r[0] for r in await conn.fetch(_DISABLED))
                    self._stamp = stamp
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("disabled_accounts_unread", error=repr(exc))
            return
        self._checked = time.monotonic()
