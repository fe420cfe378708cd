"""SQL of party branches, the support alliance, support history (grants, contracts) and imports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from shared.contracts.procurement import ProjectSigned
from shared.contracts.venture import GrantAwarded
from shared.errors import Conflict

_INSERT_BRANCH = (
    """INSERT INTO party_branches (branch_id, name, formed_on, street_code, form) VALUES ($1, $2, $3, $4, $5)"""
)
_BRANCH = """SELECT branch_id, name, formed_on, street_code, form, status FROM party_branches
             WHERE branch_id = $1 FOR UPDATE"""
_HISTORY = """INSERT INTO party_branch_history (branch_id, kind, happened_on, org_ids) VALUES ($1, $2, $3, $4)"""
_BRANCHES = """
SELECT b.branch_id, b.name, b.formed_on, b.street_code, b.form, b.status, b.ended_on, b.merged_into,
       COALESCE(array_agg(m.org_id ORDER BY m.attached_on, m.org_id) FILTER (WHERE m.org_id IS NOT NULL),
                '{}') AS org_ids
FROM party_branches b LEFT JOIN party_branch_orgs m ON m.branch_id = b.branch_id
GROUP BY b.branch_id ORDER BY b.formed_on, b.name"""
_MEMBERSHIPS = "SELECT org_id, branch_id FROM party_branch_orgs WHERE org_id = ANY($1::uuid[])"
_ATTACH = """INSERT INTO party_branch_orgs (org_id, branch_id, attached_on)
             SELECT unnest($1::uuid[]), $2, $3"""
_BRANCH_OF = "SELECT branch_id FROM party_branch_orgs WHERE org_id = $1"

_JOIN = "INSERT INTO alliance_members (org_id, category, joined_on) VALUES ($1, $2, $3)"
_MEMBERS = """SELECT m.org_id, o.name, m.category, m.joined_on FROM alliance_members m JOIN orgs o USING (org_id)
              ORDER BY m.category, o.name"""
_MEMBER = "SELECT category, joined_on FROM alliance_members WHERE org_id = $1"

_GRANT = """INSERT INTO support_grants (grant_id, org_id, sponsor_org_id, round_year, round_number, project_title,
                                        amount_cny, awarded_on, domain, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (grant_id) DO NOTHING"""
_CONTRACT = """INSERT INTO support_contracts (contract_id, project_id, org_id, title, purchaser_name, amount_cny,
                                              signed_on, starts_on, ends_on, event_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (contract_id) DO NOTHING"""
_GRANTS_OF = """SELECT grant_id, round_year, round_number, project_title, amount_cny, awarded_on, domain
                FROM support_grants WHERE org_id = $1 ORDER BY awarded_on, grant_id"""
_CONTRACTS_OF = """SELECT contract_id, project_id, title, purchaser_name, amount_cny, signed_on, starts_on, ends_on
                   FROM support_contracts WHERE org_id = $1 ORDER BY signed_on, contract_id"""

_INSERT_IMPORT = """INSERT INTO imports (import_id, filename, actor, started_at, finished_at, total_rows, imported,
                                         rejected, status, failure) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""


class ProgrammeStore:
    """Party branches, alliance, support history and import records on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    # --- party branches -------------------------------------------------------------------

    async def add_branch(
        self, branch_id: UUID, name: str, formed_on: date, street_code: str | None, form: str = "joint"
    ) -> None:
        await self._conn.execute(_INSERT_BRANCH, branch_id, name, formed_on, street_code, form)

    async def branch(self, branch_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_BRANCH, branch_id)
        return None if row is None else dict(row)

    async def branches(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_BRANCHES)]

    async def memberships(self, org_ids: list[UUID]) -> dict[UUID, UUID]:
        """org id → branch id, for those of `org_ids` already in a branch."""
        return {r["org_id"]: r["branch_id"] for r in await self._conn.fetch(_MEMBERSHIPS, org_ids)}

    async def attach(self, branch_id: UUID, org_ids: list[UUID], on: date, *, kind: str = "attached") -> None:
        """Attach organisations, keeping the fact in the branch's history (`formed` with its first ones)."""
        if org_ids:
            await self._conn.execute(_ATTACH, org_ids, branch_id, on)
        if org_ids or kind == "formed":
            await self._conn.execute(_HISTORY, branch_id, kind, on, org_ids)

    async def branch_of(self, org_id: UUID) -> UUID | None:
        value: UUID | None = await self._conn.fetchval(_BRANCH_OF, org_id)
        return value

    # --- support alliance ---------------------------------------------------------------------

    async def join_alliance(self, org_id: UUID, category: str, joined_on: date) -> None:
        try:
            await self._conn.execute(_JOIN, org_id, category, joined_on)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("该组织已是创益汇成员", code="already_member") from exc

    async def alliance(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_MEMBERS)]

    async def alliance_membership(self, org_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_MEMBER, org_id)
        return None if row is None else dict(row)

    # --- support history (from venture and procurement) -------------------------------------------

    async def record_grant(self, e: GrantAwarded) -> bool:
        """Keep a grant; False when it was already known (a redelivery of another event id)."""
        result = await self._conn.execute(
            _GRANT,
            e.grant_id,
            e.org_id,
            e.sponsor_org_id,
            e.round_year,
            e.round_number,
            e.project_title,
            e.amount_cny,
            e.awarded_on,
            str(e.domain),
            e.event_id,
        )
        return bool(result == "INSERT 0 1")

    async def record_contract(self, e: ProjectSigned) -> bool:
        result = await self._conn.execute(
            _CONTRACT,
            e.contract_id,
            e.project_id,
            e.org_id,
            e.title,
            e.purchaser.name,
            e.amount_cny,
            e.signed_on,
            e.starts_on,
            e.ends_on,
            e.event_id,
        )
        return bool(result == "INSERT 0 1")

    async def grants_of(self, org_id: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_GRANTS_OF, org_id)]

    async def contracts_of(self, org_id: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_CONTRACTS_OF, org_id)]

    # --- imports ------------------------------------------------------------------------------------

    async def record_import(
        self,
        import_id: UUID,
        *,
        filename: str | None,
        actor: str,
        started_at: datetime,
        finished_at: datetime,
        total_rows: int,
        imported: int,
        rejected: list[dict[str, Any]],
        failure: str | None = None,
    ) -> None:
        """Record an import: `failure` says why one stopped part-way (its committed rows stay)."""
        status = "completed" if failure is None else "failed"
        await self._conn.execute(
            _INSERT_IMPORT,
            import_id,
            filename,
            actor,
            started_at,
            finished_at,
            total_rows,
            imported,
            rejected,
            status,
            failure,
        )


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"
