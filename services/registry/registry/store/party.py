"""SQL of party building in depth: branch life and history, the census, 双报到 reports, branch
activities and the read models their links resolve against (procurement projects, claiming items)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from registry.domain.party_depth import Census

_BRANCH = """SELECT branch_id, name, formed_on, street_code, form, status, ended_on, merged_into
             FROM party_branches WHERE branch_id = $1 FOR UPDATE"""
_MEMBERS = "SELECT org_id FROM party_branch_orgs WHERE branch_id = $1 ORDER BY org_id"
_MOVE = "UPDATE party_branch_orgs SET branch_id = $2, attached_on = $3 WHERE branch_id = $1"
_DETACH = "DELETE FROM party_branch_orgs WHERE branch_id = $1"
_END = "UPDATE party_branches SET status = $2, ended_on = $3, merged_into = $4 WHERE branch_id = $1"
_HISTORY_ADD = """INSERT INTO party_branch_history (branch_id, kind, happened_on, org_ids, other_branch, reason, actor)
                  VALUES ($1, $2, $3, $4, $5, $6, $7)"""
_HISTORY = """SELECT kind, happened_on, org_ids, other_branch, reason, actor, recorded_at
              FROM party_branch_history WHERE branch_id = $1 ORDER BY id"""

_CENSUS_UPSERT = """
INSERT INTO party_census (org_id, year, street_code, members, branch_form, branch_id, instructor, liaison,
                          recorded_by, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (org_id, year) DO UPDATE SET street_code = EXCLUDED.street_code, members = EXCLUDED.members,
    branch_form = EXCLUDED.branch_form, branch_id = EXCLUDED.branch_id, instructor = EXCLUDED.instructor,
    liaison = EXCLUDED.liaison, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at
RETURNING (xmax = 0) AS inserted"""
_CENSUS = """
SELECT c.org_id, o.name AS org_name, c.year, c.street_code, c.members, c.branch_form, c.branch_id, c.instructor,
       c.liaison, c.recorded_by, c.recorded_at
FROM party_census c JOIN orgs o USING (org_id)
WHERE c.year = $1 AND ($2::text IS NULL OR c.street_code = $2) ORDER BY o.name, c.org_id"""
_CENSUS_ROWS = """SELECT year, street_code, members, branch_form, instructor, liaison FROM party_census
                  WHERE year BETWEEN $1 AND $2"""
_BRANCHES_AT = """
SELECT y AS year, count(b.branch_id) AS branches
FROM generate_series($1::integer, $2::integer) y
LEFT JOIN party_branches b ON b.formed_on <= make_date(y, 12, 31)
                          AND (b.ended_on IS NULL OR b.ended_on > make_date(y, 12, 31))
GROUP BY y ORDER BY y"""

_REPORT = """INSERT INTO party_member_reports (report_id, org_id, member_name, street_code, community, reported_on,
                                                service, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""
_REPORTS = """
SELECT EXTRACT(year FROM reported_on)::integer AS year, street_code, count(*) AS reports,
       count(DISTINCT org_id) AS orgs
FROM party_member_reports WHERE reported_on BETWEEN make_date($1, 1, 1) AND make_date($2, 12, 31)
GROUP BY 1, 2"""

_ACTIVITY = """INSERT INTO branch_activities (activity_id, branch_id, held_on, title, participants, link_kind,
                                               link_ref, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""
# A link is confirmed once its target's event has been consumed, whichever came first.
_RESOLVED = """
CASE a.link_kind
    WHEN 'grant' THEN (SELECT g.project_title FROM support_grants g WHERE g.grant_id = a.link_ref)
    WHEN 'procurement_project' THEN (SELECT p.title FROM procurement_projects p WHERE p.project_id = a.link_ref)
    WHEN 'claiming_item' THEN (SELECT c.title FROM claiming_items c WHERE c.item_id = a.link_ref)
END"""
_ACTIVITIES = f"""
SELECT a.activity_id, a.held_on, a.title, a.participants, a.link_kind, a.link_ref, {_RESOLVED} AS linked_title
FROM branch_activities a WHERE a.branch_id = $1 ORDER BY a.held_on, a.activity_id"""
_ACTIVITY_COUNTS = f"""
SELECT b.branch_id, b.name, b.status, count(a.activity_id) AS activities,
       COALESCE(sum(a.participants), 0) AS participants,
       count(a.link_kind) AS linked,
       count(a.activity_id) FILTER (WHERE a.link_kind IS NOT NULL AND {_RESOLVED} IS NOT NULL) AS confirmed
FROM party_branches b LEFT JOIN branch_activities a ON a.branch_id = b.branch_id
GROUP BY b.branch_id ORDER BY b.formed_on, b.name"""

_PROJECT_UPSERT = """
INSERT INTO procurement_projects AS p (project_id, title, purchaser_name, street_code, domain, budget_cny, closes_on,
                                       rank, org_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (project_id) DO UPDATE SET
    title = EXCLUDED.title, purchaser_name = EXCLUDED.purchaser_name, street_code = EXCLUDED.street_code,
    domain = EXCLUDED.domain, budget_cny = COALESCE(EXCLUDED.budget_cny, p.budget_cny),
    closes_on = GREATEST(p.closes_on, EXCLUDED.closes_on), rank = GREATEST(p.rank, EXCLUDED.rank),
    org_id = COALESCE(EXCLUDED.org_id, p.org_id), updated_at = now()"""


class PartyStore:
    """Party branches' life, census, reports, activities and the link read models, on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def branch(self, branch_id: UUID) -> dict[str, Any] | None:
        """The branch, locked for the change that follows."""
        row = await self._conn.fetchrow(_BRANCH, branch_id)
        return None if row is None else dict(row)

    async def members(self, branch_id: UUID) -> list[UUID]:
        return [r["org_id"] for r in await self._conn.fetch(_MEMBERS, branch_id)]

    async def merge(self, branch_id: UUID, into: UUID, on: date) -> None:
        await self._conn.execute(_MOVE, branch_id, into, on)
        await self._conn.execute(_END, branch_id, "merged", on, into)

    async def dissolve(self, branch_id: UUID, on: date) -> None:
        await self._conn.execute(_DETACH, branch_id)
        await self._conn.execute(_END, branch_id, "dissolved", on, None)

    async def add_history(
        self,
        branch_id: UUID,
        kind: str,
        on: date,
        org_ids: list[UUID],
        *,
        other: UUID | None = None,
        reason: str | None = None,
        actor: str | None = None,
    ) -> None:
        await self._conn.execute(_HISTORY_ADD, branch_id, kind, on, org_ids, other, reason, actor)

    async def history(self, branch_id: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_HISTORY, branch_id)]

    async def record_census(
        self, org_id: UUID, street_code: str | None, c: Census, branch_id: UUID | None, *, by: str, at: datetime
    ) -> bool:
        """Insert or replace the organisation's row for the year; True when it is the year's first."""
        form = None if c.branch_form is None else str(c.branch_form)
        inserted: bool = await self._conn.fetchval(
            _CENSUS_UPSERT, org_id, c.year, street_code, c.members, form, branch_id, c.instructor, c.liaison, by, at
        )
        return inserted

    async def census(self, year: int, street_code: str | None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_CENSUS, year, street_code)]

    async def census_rows(self, from_year: int, to_year: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_CENSUS_ROWS, from_year, to_year)]

    async def branches_by_year(self, from_year: int, to_year: int) -> dict[int, int]:
        """Branches running at each year's end."""
        return {r["year"]: r["branches"] for r in await self._conn.fetch(_BRANCHES_AT, from_year, to_year)}

    async def add_report(self, report: dict[str, Any]) -> None:
        cols = ("report_id", "org_id", "member_name", "street_code", "community", "reported_on", "service", "by")
        await self._conn.execute(_REPORT, *(report[c] for c in cols))

    async def reports(self, from_year: int, to_year: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_REPORTS, from_year, to_year)]

    async def add_activity(self, a: dict[str, Any]) -> None:
        cols = ("activity_id", "branch_id", "held_on", "title", "participants", "link_kind", "link_ref", "by")
        await self._conn.execute(_ACTIVITY, *(a[c] for c in cols))

    async def activities(self, branch_id: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_ACTIVITIES, branch_id)]

    async def activity_counts(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_ACTIVITY_COUNTS)]

    async def record_project(
        self,
        project_id: UUID,
        *,
        title: str,
        purchaser_name: str,
        street_code: str | None,
        domain: str,
        budget_cny: Any,
        closes_on: date | None,
        rank: int,
        org_id: UUID | None = None,
    ) -> None:
        """Keep what an event says of a procurement project; the rank never goes back."""
        await self._conn.execute(
            _PROJECT_UPSERT, project_id, title, purchaser_name, street_code, domain, budget_cny, closes_on, rank, org_id
        )
