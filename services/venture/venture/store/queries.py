"""Read-only queries: statistics and the 360Giving export."""

from __future__ import annotations

from typing import Any

import asyncpg

_PER_ROUND = """
SELECT r.id, r.number, r.year, r.title, r.level, r.street_code,
       (SELECT count(*) FROM applications a WHERE a.round_id = r.id) AS applications,
       count(g.id) AS funded_projects,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'registered') AS social_orgs_cultivated,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'community') AS community_orgs_cultivated,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'community' AND gr.org_id IS NOT NULL)
           AS community_orgs_graduated,
       COALESCE(sum(g.amount_cny), 0) AS awarded_cny,
       COALESCE((SELECT sum(t.amount_cny) FROM tranches t JOIN grants g2 ON g2.id = t.grant_id
                 WHERE g2.round_id = r.id AND t.status = 'disbursed'), 0) AS disbursed_cny,
       COALESCE(sum(g.recovered_cny), 0) AS recovered_cny
FROM rounds r
LEFT JOIN grants g ON g.round_id = r.id
LEFT JOIN graduations gr ON gr.org_id = g.org_id
WHERE r.level = 'district'
GROUP BY r.id ORDER BY r.number"""

# Street micro-venture (社区微创投) per street: its own rounds only; a group counts once per street.
_PER_STREET = """
SELECT r.street_code,
       count(DISTINCT r.id) AS rounds,
       (SELECT count(*) FROM applications a JOIN rounds r2 ON r2.id = a.round_id
         WHERE r2.street_code = r.street_code) AS applications,
       count(g.id) AS funded_projects,
       count(DISTINCT g.org_id) AS groups_cultivated,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'community') AS community_groups_cultivated,
       COALESCE(sum(g.amount_cny), 0) AS awarded_cny
FROM rounds r LEFT JOIN grants g ON g.round_id = r.id
WHERE r.level = 'street'
GROUP BY r.street_code ORDER BY r.street_code"""

# An org counts once overall even when funded in several rounds; a filed group counts as a
# community org cultivated, and as graduated when registry has since reported its registration.
# These are the district's rounds (区级公益创投); the streets' own are in _PER_STREET.
_OVERALL = """
SELECT (SELECT count(*) FROM rounds WHERE level = 'district') AS rounds,
       (SELECT count(*) FROM applications a JOIN rounds r ON r.id = a.round_id WHERE r.level = 'district')
           AS applications,
       count(g.id) AS funded_projects,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'registered') AS social_orgs_cultivated,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'community') AS community_orgs_cultivated,
       count(DISTINCT g.org_id) FILTER (WHERE g.applied_as = 'community' AND gr.org_id IS NOT NULL)
           AS community_orgs_graduated,
       COALESCE(sum(g.amount_cny), 0) AS awarded_cny,
       COALESCE((SELECT sum(t.amount_cny) FROM tranches t JOIN grants g2 ON g2.id = t.grant_id
                 JOIN rounds r2 ON r2.id = g2.round_id WHERE t.status = 'disbursed' AND r2.level = 'district'), 0)
           AS disbursed_cny,
       COALESCE(sum(g.recovered_cny), 0) AS recovered_cny
FROM grants g JOIN rounds r ON r.id = g.round_id AND r.level = 'district'
LEFT JOIN graduations gr ON gr.org_id = g.org_id"""


class QueryStore:
    """Figures and exports over the whole service; rows come out as plain dicts of column values."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def statistics(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The figures per round, and overall."""
        per_round = [dict(r) for r in await self._conn.fetch(_PER_ROUND)]
        return per_round, dict(await self._conn.fetchrow(_OVERALL))

    async def street_statistics(self) -> list[dict[str, Any]]:
        """Street micro-venture figures per street."""
        return [dict(r) for r in await self._conn.fetch(_PER_STREET)]

    async def export_rows(self) -> list[dict[str, Any]]:
        """Every grant with what the 360Giving export says of it."""
        return [dict(r) for r in await self._conn.fetch(_EXPORT)]

    async def disbursements(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_DISBURSED)]


_EXPORT = """SELECT g.id, g.title, g.org_id, g.org_name, g.applied_as, g.sponsor_org_id, g.street_code, g.domain,
       g.amount_cny, g.awarded_on, g.updated_at, g.status, a.plan, a.requested_cny,
       r.number AS round_number, r.year AS round_year, r.title AS round_title, r.id AS round_id,
       o.credit_code, sp.name AS sponsor_name
FROM grants g JOIN applications a ON a.id = g.application_id JOIN rounds r ON r.id = g.round_id
LEFT JOIN orgs o ON o.org_id = g.org_id LEFT JOIN orgs sp ON sp.org_id = g.sponsor_org_id
ORDER BY r.number, g.awarded_on, g.id"""

_DISBURSED = """SELECT grant_id, number, amount_cny, disbursed_on FROM tranches
WHERE status = 'disbursed' ORDER BY grant_id, number"""
