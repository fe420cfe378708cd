"""A service's database: migrated, then pooled, retried in the background until PostgreSQL answers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import asyncpg
import structlog

from shared import db
from shared.backoff import Backoff

log = structlog.get_logger("shared.service")


class ServiceUnavailable(Exception):
    """A dependency is not there yet: HTTP answers 503 with Retry-After."""


async def connect_database(dsn: str, migrations: Sequence[Path], *, pool_size: int) -> asyncpg.Pool:
    """Apply pending migrations and open the pool, retrying (with the kit's backoff) until it works."""
    backoff = Backoff(0.5)
    while True:
        try:
            conn = await db.connect(dsn)
            try:
                await db.migrate(conn, migrations)
            finally:
                await conn.close()
            return await db.create_pool(dsn, max_size=pool_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("database_unavailable", error=str(exc), retry_in=backoff.delay)
            await backoff.sleep()
