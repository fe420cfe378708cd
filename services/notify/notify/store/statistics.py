"""Counts for operators: notices, deliveries, reminders, waiting notices and the feed."""

from __future__ import annotations

from typing import Any

import asyncpg

_STATS = {
    "notices": "SELECT channel AS a, status AS b, count(*) AS n FROM notices GROUP BY 1, 2",
    "deliveries": "SELECT channel AS a, status AS b, count(*) AS n FROM deliveries GROUP BY 1, 2",
    "reminders": "SELECT name AS a, status AS b, count(*) AS n FROM reminders GROUP BY 1, 2",
}
_PENDING_COUNT = "SELECT count(*) FROM pending_notices WHERE resolved_at IS NULL"
_FEED_COUNT = "SELECT kind, count(*) AS n FROM feed_items GROUP BY 1"


class StatisticsStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def counts(self) -> dict[str, Any]:
        """Counts by channel/name and status, waiting notices and feed items."""
        out: dict[str, Any] = {}
        for name, sql in _STATS.items():
            table: dict[str, dict[str, int]] = {}
            for r in await self._conn.fetch(sql):
                table.setdefault(r["a"], {})[r["b"]] = r["n"]
            out[name] = table
        out["pending"] = await self._conn.fetchval(_PENDING_COUNT)
        out["feed_items"] = {r["kind"]: r["n"] for r in await self._conn.fetch(_FEED_COUNT)}
        return out
