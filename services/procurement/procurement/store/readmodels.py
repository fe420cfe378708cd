"""What procurement keeps of other services' facts: registry organisations and venture grants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from procurement.domain.model import OrgView
from shared.contracts.registry import OrgSnapshot
from shared.readmodel import versioned_upsert
from shared.reference import OrgStatus, OrgType

_ORG_APPLY = versioned_upsert("orgs", "org_id", ("name", "org_type", "status", "credit_code", "street_code"))
_ORG_GET = "SELECT org_id, version, name, org_type, status, credit_code FROM orgs WHERE org_id = $1"


class OrgStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def apply(self, org: OrgSnapshot) -> bool:
        """Apply a registry snapshot if newer than the one held; False when it was stale."""
        row = await self._conn.fetchrow(
            _ORG_APPLY,
            org.org_id,
            org.version,
            org.name,
            str(org.org_type),
            str(org.status),
            org.credit_code,
            org.street_code,
        )
        return row is not None

    async def get(self, org_id: UUID) -> OrgView | None:
        row = await self._conn.fetchrow(_ORG_GET, org_id)
        if row is None:
            return None
        return OrgView(
            org_id=row["org_id"],
            name=row["name"],
            org_type=OrgType(row["org_type"]),
            status=OrgStatus(row["status"]),
            credit_code=row["credit_code"],
        )


_GRANT_INSERT = """INSERT INTO venture_grants (grant_id, org_id, title_key, project_title, amount_cny, awarded_on)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (grant_id) DO NOTHING"""
_GRANT_MATCH = "SELECT grant_id FROM venture_grants WHERE org_id = $1 AND title_key = ANY($2::text[]) LIMIT 1"


class GrantStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, grant_id: UUID, org_id: UUID, title_key: str, title: str, amount: Decimal, awarded_on: date
    ) -> None:
        await self._conn.execute(_GRANT_INSERT, grant_id, org_id, title_key, title, amount, awarded_on)

    async def held_for(self, org_id: UUID, title_keys: list[str]) -> str | None:
        """A grant the org holds for a project under one of these title keys, if any."""
        value = await self._conn.fetchval(_GRANT_MATCH, org_id, title_keys)
        return None if value is None else str(value)
