"""Projects: the aggregate kept whole as a JSON document, with the columns lists and statistics filter on."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from procurement.domain.documents import dump, load_project
from procurement.domain.project import Project

_GET = "SELECT doc, version FROM projects WHERE id = $1"
_LOCK = "SELECT doc, version FROM projects WHERE id = $1 FOR UPDATE"
_UPSERT = """INSERT INTO projects (id, ocid, stage, title, purchaser_code, purchaser_name, purchaser_kind,
    street_code, domain, year, contract_org_id, contract_amount_cny, signed_on, beneficiary_person_times, doc)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    ON CONFLICT (id) DO UPDATE SET stage = EXCLUDED.stage, title = EXCLUDED.title, domain = EXCLUDED.domain,
    contract_org_id = EXCLUDED.contract_org_id, contract_amount_cny = EXCLUDED.contract_amount_cny,
    signed_on = EXCLUDED.signed_on, beneficiary_person_times = EXCLUDED.beneficiary_person_times,
    doc = EXCLUDED.doc, version = projects.version + 1, updated_at = now()"""
_LIST = """SELECT doc FROM projects WHERE
    ($1::text[] IS NULL OR stage = ANY($1::text[]))
    AND ($2::text IS NULL OR purchaser_code = $2)
    AND ($3::jsonb IS NULL OR doc @> $3::jsonb)
    ORDER BY updated_at DESC, id LIMIT $4"""
_ALL = "SELECT doc FROM projects ORDER BY year, id"


class ProjectStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, project_id: UUID, *, lock: bool = False) -> Project | None:
        """A project; `lock` holds it for this transaction so concurrent commands serialise."""
        row = await self._conn.fetchrow(_LOCK if lock else _GET, project_id)
        return None if row is None else load_project(row["doc"])

    async def save(self, p: Project) -> None:
        c, e = p.contract, p.evaluation
        await self._conn.execute(
            _UPSERT,
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
            dump(p),
        )

    async def list(
        self,
        *,
        stages: builtins.list[str] | None = None,
        purchaser: str | None = None,
        contains: dict[str, Any] | None = None,
        limit: int | None = None,
    ) -> builtins.list[Project]:
        """Projects in `stages`, of one `purchaser` (code), or whose document `contains` a fragment."""
        rows = await self._conn.fetch(_LIST, stages, purchaser, contains, limit)
        return [load_project(r["doc"]) for r in rows]

    async def all(self) -> builtins.list[Project]:
        return [load_project(r["doc"]) for r in await self._conn.fetch(_ALL)]


# --- statistics -------------------------------------------------------------------------------------

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


class StatisticsStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def rows(self, by: str | None) -> list[StatRow]:
        """Signed projects, distinct undertakers, contract value and person-times, grouped by `by` (or total)."""
        if by is None:
            sql = _STATS.format(key="NULL::text", group="")
        else:
            sql = _STATS.format(key=_GROUPS[by], group="GROUP BY 1")
        return [StatRow(**dict(r)) for r in await self._conn.fetch(sql)]
