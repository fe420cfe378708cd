"""Public-welfare claiming: editions, items and claims — their SQL and row ↔ entity mapping."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from venture.domain.claiming import (
    Claim,
    ClaimerKind,
    ClaimStatus,
    Edition,
    EditionStatus,
    Item,
    ItemStatus,
)

_EDITION_COLS = """id, number, title, street_code, community, organiser_org_id, organiser_name, opens_on,
    closes_on, status, created_by"""
_ITEM_COLS = """id, edition_id, title, need, category, community, beneficiaries_expected, needs, shares, status,
    held_shares, confirmed_shares, delivered, person_times, report_ref, completed_on"""
_CLAIM_COLS = """id, item_id, edition_id, kind, claimer_name, claimer_org_id, phone, shares, note, status, reason,
    claimed_on, decided_on"""


def _to_edition(row: asyncpg.Record) -> Edition:
    return Edition(**{**dict(row), "status": EditionStatus(row["status"])})


def _to_item(row: asyncpg.Record, claims: list[Claim]) -> Item:
    return Item(**{**dict(row), "needs": list(row["needs"]), "status": ItemStatus(row["status"]), "claims": claims})


def _to_claim(row: asyncpg.Record) -> Claim:
    return Claim(**{**dict(row), "kind": ClaimerKind(row["kind"]), "status": ClaimStatus(row["status"])})


class ClaimingStore:
    """Editions (届), their items and the claims on them."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def edition(self, edition_id: UUID, *, for_update: bool = False) -> Edition | None:
        sql = f"SELECT {_EDITION_COLS} FROM claim_editions WHERE id = $1" + (" FOR UPDATE" if for_update else "")
        row = await self._conn.fetchrow(sql, edition_id)
        return None if row is None else _to_edition(row)

    async def editions(self) -> list[Edition]:
        rows = await self._conn.fetch(
            f"SELECT {_EDITION_COLS} FROM claim_editions ORDER BY street_code, community, number"
        )
        return [_to_edition(r) for r in rows]

    async def edition_number_taken(self, street_code: str, community: str, number: int) -> bool:
        return bool(
            await self._conn.fetchval(
                """SELECT EXISTS (SELECT 1 FROM claim_editions
    WHERE street_code = $1 AND community = $2 AND number = $3)""",
                street_code,
                community,
                number,
            )
        )

    async def add_edition(self, e: Edition) -> None:
        await self._conn.execute(
            f"INSERT INTO claim_editions ({_EDITION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            e.id,
            e.number,
            e.title,
            e.street_code,
            e.community,
            e.organiser_org_id,
            e.organiser_name,
            e.opens_on,
            e.closes_on,
            e.status.value,
            e.created_by,
        )

    async def save_edition_status(self, e: Edition) -> None:
        await self._conn.execute("UPDATE claim_editions SET status = $2 WHERE id = $1", e.id, e.status.value)

    async def item(self, item_id: UUID, *, for_update: bool = False) -> Item | None:
        sql = f"SELECT {_ITEM_COLS} FROM claim_items WHERE id = $1" + (" FOR UPDATE" if for_update else "")
        row = await self._conn.fetchrow(sql, item_id)
        if row is None:
            return None
        claims = await self._conn.fetch(
            f"SELECT {_CLAIM_COLS} FROM claims WHERE item_id = $1 ORDER BY created_at, id", item_id
        )
        return _to_item(row, [_to_claim(c) for c in claims])

    async def items_of(self, edition_id: UUID) -> list[Item]:
        rows = await self._conn.fetch(
            f"SELECT {_ITEM_COLS} FROM claim_items WHERE edition_id = $1 ORDER BY created_at, id", edition_id
        )
        claims = await self._conn.fetch(
            f"SELECT {_CLAIM_COLS} FROM claims WHERE edition_id = $1 ORDER BY created_at, id", edition_id
        )
        by_item: dict[UUID, list[Claim]] = {}
        for c in claims:
            by_item.setdefault(c["item_id"], []).append(_to_claim(c))
        return [_to_item(r, by_item.get(r["id"], [])) for r in rows]

    async def add_item(self, i: Item) -> None:
        await self._conn.execute(
            """INSERT INTO claim_items (id, edition_id, title, need, category, community, beneficiaries_expected,
    needs, shares, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            i.id,
            i.edition_id,
            i.title,
            i.need,
            i.category,
            i.community,
            i.beneficiaries_expected,
            i.needs,
            i.shares,
            i.status.value,
        )

    async def save_item(self, i: Item) -> None:
        await self._conn.execute(
            """UPDATE claim_items SET status = $2, held_shares = $3, confirmed_shares = $4, delivered = $5,
    person_times = $6, report_ref = $7, completed_on = $8 WHERE id = $1""",
            i.id,
            i.status.value,
            i.held_shares,
            i.confirmed_shares,
            i.delivered,
            i.person_times,
            i.report_ref,
            i.completed_on,
        )

    async def claim_item_of(self, claim_id: UUID) -> UUID | None:
        return await self._conn.fetchval("SELECT item_id FROM claims WHERE id = $1", claim_id)  # type: ignore[no-any-return]

    async def add_claim(self, c: Claim) -> None:
        await self._conn.execute(
            f"INSERT INTO claims ({_CLAIM_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            c.id,
            c.item_id,
            c.edition_id,
            c.kind.value,
            c.claimer_name,
            c.claimer_org_id,
            c.phone,
            c.shares,
            c.note,
            c.status.value,
            c.reason,
            c.claimed_on,
            c.decided_on,
        )

    async def save_claim(self, c: Claim) -> None:
        await self._conn.execute(
            "UPDATE claims SET status = $2, reason = $3, decided_on = $4 WHERE id = $1",
            c.id,
            c.status.value,
            c.reason,
            c.decided_on,
        )

    async def public_claims_on(self, phone: str, day: date) -> int:
        """How many claims this phone number made on this day (the public page's rate limit)."""
        return int(
            await self._conn.fetchval("SELECT count(*) FROM claims WHERE phone = $1 AND claimed_on = $2", phone, day)
        )

    async def statistics(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Per edition and overall: items, claims by claimer kind, completed items, person-times."""
        per = await self._conn.fetch(_STATS_PER_EDITION)
        overall = await self._conn.fetchrow(_STATS_OVERALL)
        return [dict(r) for r in per], dict(overall or {})


_CLAIM_KINDS = """
    count(c.id) FILTER (WHERE c.status <> 'declined') AS claims,
    count(c.id) FILTER (WHERE c.status <> 'declined' AND c.kind = 'party_branch') AS by_party_branch,
    count(c.id) FILTER (WHERE c.status <> 'declined' AND c.kind = 'org') AS by_org,
    count(c.id) FILTER (WHERE c.status <> 'declined' AND c.kind = 'party_member') AS by_party_member,
    count(c.id) FILTER (WHERE c.status <> 'declined' AND c.kind = 'resident') AS by_resident"""

_STATS_PER_EDITION = f"""
WITH i AS (
    SELECT edition_id, count(*) AS items, count(*) FILTER (WHERE status = 'completed') AS completed,
           coalesce(sum(person_times), 0) AS person_times
    FROM claim_items GROUP BY edition_id
), c AS (
    SELECT c.edition_id, {_CLAIM_KINDS} FROM claims c GROUP BY c.edition_id
)
SELECT e.id, e.number, e.title, e.street_code, e.community, e.organiser_name,
       coalesce(i.items, 0) AS items, coalesce(i.completed, 0) AS completed,
       coalesce(i.person_times, 0) AS person_times,
       coalesce(c.claims, 0) AS claims, coalesce(c.by_party_branch, 0) AS by_party_branch,
       coalesce(c.by_org, 0) AS by_org, coalesce(c.by_party_member, 0) AS by_party_member,
       coalesce(c.by_resident, 0) AS by_resident
FROM claim_editions e LEFT JOIN i ON i.edition_id = e.id LEFT JOIN c ON c.edition_id = e.id
ORDER BY e.street_code, e.community, e.number"""

_STATS_OVERALL = f"""
SELECT (SELECT count(*) FROM claim_editions) AS editions,
       (SELECT count(*) FROM claim_items) AS items,
       (SELECT count(*) FROM claim_items WHERE status = 'completed') AS completed,
       (SELECT coalesce(sum(person_times), 0) FROM claim_items) AS person_times,
       c.claims, c.by_party_branch, c.by_org, c.by_party_member, c.by_resident
FROM (SELECT {_CLAIM_KINDS} FROM claims c) c"""
