"""Grants, tranches, reports, evaluations and follow-up pledges: their SQL and mapping."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg

from venture.domain.grants import (
    Evaluation,
    Followup,
    Grant,
    GrantStatus,
    GrantSummary,
    GrantTerms,
    Report,
    Tranche,
)

_GRANT_COLS = """g.id, g.application_id, g.round_id, g.org_id, g.org_name, g.applied_as, g.sponsor_org_id,
    g.mentor_org_id, g.title, g.street_code, g.domain, g.amount_cny, g.status, g.awarded_on, g.recovered_cny,
    g.completed_on, r.number AS round_number, r.report_interval_days"""
_FROM = "FROM grants g JOIN rounds r ON r.id = g.round_id"
_REPORT_COLS = "id, tranche_number, status, summary, submitted_by, submitted_on, decided_on, note"


def _terms(row: asyncpg.Record) -> GrantTerms:
    return GrantTerms(
        application_id=row["application_id"],
        round_id=row["round_id"],
        round_number=row["round_number"],
        org_id=row["org_id"],
        org_name=row["org_name"],
        applied_as=row["applied_as"],
        sponsor_org_id=row["sponsor_org_id"],
        mentor_org_id=row["mentor_org_id"],
        title=row["title"],
        street_code=row["street_code"],
        domain=row["domain"],
        amount_cny=row["amount_cny"],
        awarded_on=row["awarded_on"],
        report_interval_days=row["report_interval_days"],
    )


def _summary(row: asyncpg.Record) -> GrantSummary:
    return GrantSummary(row["id"], _terms(row), GrantStatus(row["status"]), row["recovered_cny"], row["completed_on"])


class GrantStore:
    """Grants with their tranches, progress reports, evaluations and follow-up."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, grant_id: UUID, terms: GrantTerms, tranches: list[tuple[int, int, Decimal]]) -> None:
        """A new active grant and its planned tranches."""
        await self._conn.execute(
            """INSERT INTO grants (id, application_id, round_id, org_id, org_name, applied_as, sponsor_org_id,
                                   mentor_org_id, title, street_code, domain, amount_cny, status, awarded_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13)""",
            grant_id,
            terms.application_id,
            terms.round_id,
            terms.org_id,
            terms.org_name,
            terms.applied_as,
            terms.sponsor_org_id,
            terms.mentor_org_id,
            terms.title,
            terms.street_code,
            terms.domain,
            terms.amount_cny,
            terms.awarded_on,
        )
        await self._conn.executemany(
            "INSERT INTO tranches (grant_id, number, percent, amount_cny, status) VALUES ($1, $2, $3, $4, 'planned')",
            [(grant_id, n, pct, amount) for n, pct, amount in tranches],
        )

    async def get(self, grant_id: UUID, *, for_update: bool = False) -> Grant | None:
        """The grant with everything its rules look at (locked for the transaction when `for_update`)."""
        sql = f"SELECT {_GRANT_COLS} {_FROM} WHERE g.id = $1" + (" FOR UPDATE OF g" if for_update else "")
        row = await self._conn.fetchrow(sql, grant_id)
        if row is None:
            return None
        tranches = await self._conn.fetch(
            """SELECT number, percent, amount_cny, status, disbursed_on, report_due_on FROM tranches
               WHERE grant_id = $1 ORDER BY number""",
            grant_id,
        )
        reports = await self._conn.fetch(
            f"""SELECT {_REPORT_COLS} FROM reports WHERE grant_id = $1
                ORDER BY submitted_on, tranche_number, id""",
            grant_id,
        )
        evaluations = await self._conn.fetch(
            """SELECT id, kind, result, note, recorded_by, recorded_on FROM evaluations
               WHERE grant_id = $1 ORDER BY recorded_on, id""",
            grant_id,
        )
        evals = [Evaluation(**dict(e)) for e in evaluations]
        return Grant(
            id=row["id"],
            amount_cny=row["amount_cny"],
            status=GrantStatus(row["status"]),
            tranches=[Tranche(**dict(t)) for t in tranches],
            reports=[Report(**dict(r)) for r in reports],
            final_evaluations=[e.result for e in evals if e.kind == "final"],
            recovered_cny=row["recovered_cny"],
            completed_on=row["completed_on"],
            terms=_terms(row),
            evaluations=evals,
        )

    async def summary(self, grant_id: UUID) -> GrantSummary | None:
        row = await self._conn.fetchrow(f"SELECT {_GRANT_COLS} {_FROM} WHERE g.id = $1", grant_id)
        return None if row is None else _summary(row)

    async def listing(
        self, *, org_id: UUID | None = None, street_code: str | None = None, round_id: UUID | None = None
    ) -> list[GrantSummary]:
        """Grants, optionally those of one org (as recipient or sponsor), one street or one round."""
        rows = await self._conn.fetch(
            f"""SELECT {_GRANT_COLS} {_FROM}
                WHERE ($1::uuid IS NULL OR g.org_id = $1 OR g.sponsor_org_id = $1)
                  AND ($2::text IS NULL OR g.street_code = $2)
                  AND ($3::uuid IS NULL OR g.round_id = $3)
                ORDER BY r.number, g.awarded_on, g.id""",
            org_id,
            street_code,
            round_id,
        )
        return [_summary(r) for r in rows]

    async def save(self, g: Grant) -> None:
        """The grant's state, its tranches and the status of its reports."""
        await self._conn.execute(
            "UPDATE grants SET status = $2, recovered_cny = $3, completed_on = $4, updated_at = now() WHERE id = $1",
            g.id,
            g.status.value,
            g.recovered_cny,
            g.completed_on,
        )
        await self._conn.executemany(
            """UPDATE tranches SET status = $3, disbursed_on = $4, report_due_on = $5
               WHERE grant_id = $1 AND number = $2""",
            [(g.id, t.number, t.status, t.disbursed_on, t.report_due_on) for t in g.tranches],
        )
        await self._conn.executemany(
            "UPDATE reports SET status = $2 WHERE id = $1 AND status <> $2", [(r.id, r.status) for r in g.reports]
        )

    async def add_report(self, grant_id: UUID, report: Report) -> None:
        await self._conn.execute(
            """INSERT INTO reports (id, grant_id, tranche_number, summary, status, submitted_by, submitted_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            report.id,
            grant_id,
            report.tranche_number,
            report.summary,
            report.status,
            report.submitted_by,
            report.submitted_on,
        )

    async def grant_of_report(self, report_id: UUID) -> UUID | None:
        value: UUID | None = await self._conn.fetchval("SELECT grant_id FROM reports WHERE id = $1", report_id)
        return value

    async def note_report_decision(self, report: Report) -> None:
        await self._conn.execute(
            "UPDATE reports SET note = $2, decided_on = $3 WHERE id = $1", report.id, report.note, report.decided_on
        )

    async def add_evaluation(self, grant_id: UUID, e: Evaluation) -> None:
        await self._conn.execute(
            """INSERT INTO evaluations (id, grant_id, kind, result, note, recorded_by, recorded_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            e.id,
            grant_id,
            e.kind,
            e.result,
            e.note,
            e.recorded_by,
            e.recorded_on,
        )

    async def add_followup(self, grant_id: UUID, f: Followup) -> bool:
        """False when the grant already has its pledge (one per grant)."""
        status = await self._conn.execute(
            """INSERT INTO followups (grant_id, street_code, pledge, pledged_by, pledged_on)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (grant_id) DO NOTHING""",
            grant_id,
            f.street_code,
            f.pledge,
            f.pledged_by,
            f.pledged_on,
        )
        return str(status).endswith(" 1")

    async def followup(self, grant_id: UUID) -> Followup | None:
        row = await self._conn.fetchrow(
            "SELECT street_code, pledge, pledged_by, pledged_on FROM followups WHERE grant_id = $1", grant_id
        )
        return None if row is None else Followup(**dict(row))
