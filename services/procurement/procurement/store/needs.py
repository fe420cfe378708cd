"""Community needs: their SQL and row ↔ entity mapping."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from procurement.domain.needs import CommunityNeed, NeedStatus, Urgency

_COLS = """id, street_code, community, title, description, residents, urgency, domain, raised_by, raised_on,
    status, reason, demand_id, edition_id, decided_by, decided_on"""


def _to_need(row: asyncpg.Record) -> CommunityNeed:
    return CommunityNeed(**{**dict(row), "urgency": Urgency(row["urgency"]), "status": NeedStatus(row["status"])})


class NeedStore:
    """Community needs and what became of them."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, n: CommunityNeed) -> None:
        await self._conn.execute(
            f"INSERT INTO community_needs ({_COLS}) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            n.id,
            n.street_code,
            n.community,
            n.title,
            n.description,
            n.residents,
            n.urgency.value,
            n.domain,
            n.raised_by,
            n.raised_on,
            n.status.value,
            n.reason,
            n.demand_id,
            n.edition_id,
            n.decided_by,
            n.decided_on,
        )

    async def locked(self, ids: list[UUID]) -> list[CommunityNeed]:
        rows = await self._conn.fetch(
            f"SELECT {_COLS} FROM community_needs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE", ids
        )
        return [_to_need(r) for r in rows]

    async def save_decision(self, n: CommunityNeed) -> None:
        await self._conn.execute(
            """UPDATE community_needs SET status = $2, reason = $3, demand_id = $4, edition_id = $5,
    decided_by = $6, decided_on = $7 WHERE id = $1""",
            n.id,
            n.status.value,
            n.reason,
            n.demand_id,
            n.edition_id,
            n.decided_by,
            n.decided_on,
        )

    async def listing(self, *, street: str | None, community: str | None) -> list[CommunityNeed]:
        rows = await self._conn.fetch(
            f"""SELECT {_COLS} FROM community_needs
WHERE ($1::text IS NULL OR street_code = $1) AND ($2::text IS NULL OR community = $2)
ORDER BY raised_on DESC, created_at DESC""",
            street,
            community,
        )
        return [_to_need(r) for r in rows]

    async def of_demands(self, demand_ids: list[UUID]) -> list[CommunityNeed]:
        """The needs merged into these demands (the link a demand keeps to where it came from)."""
        rows = await self._conn.fetch(
            f"SELECT {_COLS} FROM community_needs WHERE demand_id = ANY($1::uuid[]) ORDER BY community, id",
            demand_ids,
        )
        return [_to_need(r) for r in rows]
