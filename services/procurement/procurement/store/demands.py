"""Demands and the district messages refused instead of becoming one."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from procurement.domain.demand import Demand, DemandContent, DemandStatus, Refused

_COLUMNS = """id, source_system, demand_ref, purchaser_code, purchaser_name, purchaser_kind, street_code,
    title, description, domain, budget_cny, expected_beneficiaries, wanted_by, status, fingerprint, revision,
    project_id, received_via, entered_by, created_at, updated_at"""
_BY_REF = f"SELECT {_COLUMNS} FROM demands WHERE source_system = $1 AND demand_ref = $2 FOR UPDATE"
_LOCKED = f"SELECT {_COLUMNS} FROM demands WHERE id = ANY($1::uuid[]) ORDER BY created_at FOR UPDATE"
_INSERT = """INSERT INTO demands (id, source_system, demand_ref, purchaser_code, purchaser_name, purchaser_kind,
    street_code, title, description, domain, budget_cny, expected_beneficiaries, wanted_by, status, fingerprint,
    received_via, entered_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'collecting', $14, $15, $16)
    ON CONFLICT (source_system, demand_ref) DO NOTHING RETURNING id"""
_REVISE = """UPDATE demands SET purchaser_code = $2, purchaser_name = $3, purchaser_kind = $4, street_code = $5,
    title = $6, description = $7, domain = $8, budget_cny = $9, expected_beneficiaries = $10, wanted_by = $11,
    fingerprint = $12, revision = revision + 1, updated_at = now() WHERE id = $1"""
_SORT = "UPDATE demands SET status = 'sorted', project_id = $2, updated_at = now() WHERE id = ANY($1::uuid[])"
_LIST = f"""SELECT {_COLUMNS} FROM demands
    WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR purchaser_code = $2)
    ORDER BY created_at DESC, id LIMIT $3"""


def _demand(row: asyncpg.Record) -> Demand:
    return Demand(**{**dict(row), "status": DemandStatus(row["status"])})


def _content_args(c: DemandContent) -> tuple[Any, ...]:
    return (
        c.purchaser_code,
        c.purchaser_name,
        c.purchaser_kind,
        c.street_code,
        c.title,
        c.description,
        c.domain,
        c.budget_cny,
        c.expected_beneficiaries,
        c.wanted_by,
    )


class DemandStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def by_ref(self, source_system: str, demand_ref: str) -> Demand | None:
        """The demand held under an identity, locked for the rest of the transaction."""
        row = await self._conn.fetchrow(_BY_REF, source_system, demand_ref)
        return None if row is None else _demand(row)

    async def insert(
        self, demand_id: UUID, source_system: str, demand_ref: str, c: DemandContent, via: str, by: str | None
    ) -> bool:
        """Insert a demand under a new identity; False (and nothing written) when the identity is held."""
        row = await self._conn.fetchrow(
            _INSERT, demand_id, source_system, demand_ref, *_content_args(c), c.fingerprint(), via, by
        )
        return row is not None

    async def revise(self, demand_id: UUID, c: DemandContent) -> None:
        await self._conn.execute(_REVISE, demand_id, *_content_args(c), c.fingerprint())

    async def locked(self, ids: builtins.list[UUID]) -> builtins.list[Demand]:
        """The demands among `ids` that exist, oldest first, locked for the rest of the transaction."""
        return [_demand(r) for r in await self._conn.fetch(_LOCKED, ids)]

    async def mark_sorted(self, ids: builtins.list[UUID], project_id: UUID) -> None:
        await self._conn.execute(_SORT, ids, project_id)

    async def list(
        self, *, status: str | None, purchaser: str | None, limit: int | None = None
    ) -> builtins.list[Demand]:
        """Demands, newest first; `purchaser` keeps one purchaser's (a street office's) only."""
        return [_demand(r) for r in await self._conn.fetch(_LIST, status, purchaser, limit)]


# --- refused messages ----------------------------------------------------------------------------

_REJECT_INSERT = """INSERT INTO rejected_messages (message_id, routing_key, body, headers, errors, source_system,
    demand_ref, sent_by, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"""
_REJECT_LIST = """SELECT id, message_id, routing_key, body, headers, errors, source_system, demand_ref, sent_by,
    received_at FROM rejected_messages ORDER BY id DESC LIMIT $1"""


@dataclass(frozen=True)
class KeptRefusal:
    """A refused message as operators read it back."""

    id: int
    message_id: str | None
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    errors: list[dict[str, Any]]
    source_system: str | None
    demand_ref: str | None
    sent_by: str | None
    received_at: datetime


class RejectedStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def keep(self, refused: Refused) -> bool:
        """Keep a refused message; False when it was already kept (a redelivery)."""
        row = await self._conn.fetchrow(
            _REJECT_INSERT,
            refused.message_id,
            refused.routing_key,
            refused.body,
            refused.headers,
            [e.model_dump() for e in refused.errors],
            refused.source_system,
            refused.demand_ref,
            refused.sent_by,
            refused.dedupe_key,
        )
        return row is not None

    async def list(self, limit: int | None = None) -> list[KeptRefusal]:
        return [KeptRefusal(**dict(r)) for r in await self._conn.fetch(_REJECT_LIST, limit)]
