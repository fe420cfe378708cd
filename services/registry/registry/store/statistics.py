"""Read-only SQL behind the statistics: stock by type per year, by street, by status, coverage, support."""

from __future__ import annotations

from typing import Any

import asyncpg

# An org counts in year Y when it was registered (or filed) by 31 December Y and not
# deregistered by then. A graduated org counts as a community org in the years between its
# filing and its registration, and under its registered type from then on.
_BY_YEAR = """
WITH years AS (SELECT y, make_date(y, 12, 31) AS year_end FROM generate_series($1::int, $2::int) AS y)
SELECT years.y AS year,
       CASE WHEN o.registered_on <= years.year_end THEN o.org_type ELSE 'community_org' END AS org_type,
       count(*) AS stock,
       count(*) FILTER (WHERE extract(year FROM COALESCE(
           CASE WHEN o.registered_on <= years.year_end THEN o.registered_on END, o.filed_on)) = years.y) AS new
FROM years
JOIN orgs o ON (o.registered_on <= years.year_end OR o.filed_on <= years.year_end)
           AND (o.deregistered_on IS NULL OR o.deregistered_on > years.year_end)
GROUP BY 1, 2 ORDER BY 1, 2"""

_BY_STREET = """
SELECT COALESCE(street_code, '') AS street_code, org_type, count(*) AS n FROM orgs
WHERE status IN ('registered', 'filed') GROUP BY 1, 2 ORDER BY 1, 2"""

_BY_STATUS = "SELECT org_type, status, count(*) AS n FROM orgs GROUP BY 1, 2 ORDER BY 1, 2"

_COVERAGE = """
SELECT (SELECT count(*) FROM party_branches WHERE status = 'active') AS branches,
       count(*) AS active_orgs,
       count(m.org_id) AS covered_orgs
FROM orgs o LEFT JOIN party_branch_orgs m USING (org_id)
WHERE o.status IN ('registered', 'filed')"""

_SUPPORT = """
SELECT 'grants' AS kind, count(*) AS n, COALESCE(sum(amount_cny), 0) AS amount, count(DISTINCT org_id) AS orgs
FROM support_grants
UNION ALL
SELECT 'contracts', count(*), COALESCE(sum(amount_cny), 0), count(DISTINCT org_id) FROM support_contracts"""

_ALLIANCE = "SELECT category, count(*) AS n FROM alliance_members GROUP BY 1 ORDER BY 1"


class StatisticsStore:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def by_year(self, from_year: int, to_year: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_BY_YEAR, from_year, to_year)]

    async def by_street(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_BY_STREET)]

    async def by_status(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_BY_STATUS)]

    async def coverage(self) -> dict[str, int]:
        row = await self._conn.fetchrow(_COVERAGE)
        return {k: int(row[k]) for k in ("branches", "active_orgs", "covered_orgs")}

    async def support(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_SUPPORT)]

    async def alliance(self) -> dict[str, int]:
        return {r["category"]: int(r["n"]) for r in await self._conn.fetch(_ALLIANCE)}
