"""Every SQL statement of procurement, and the row ↔ entity mapping."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from procurement.domain.demand import DemandContent, DemandRecord, DemandStatus
from procurement.domain.model import OrgView
from procurement.domain.project import Project
from shared.contracts.procurement import FieldError
from shared.contracts.registry import OrgSnapshot
from shared.reference import OrgStatus, OrgType

# --- demands -------------------------------------------------------------------------------

_DEMAND_COLUMNS = """id, source_system, demand_ref, purchaser_code, purchaser_name, purchaser_kind, street_code,
    title, description, domain, budget_cny, expected_beneficiaries, wanted_by, status, fingerprint, revision,
    project_id, received_via, entered_by, created_at, updated_at"""
_DEMAND_BY_REF = f"SELECT {_DEMAND_COLUMNS} FROM demands WHERE source_system = $1 AND demand_ref = $2 FOR UPDATE"
_DEMAND_GET = f"SELECT {_DEMAND_COLUMNS} FROM demands WHERE id = ANY($1::uuid[]) ORDER BY created_at FOR UPDATE"
_DEMAND_INSERT = """INSERT INTO demands (id, source_system, demand_ref, purchaser_code, purchaser_name, purchaser_kind,
    street_code, title, description, domain, budget_cny, expected_beneficiaries, wanted_by, status, fingerprint,
    received_via, entered_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'collecting', $14, $15, $16)
    ON CONFLICT (source_system, demand_ref) DO NOTHING RETURNING id"""
_DEMAND_REVISE = """UPDATE demands SET purchaser_code = $2, purchaser_name = $3, purchaser_kind = $4, street_code = $5,
    title = $6, description = $7, domain = $8, budget_cny = $9, expected_beneficiaries = $10, wanted_by = $11,
    fingerprint = $12, revision = revision + 1, updated_at = now() WHERE id = $1"""
_DEMAND_SORT = "UPDATE demands SET status = 'sorted', project_id = $2, updated_at = now() WHERE id = ANY($1::uuid[])"
_DEMAND_LIST = f"""SELECT {_DEMAND_COLUMNS} FROM demands
    WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR purchaser_code = $2)
    ORDER BY created_at DESC LIMIT $3"""


class DemandStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def by_ref(self, source_system: str, demand_ref: str) -> DemandRecord | None:
        """The demand held under an identity, locked for the rest of the transaction."""
        row = await self._conn.fetchrow(_DEMAND_BY_REF, source_system, demand_ref)
        return None if row is None else DemandRecord(row["id"], DemandStatus(row["status"]), row["fingerprint"])

    async def insert(
        self, demand_id: UUID, source_system: str, demand_ref: str, c: DemandContent, via: str, by: str | None
    ) -> bool:
        """Insert a demand under a new identity; False (and nothing written) when the identity is held."""
        row = await self._conn.fetchrow(
            _DEMAND_INSERT,
            demand_id,
            source_system,
            demand_ref,
            *_content_args(c),
            c.fingerprint(),
            via,
            by,
        )
        return row is not None

    async def revise(self, demand_id: UUID, c: DemandContent) -> None:
        await self._conn.execute(_DEMAND_REVISE, demand_id, *_content_args(c), c.fingerprint())

    async def rows(self, ids: list[UUID]) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_DEMAND_GET, ids)]

    async def mark_sorted(self, ids: list[UUID], project_id: UUID) -> None:
        await self._conn.execute(_DEMAND_SORT, ids, project_id)

    async def list(self, *, status: str | None, purchaser: str | None, limit: int = 200) -> list[dict[str, Any]]:
        """Demands, newest first; `purchaser` keeps one purchaser's (a street office's) only."""
        return [dict(r) for r in await self._conn.fetch(_DEMAND_LIST, status, purchaser, limit)]


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


# --- rejected messages ----------------------------------------------------------------------------

_REJECT_INSERT = """INSERT INTO rejected_messages (message_id, routing_key, body, headers, errors, source_system,
    demand_ref, sent_by, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"""
_REJECT_LIST = """SELECT id, message_id, routing_key, body, headers, errors, source_system, demand_ref, sent_by,
    received_at FROM rejected_messages ORDER BY id DESC LIMIT $1"""


@dataclass(frozen=True)
class Refused:
    """A refused message as it is kept: text PostgreSQL cannot store already replaced."""

    message_id: str | None
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    errors: list[FieldError]
    source_system: str | None
    demand_ref: str | None
    sent_by: str | None
    dedupe_key: str


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

    async def list(self, limit: int = 100) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_REJECT_LIST, limit)]


# --- projects ------------------------------------------------------------------------------------

_PROJECT_GET = "SELECT doc, version FROM projects WHERE id = $1"
_PROJECT_LOCK = "SELECT doc, version FROM projects WHERE id = $1 FOR UPDATE"
_PROJECT_UPSERT = """INSERT INTO projects (id, ocid, stage, title, purchaser_code, purchaser_name, purchaser_kind,
    street_code, domain, year, contract_org_id, contract_amount_cny, signed_on, beneficiary_person_times, doc)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    ON CONFLICT (id) DO UPDATE SET stage = EXCLUDED.stage, title = EXCLUDED.title, domain = EXCLUDED.domain,
    contract_org_id = EXCLUDED.contract_org_id, contract_amount_cny = EXCLUDED.contract_amount_cny,
    signed_on = EXCLUDED.signed_on, beneficiary_person_times = EXCLUDED.beneficiary_person_times,
    doc = EXCLUDED.doc, version = projects.version + 1, updated_at = now()"""
_PROJECT_LIST = """SELECT doc FROM projects WHERE
    ($1::text[] IS NULL OR stage = ANY($1::text[]))
    AND ($2::text IS NULL OR purchaser_code = $2)
    AND ($3::jsonb IS NULL OR doc @> $3::jsonb)
    ORDER BY updated_at DESC LIMIT $4"""
_PROJECT_ALL = "SELECT doc FROM projects ORDER BY year, id"


class ProjectStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, project_id: UUID, *, lock: bool = False) -> Project | None:
        """A project; `lock` holds it for this transaction so concurrent commands serialise."""
        row = await self._conn.fetchrow(_PROJECT_LOCK if lock else _PROJECT_GET, project_id)
        return None if row is None else Project.model_validate(row["doc"])

    async def save(self, p: Project) -> None:
        c, e = p.contract, p.evaluation
        await self._conn.execute(
            _PROJECT_UPSERT,
            p.id,
            p.ocid,
            str(p.stage),
            p.title,
            p.purchaser.code,
            p.purchaser.name,
            p.purchaser.kind,
            p.street_code,
            str(p.domain),
            p.year,
            c.org_id if c else None,
            c.amount_cny if c else None,
            c.signed_on if c else None,
            e.beneficiary_person_times if e else None,
            p.model_dump(mode="json"),
        )

    async def list(
        self,
        *,
        stages: list[str] | None = None,
        purchaser: str | None = None,
        contains: dict[str, Any] | None = None,
        limit: int = 200,
    ) -> builtins.list[Project]:
        """Projects in `stages`, of one `purchaser` (code), or whose document `contains` a fragment."""
        rows = await self._conn.fetch(_PROJECT_LIST, stages, purchaser, contains, limit)
        return [Project.model_validate(r["doc"]) for r in rows]

    async def all(self) -> builtins.list[Project]:
        return [Project.model_validate(r["doc"]) for r in await self._conn.fetch(_PROJECT_ALL)]


# --- read models ------------------------------------------------------------------------------------

_ORG_APPLY = """INSERT INTO orgs (org_id, version, name, org_type, status, credit_code, street_code)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (org_id) DO UPDATE SET version = EXCLUDED.version, name = EXCLUDED.name,
    org_type = EXCLUDED.org_type, status = EXCLUDED.status, credit_code = EXCLUDED.credit_code,
    street_code = EXCLUDED.street_code, updated_at = now()
    WHERE orgs.version < EXCLUDED.version
    RETURNING version"""
_ORG_GET = "SELECT org_id, version, name, org_type, status, credit_code FROM orgs WHERE org_id = $1"
_GRANT_INSERT = """INSERT INTO venture_grants (grant_id, org_id, title_key, project_title, amount_cny, awarded_on)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (grant_id) DO NOTHING"""
_GRANT_MATCH = "SELECT grant_id FROM venture_grants WHERE org_id = $1 AND title_key = ANY($2::text[]) LIMIT 1"


class ReadModels:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def apply_org(self, org: OrgSnapshot) -> bool:
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

    async def org(self, org_id: UUID) -> OrgView | None:
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

    async def add_grant(
        self, grant_id: UUID, org_id: UUID, title_key: str, title: str, amount: Decimal, awarded_on: date
    ) -> None:
        await self._conn.execute(_GRANT_INSERT, grant_id, org_id, title_key, title, amount, awarded_on)

    async def grant_for(self, org_id: UUID, title_keys: list[str]) -> str | None:
        value = await self._conn.fetchval(_GRANT_MATCH, org_id, title_keys)
        return None if value is None else str(value)


# --- statistics ---------------------------------------------------------------------------------------

_GROUPS = {
    "year": "extract(year FROM signed_on)::int::text",
    "purchaser": "purchaser_name",
    "street": "coalesce(street_code, 'district')",
    "domain": "domain",
}
_STATS = """SELECT {key} AS key, count(*) AS projects, count(DISTINCT contract_org_id) AS undertaking_orgs,
    coalesce(sum(contract_amount_cny), 0) AS contract_value_cny,
    coalesce(sum(beneficiary_person_times), 0) AS beneficiary_person_times
    FROM projects WHERE signed_on IS NOT NULL AND stage <> 'cancelled' {group} ORDER BY 1"""


@dataclass(frozen=True)
class StatRow:
    key: str | None
    projects: int
    undertaking_orgs: int
    contract_value_cny: Decimal
    beneficiary_person_times: int


async def statistics(conn: asyncpg.Connection, by: str | None) -> list[StatRow]:
    """Signed projects, distinct undertakers, contract value and person-times, grouped by `by` (or total)."""
    if by is None:
        sql = _STATS.format(key="NULL::text", group="")
    else:
        sql = _STATS.format(key=_GROUPS[by], group="GROUP BY 1")
    return [StatRow(**dict(r)) for r in await conn.fetch(sql)]
