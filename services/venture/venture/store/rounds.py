"""Rounds and applications: their SQL and the row ↔ entity mapping."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg

from venture.domain.applications import Application
from venture.domain.rounds import Criterion, Round, RoundLevel, RoundStatus

_ROUND_COLS = """id, number, year, title, priority_domains, focus, total_budget_cny, grant_cap_cny,
    call_opens_on, call_closes_on, rubric, notice_workdays, mentor_org_ids, max_applications_per_org,
    tranche_percents, report_interval_days, pass_score, blind_review, status, notice_starts_on,
    notice_ends_on, awarded_on, level, street_code"""

_APP_COLS = """id, round_id, org_id, org_name, org_type, sponsor_org_id, submitted_by, title, title_key,
    street_code, community, domain, requested_cny, plan, milestones, status, screening_reason, score, rank,
    award_cny, decision_reason, submitted_on"""


_24_PARAMS = ", ".join(f"${i}" for i in range(1, 25))
_22_PARAMS = ", ".join(f"${i}" for i in range(1, 23))


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
        level=RoundLevel(row["level"]),
        street_code=row["street_code"],
    )


def _to_application(row: asyncpg.Record) -> Application:
    return Application(**dict(row))


class RoundStore:
    """The rounds (届)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, round_id: UUID, *, for_update: bool = False) -> Round | None:
        sql = f"SELECT {_ROUND_COLS} FROM rounds WHERE id = $1" + (" FOR UPDATE" if for_update else "")
        row = await self._conn.fetchrow(sql, round_id)
        return None if row is None else _to_round(row)

    async def number_taken(self, number: int, street_code: str | None = None) -> bool:
        """Whether the district (street_code None) or this street already has a round with this number."""
        return bool(
            await self._conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM rounds WHERE number = $1 AND street_code IS NOT DISTINCT FROM $2)",
                number,
                street_code,
            )
        )

    async def all(self) -> list[Round]:
        sql = f"SELECT {_ROUND_COLS} FROM rounds ORDER BY street_code NULLS FIRST, number"
        return [_to_round(r) for r in await self._conn.fetch(sql)]

    async def add(self, r: Round) -> None:
        await self._conn.execute(
            f"""INSERT INTO rounds ({_ROUND_COLS}) VALUES
({_24_PARAMS})""",
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
            r.level.value,
            r.street_code,
        )

    async def save_state(self, r: Round) -> None:
        await self._conn.execute(
            "UPDATE rounds SET status = $2, notice_starts_on = $3, notice_ends_on = $4, awarded_on = $5 WHERE id = $1",
            r.id,
            r.status.value,
            r.notice_starts_on,
            r.notice_ends_on,
            r.awarded_on,
        )


class ApplicationStore:
    """The applications (申报) to rounds."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, app_id: UUID, *, for_update: bool = False) -> Application | None:
        sql = f"SELECT {_APP_COLS} FROM applications WHERE id = $1" + (" FOR UPDATE" if for_update else "")
        row = await self._conn.fetchrow(sql, app_id)
        return None if row is None else _to_application(row)

    async def of_round(self, round_id: UUID) -> list[Application]:
        rows = await self._conn.fetch(
            f"SELECT {_APP_COLS} FROM applications WHERE round_id = $1 ORDER BY rank NULLS LAST, submitted_on, id",
            round_id,
        )
        return [_to_application(r) for r in rows]

    async def count_of_org(self, round_id: UUID, org_id: UUID) -> int:
        """The org's applications in the round that count against its cap (withdrawn ones do not)."""
        return int(
            await self._conn.fetchval(
                "SELECT count(*) FROM applications WHERE round_id = $1 AND org_id = $2 AND status <> 'withdrawn'",
                round_id,
                org_id,
            )
        )

    async def same_title_in_round(self, round_id: UUID, org_id: UUID, key: str) -> bool:
        return bool(
            await self._conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM applications WHERE round_id = $1 AND org_id = $2 AND title_key = $3)",
                round_id,
                org_id,
                key,
            )
        )

    async def add(self, a: Application) -> None:
        await self._conn.execute(
            f"""INSERT INTO applications ({_APP_COLS}) VALUES
({_22_PARAMS})""",
            a.id,
            a.round_id,
            a.org_id,
            a.org_name,
            a.org_type,
            a.sponsor_org_id,
            a.submitted_by,
            a.title,
            a.title_key,
            a.street_code,
            a.community,
            a.domain,
            a.requested_cny,
            a.plan,
            a.milestones,
            a.status,
            a.screening_reason,
            a.score,
            a.rank,
            a.award_cny,
            a.decision_reason,
            a.submitted_on,
        )

    async def set_screening(self, app_id: UUID, status: str, reason: str) -> None:
        await self._conn.execute(
            "UPDATE applications SET status = $2, screening_reason = $3 WHERE id = $1", app_id, status, reason
        )

    async def set_decision(
        self,
        app_id: UUID,
        *,
        status: str,
        score: Decimal | None,
        rank: int | None,
        award: Decimal | None,
        reason: str,
    ) -> None:
        """A decision on the application; a score or rank left None keeps the one recorded."""
        await self._conn.execute(
            """UPDATE applications SET status = $2, score = COALESCE($3, score), rank = COALESCE($4, rank),
                      award_cny = $5, decision_reason = $6 WHERE id = $1""",
            app_id,
            status,
            score,
            rank,
            award,
            reason,
        )
