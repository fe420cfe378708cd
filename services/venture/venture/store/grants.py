"""Grants, tranches, reports, evaluations and follow-up pledges."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from venture.domain.grants import Grant, GrantStatus, Report, Tranche

GRANT_COLS = """g.id, g.application_id, g.round_id, g.org_id, g.org_name, g.applied_as, g.sponsor_org_id,
    g.mentor_org_id, g.title, g.street_code, g.domain, g.amount_cny, g.status, g.awarded_on, g.recovered_cny,
    g.completed_on"""


async def insert_grant(conn: asyncpg.Connection, g: dict[str, Any], tranches: list[tuple[int, int, Any]]) -> None:
    await conn.execute(
        """INSERT INTO grants (id, application_id, round_id, org_id, org_name, applied_as, sponsor_org_id,
                               mentor_org_id, title, street_code, domain, amount_cny, status, awarded_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13)""",
        g["id"],
        g["application_id"],
        g["round_id"],
        g["org_id"],
        g["org_name"],
        g["applied_as"],
        g["sponsor_org_id"],
        g["mentor_org_id"],
        g["title"],
        g["street_code"],
        g["domain"],
        g["amount_cny"],
        g["awarded_on"],
    )
    await conn.executemany(
        "INSERT INTO tranches (grant_id, number, percent, amount_cny, status) VALUES ($1, $2, $3, $4, 'planned')",
        [(g["id"], n, pct, amount) for n, pct, amount in tranches],
    )


async def grant_row(conn: asyncpg.Connection, grant_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    sql = f"SELECT {GRANT_COLS}, r.number AS round_number, r.report_interval_days FROM grants g " + (
        "JOIN rounds r ON r.id = g.round_id WHERE g.id = $1" + (" FOR UPDATE OF g" if for_update else "")
    )
    return await conn.fetchrow(sql, grant_id)


async def tranche_rows(conn: asyncpg.Connection, grant_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT number, percent, amount_cny, status, disbursed_on, report_due_on FROM tranches
           WHERE grant_id = $1 ORDER BY number""",
        grant_id,
    )


async def report_rows(conn: asyncpg.Connection, grant_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT id, grant_id, tranche_number, summary, status, submitted_by, submitted_on, decided_on, note
           FROM reports WHERE grant_id = $1 ORDER BY submitted_on, tranche_number, id""",
        grant_id,
    )


async def evaluation_rows(conn: asyncpg.Connection, grant_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT id, kind, result, note, recorded_by, recorded_on FROM evaluations
           WHERE grant_id = $1 ORDER BY recorded_on, id""",
        grant_id,
    )


async def load_grant(conn: asyncpg.Connection, row: asyncpg.Record) -> Grant:
    tranches = [
        Tranche(t["number"], t["percent"], t["amount_cny"], t["status"], t["disbursed_on"], t["report_due_on"])
        for t in await tranche_rows(conn, row["id"])
    ]
    reports = [Report(r["id"], r["tranche_number"], r["status"]) for r in await report_rows(conn, row["id"])]
    finals = [e["result"] for e in await evaluation_rows(conn, row["id"]) if e["kind"] == "final"]
    return Grant(
        id=row["id"],
        amount_cny=row["amount_cny"],
        status=GrantStatus(row["status"]),
        tranches=tranches,
        reports=reports,
        final_evaluations=finals,
        recovered_cny=row["recovered_cny"],
        completed_on=row["completed_on"],
    )


async def save_grant(conn: asyncpg.Connection, g: Grant) -> None:
    await conn.execute(
        "UPDATE grants SET status = $2, recovered_cny = $3, completed_on = $4, updated_at = now() WHERE id = $1",
        g.id,
        g.status.value,
        g.recovered_cny,
        g.completed_on,
    )
    await conn.executemany(
        "UPDATE tranches SET status = $3, disbursed_on = $4, report_due_on = $5 WHERE grant_id = $1 AND number = $2",
        [(g.id, t.number, t.status, t.disbursed_on, t.report_due_on) for t in g.tranches],
    )
    await conn.executemany(
        "UPDATE reports SET status = $2 WHERE id = $1 AND status <> $2", [(r.id, r.status) for r in g.reports]
    )


async def insert_report(
    conn: asyncpg.Connection, report_id: UUID, grant_id: UUID, number: int, summary: str, by: str, today: date
) -> None:
    await conn.execute(
        """INSERT INTO reports (id, grant_id, tranche_number, summary, status, submitted_by, submitted_on)
           VALUES ($1, $2, $3, $4, 'submitted', $5, $6)""",
        report_id,
        grant_id,
        number,
        summary,
        by,
        today,
    )


async def report_grant(conn: asyncpg.Connection, report_id: UUID) -> UUID | None:
    value: UUID | None = await conn.fetchval("SELECT grant_id FROM reports WHERE id = $1", report_id)
    return value


async def note_report_decision(conn: asyncpg.Connection, report_id: UUID, note: str, today: date) -> None:
    await conn.execute("UPDATE reports SET note = $2, decided_on = $3 WHERE id = $1", report_id, note, today)


async def insert_evaluation(
    conn: asyncpg.Connection, eval_id: UUID, grant_id: UUID, kind: str, result: str, note: str, by: str, today: date
) -> None:
    await conn.execute(
        """INSERT INTO evaluations (id, grant_id, kind, result, note, recorded_by, recorded_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        eval_id,
        grant_id,
        kind,
        result,
        note,
        by,
        today,
    )


async def insert_followup(
    conn: asyncpg.Connection, grant_id: UUID, street_code: str, pledge: str, by: str, today: date
) -> bool:
    status = await conn.execute(
        """INSERT INTO followups (grant_id, street_code, pledge, pledged_by, pledged_on) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (grant_id) DO NOTHING""",
        grant_id,
        street_code,
        pledge,
        by,
        today,
    )
    return status.endswith(" 1")


async def followup(conn: asyncpg.Connection, grant_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT street_code, pledge, pledged_by, pledged_on FROM followups WHERE grant_id = $1", grant_id
    )


async def list_grants(
    conn: asyncpg.Connection,
    *,
    org_id: UUID | None = None,
    street_code: str | None = None,
    round_id: UUID | None = None,
) -> list[asyncpg.Record]:
    """Grants, optionally those of one org (as recipient or sponsor), one street or one round."""
    return await conn.fetch(
        f"""SELECT {GRANT_COLS}, r.number AS round_number FROM grants g JOIN rounds r ON r.id = g.round_id
            WHERE ($1::uuid IS NULL OR g.org_id = $1 OR g.sponsor_org_id = $1)
              AND ($2::text IS NULL OR g.street_code = $2)
              AND ($3::uuid IS NULL OR g.round_id = $3)
            ORDER BY r.number, g.awarded_on, g.id""",
        org_id,
        street_code,
        round_id,
    )
