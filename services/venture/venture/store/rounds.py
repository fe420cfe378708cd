"""Rounds, applications, reviewer assignments, declarations, scores and objections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from venture.domain.rounds import Criterion, Round, RoundStatus

_ROUND_COLS = """id, number, year, title, priority_domains, focus, total_budget_cny, grant_cap_cny,
    call_opens_on, call_closes_on, rubric, notice_workdays, mentor_org_ids, max_applications_per_org,
    tranche_percents, report_interval_days, pass_score, blind_review, status, notice_starts_on,
    notice_ends_on, awarded_on"""

_APP_COLS = """id, round_id, org_id, org_name, org_type, sponsor_org_id, submitted_by, title, title_key,
    street_code, community, domain, requested_cny, plan, milestones, status, screening_reason, score, rank,
    award_cny, decision_reason, submitted_on"""


def _to_round(row: asyncpg.Record) -> Round:
    return Round(
        id=row["id"],
        number=row["number"],
        year=row["year"],
        title=row["title"],
        priority_domains=list(row["priority_domains"]),
        focus=row["focus"],
        total_budget_cny=row["total_budget_cny"],
        grant_cap_cny=row["grant_cap_cny"],
        call_opens_on=row["call_opens_on"],
        call_closes_on=row["call_closes_on"],
        rubric=[Criterion(**c) for c in row["rubric"]],
        notice_workdays=row["notice_workdays"],
        mentor_org_ids=list(row["mentor_org_ids"]),
        max_applications_per_org=row["max_applications_per_org"],
        tranche_percents=list(row["tranche_percents"]),
        report_interval_days=row["report_interval_days"],
        pass_score=row["pass_score"],
        blind_review=row["blind_review"],
        status=RoundStatus(row["status"]),
        notice_starts_on=row["notice_starts_on"],
        notice_ends_on=row["notice_ends_on"],
        awarded_on=row["awarded_on"],
    )


async def insert_round(conn: asyncpg.Connection, r: Round) -> None:
    await conn.execute(
        f"""INSERT INTO rounds ({_ROUND_COLS}) VALUES
            ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)""",
        r.id,
        r.number,
        r.year,
        r.title,
        r.priority_domains,
        r.focus,
        r.total_budget_cny,
        r.grant_cap_cny,
        r.call_opens_on,
        r.call_closes_on,
        [{"key": c.key, "name": c.name, "weight": c.weight} for c in r.rubric],
        r.notice_workdays,
        r.mentor_org_ids,
        r.max_applications_per_org,
        r.tranche_percents,
        r.report_interval_days,
        r.pass_score,
        r.blind_review,
        r.status.value,
        r.notice_starts_on,
        r.notice_ends_on,
        r.awarded_on,
    )


async def save_round_state(conn: asyncpg.Connection, r: Round) -> None:
    await conn.execute(
        "UPDATE rounds SET status = $2, notice_starts_on = $3, notice_ends_on = $4, awarded_on = $5 WHERE id = $1",
        r.id,
        r.status.value,
        r.notice_starts_on,
        r.notice_ends_on,
        r.awarded_on,
    )


async def get_round(conn: asyncpg.Connection, round_id: UUID, *, for_update: bool = False) -> Round | None:
    sql = f"SELECT {_ROUND_COLS} FROM rounds WHERE id = $1" + (" FOR UPDATE" if for_update else "")
    row = await conn.fetchrow(sql, round_id)
    return None if row is None else _to_round(row)


async def round_number_taken(conn: asyncpg.Connection, number: int) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rounds WHERE number = $1)", number))


async def list_rounds(conn: asyncpg.Connection) -> list[Round]:
    return [_to_round(r) for r in await conn.fetch(f"SELECT {_ROUND_COLS} FROM rounds ORDER BY number")]


# --- applications ---------------------------------------------------------------------


async def insert_application(conn: asyncpg.Connection, a: dict[str, Any]) -> None:
    await conn.execute(
        f"""INSERT INTO applications ({_APP_COLS}) VALUES
            ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)""",
        a["id"],
        a["round_id"],
        a["org_id"],
        a["org_name"],
        a["org_type"],
        a["sponsor_org_id"],
        a["submitted_by"],
        a["title"],
        a["title_key"],
        a["street_code"],
        a["community"],
        a["domain"],
        a["requested_cny"],
        a["plan"],
        a["milestones"],
        a["status"],
        None,
        None,
        None,
        None,
        None,
        a["submitted_on"],
    )


async def get_application(conn: asyncpg.Connection, app_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    sql = f"SELECT {_APP_COLS} FROM applications WHERE id = $1" + (" FOR UPDATE" if for_update else "")
    return await conn.fetchrow(sql, app_id)


async def applications_of_round(conn: asyncpg.Connection, round_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {_APP_COLS} FROM applications WHERE round_id = $1 ORDER BY rank NULLS LAST, submitted_on, id",
        round_id,
    )


async def count_org_applications(conn: asyncpg.Connection, round_id: UUID, org_id: UUID) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM applications WHERE round_id = $1 AND org_id = $2 AND status <> 'withdrawn'",
            round_id,
            org_id,
        )
    )


async def same_title_in_round(conn: asyncpg.Connection, round_id: UUID, org_id: UUID, key: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM applications WHERE round_id = $1 AND org_id = $2 AND title_key = $3)",
            round_id,
            org_id,
            key,
        )
    )


async def set_screening(conn: asyncpg.Connection, app_id: UUID, status: str, reason: str) -> None:
    await conn.execute(
        "UPDATE applications SET status = $2, screening_reason = $3 WHERE id = $1", app_id, status, reason
    )


async def set_decision(
    conn: asyncpg.Connection,
    app_id: UUID,
    *,
    status: str,
    score: Decimal | None,
    rank: int | None,
    award: Decimal | None,
    reason: str,
) -> None:
    await conn.execute(
        """UPDATE applications SET status = $2, score = COALESCE($3, score), rank = COALESCE($4, rank),
                  award_cny = $5, decision_reason = $6 WHERE id = $1""",
        app_id,
        status,
        score,
        rank,
        award,
        reason,
    )


# --- review ------------------------------------------------------------------------------


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


# --- objections ---------------------------------------------------------------------


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
