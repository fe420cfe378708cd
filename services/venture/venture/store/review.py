"""Reviewer assignments, conflict declarations, scores and objections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg


async def assign(conn: asyncpg.Connection, round_id: UUID, app_id: UUID, reviewer: str, conflicted: bool) -> None:
    await conn.execute(
        """INSERT INTO assignments (round_id, application_id, reviewer, conflicted) VALUES ($1, $2, $3, $4)
           ON CONFLICT (application_id, reviewer) DO NOTHING""",
        round_id,
        app_id,
        reviewer,
        conflicted,
    )


async def assignment(conn: asyncpg.Connection, app_id: UUID, reviewer: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT round_id, application_id, reviewer, conflicted FROM assignments
           WHERE application_id = $1 AND reviewer = $2""",
        app_id,
        reviewer,
    )


async def assignments_of(conn: asyncpg.Connection, reviewer: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT s.round_id, s.application_id, s.conflicted, a.title, r.number AS round_number,
                  (d.reviewer IS NOT NULL) AS declared,
                  EXISTS (SELECT 1 FROM scores sc WHERE sc.application_id = s.application_id
                          AND sc.reviewer = s.reviewer) AS scored
           FROM assignments s JOIN applications a ON a.id = s.application_id JOIN rounds r ON r.id = s.round_id
           LEFT JOIN declarations d ON d.round_id = s.round_id AND d.reviewer = s.reviewer
           WHERE s.reviewer = $1 ORDER BY r.number, a.submitted_on, a.id""",
        reviewer,
    )


async def has_assignment_in_round(conn: asyncpg.Connection, round_id: UUID, reviewer: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM assignments WHERE round_id = $1 AND reviewer = $2)", round_id, reviewer
        )
    )


async def declaration(conn: asyncpg.Connection, round_id: UUID, reviewer: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT conflicted_org_ids, statement, declared_on FROM declarations WHERE round_id = $1 AND reviewer = $2",
        round_id,
        reviewer,
    )


async def save_declaration(
    conn: asyncpg.Connection, round_id: UUID, reviewer: str, org_ids: list[UUID], statement: str, today: date
) -> list[UUID]:
    """Store the declaration and mark the reviewer's conflicted assignments; returns those application ids."""
    await conn.execute(
        """INSERT INTO declarations (round_id, reviewer, conflicted_org_ids, statement, declared_on)
           VALUES ($1, $2, $3, $4, $5)""",
        round_id,
        reviewer,
        org_ids,
        statement,
        today,
    )
    rows = await conn.fetch(
        """UPDATE assignments s SET conflicted = true FROM applications a
           WHERE a.id = s.application_id AND s.round_id = $1 AND s.reviewer = $2
             AND (a.org_id = ANY($3::uuid[]) OR a.sponsor_org_id = ANY($3::uuid[]))
           RETURNING s.application_id""",
        round_id,
        reviewer,
        org_ids,
    )
    return [r["application_id"] for r in rows]


async def applicant_orgs(conn: asyncpg.Connection, round_id: UUID) -> list[asyncpg.Record]:
    """The round's applicant and sponsor organisations (what reviewers declare conflicts against)."""
    return await conn.fetch(
        """SELECT DISTINCT o.org_id, o.name FROM applications a
           JOIN orgs o ON o.org_id = a.org_id OR o.org_id = a.sponsor_org_id
           WHERE a.round_id = $1 ORDER BY o.name, o.org_id""",
        round_id,
    )


async def save_score(
    conn: asyncpg.Connection, app_id: UUID, reviewer: str, criteria: dict[str, Decimal], total: Decimal, comment: str
) -> None:
    await conn.execute(
        """INSERT INTO scores (application_id, reviewer, criteria, total, comment) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (application_id, reviewer) DO UPDATE
           SET criteria = EXCLUDED.criteria, total = EXCLUDED.total, comment = EXCLUDED.comment, scored_at = now()""",
        app_id,
        reviewer,
        {k: str(v) for k, v in criteria.items()},
        total,
        comment,
    )


async def scores_of(conn: asyncpg.Connection, app_id: UUID, reviewer: str | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT application_id, reviewer, criteria, total, comment FROM scores
           WHERE application_id = $1 AND ($2::text IS NULL OR reviewer = $2) ORDER BY reviewer""",
        app_id,
        reviewer,
    )


async def round_totals(conn: asyncpg.Connection, round_id: UUID) -> dict[UUID, list[Decimal]]:
    rows = await conn.fetch(
        """SELECT s.application_id, s.total FROM scores s JOIN applications a ON a.id = s.application_id
           JOIN assignments x ON x.application_id = s.application_id AND x.reviewer = s.reviewer
           WHERE a.round_id = $1 AND NOT x.conflicted""",
        round_id,
    )
    out: dict[UUID, list[Decimal]] = {}
    for r in rows:
        out.setdefault(r["application_id"], []).append(r["total"])
    return out


async def insert_objection(conn: asyncpg.Connection, o: dict[str, Any]) -> None:
    await conn.execute(
        """INSERT INTO objections (id, round_id, application_id, filed_by, filed_by_org_id, reason, status, filed_on)
           VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)""",
        o["id"],
        o["round_id"],
        o["application_id"],
        o["filed_by"],
        o["filed_by_org_id"],
        o["reason"],
        o["filed_on"],
    )


_OBJ_COLS = "id, round_id, application_id, filed_by, filed_by_org_id, reason, status, resolution, filed_on, resolved_on"


async def get_objection(conn: asyncpg.Connection, objection_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_OBJ_COLS} FROM objections WHERE id = $1 FOR UPDATE", objection_id)


async def resolve_objection(
    conn: asyncpg.Connection, objection_id: UUID, status: str, resolution: str, today: date
) -> None:
    await conn.execute(
        "UPDATE objections SET status = $2, resolution = $3, resolved_on = $4 WHERE id = $1",
        objection_id,
        status,
        resolution,
        today,
    )


async def objections_of_round(conn: asyncpg.Connection, round_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {_OBJ_COLS} FROM objections WHERE round_id = $1 ORDER BY filed_on, id", round_id)


async def open_objections(conn: asyncpg.Connection, round_id: UUID) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM objections WHERE round_id = $1 AND status = 'open'", round_id))
