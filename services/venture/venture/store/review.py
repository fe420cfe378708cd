"""Reviewer assignments, conflict declarations, scores and objections: their SQL and mapping."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg

from venture.domain.applications import Objection
from venture.domain.review import ApplicantOrg, Assignment, Declaration, ReviewerTask, Score


class ReviewStore:
    """A round's reviewers: who reviews what, their declarations of interest and their scores."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def assign(self, round_id: UUID, app_id: UUID, reviewer: str) -> None:
        await self._conn.execute(
            """INSERT INTO assignments (round_id, application_id, reviewer, conflicted) VALUES ($1, $2, $3, false)
               ON CONFLICT (application_id, reviewer) DO NOTHING""",
            round_id,
            app_id,
            reviewer,
        )

    async def assignment(self, app_id: UUID, reviewer: str) -> Assignment | None:
        row = await self._conn.fetchrow(
            """SELECT round_id, application_id, reviewer, conflicted FROM assignments
               WHERE application_id = $1 AND reviewer = $2""",
            app_id,
            reviewer,
        )
        return None if row is None else Assignment(**dict(row))

    async def tasks_of(self, reviewer: str) -> list[ReviewerTask]:
        rows = await self._conn.fetch(
            """SELECT s.round_id, r.number AS round_number, s.application_id, a.title,
                      (d.reviewer IS NOT NULL) AS declared, s.conflicted,
                      EXISTS (SELECT 1 FROM scores sc WHERE sc.application_id = s.application_id
                              AND sc.reviewer = s.reviewer) AS scored
               FROM assignments s JOIN applications a ON a.id = s.application_id JOIN rounds r ON r.id = s.round_id
               LEFT JOIN declarations d ON d.round_id = s.round_id AND d.reviewer = s.reviewer
               WHERE s.reviewer = $1 ORDER BY r.number, a.submitted_on, a.id""",
            reviewer,
        )
        return [ReviewerTask(**dict(r)) for r in rows]

    async def has_assignment_in_round(self, round_id: UUID, reviewer: str) -> bool:
        return bool(
            await self._conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM assignments WHERE round_id = $1 AND reviewer = $2)", round_id, reviewer
            )
        )

    async def declaration(self, round_id: UUID, reviewer: str) -> Declaration | None:
        row = await self._conn.fetchrow(
            """SELECT conflicted_org_ids, statement, declared_on FROM declarations
               WHERE round_id = $1 AND reviewer = $2""",
            round_id,
            reviewer,
        )
        return (
            None if row is None else Declaration(list(row["conflicted_org_ids"]), row["statement"], row["declared_on"])
        )

    async def declare(self, round_id: UUID, reviewer: str, declaration: Declaration) -> list[UUID]:
        """Store the declaration and mark the reviewer's conflicted assignments; returns those application ids."""
        await self._conn.execute(
            """INSERT INTO declarations (round_id, reviewer, conflicted_org_ids, statement, declared_on)
               VALUES ($1, $2, $3, $4, $5)""",
            round_id,
            reviewer,
            declaration.conflicted_org_ids,
            declaration.statement,
            declaration.declared_on,
        )
        rows = await self._conn.fetch(
            """UPDATE assignments s SET conflicted = true FROM applications a
               WHERE a.id = s.application_id AND s.round_id = $1 AND s.reviewer = $2
                 AND (a.org_id = ANY($3::uuid[]) OR a.sponsor_org_id = ANY($3::uuid[]))
               RETURNING s.application_id""",
            round_id,
            reviewer,
            declaration.conflicted_org_ids,
        )
        return [r["application_id"] for r in rows]

    async def applicant_orgs(self, round_id: UUID) -> list[ApplicantOrg]:
        """The round's applicant and sponsor organisations (what reviewers declare conflicts against)."""
        rows = await self._conn.fetch(
            """SELECT DISTINCT o.org_id, o.name FROM applications a
               JOIN orgs o ON o.org_id = a.org_id OR o.org_id = a.sponsor_org_id
               WHERE a.round_id = $1 ORDER BY o.name, o.org_id""",
            round_id,
        )
        return [ApplicantOrg(r["org_id"], r["name"]) for r in rows]

    async def save_score(self, score: Score) -> None:
        """A reviewer's score; scoring again replaces their own."""
        await self._conn.execute(
            """INSERT INTO scores (application_id, reviewer, criteria, total, comment) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (application_id, reviewer) DO UPDATE
               SET criteria = EXCLUDED.criteria, total = EXCLUDED.total, comment = EXCLUDED.comment,
                   scored_at = now()""",
            score.application_id,
            score.reviewer,
            {k: str(v) for k, v in score.criteria.items()},
            score.total,
            score.comment,
        )

    async def scores_of(self, app_id: UUID, reviewer: str | None = None) -> list[Score]:
        rows = await self._conn.fetch(
            """SELECT application_id, reviewer, criteria, total, comment FROM scores
               WHERE application_id = $1 AND ($2::text IS NULL OR reviewer = $2) ORDER BY reviewer""",
            app_id,
            reviewer,
        )
        return [Score(**dict(r)) for r in rows]

    async def round_totals(self, round_id: UUID) -> dict[UUID, list[Decimal]]:
        """Each application's reviewer totals, leaving out those of conflicted reviewers."""
        rows = await self._conn.fetch(
            """SELECT s.application_id, s.total FROM scores s JOIN applications a ON a.id = s.application_id
               JOIN assignments x ON x.application_id = s.application_id AND x.reviewer = s.reviewer
               WHERE a.round_id = $1 AND NOT x.conflicted""",
            round_id,
        )
        out: dict[UUID, list[Decimal]] = {}
        for r in rows:
            out.setdefault(r["application_id"], []).append(r["total"])
        return out


_OBJ_COLS = "id, round_id, application_id, filed_by, filed_by_org_id, reason, status, resolution, filed_on, resolved_on"


class ObjectionStore:
    """Objections (异议) to projects on public notice."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, o: Objection) -> None:
        await self._conn.execute(
            """INSERT INTO objections (id, round_id, application_id, filed_by, filed_by_org_id, reason, status,
                                       filed_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            o.id,
            o.round_id,
            o.application_id,
            o.filed_by,
            o.filed_by_org_id,
            o.reason,
            o.status,
            o.filed_on,
        )

    async def get_for_update(self, objection_id: UUID) -> Objection | None:
        row = await self._conn.fetchrow(f"SELECT {_OBJ_COLS} FROM objections WHERE id = $1 FOR UPDATE", objection_id)
        return None if row is None else Objection(**dict(row))

    async def save_resolution(self, o: Objection) -> None:
        await self._conn.execute(
            "UPDATE objections SET status = $2, resolution = $3, resolved_on = $4 WHERE id = $1",
            o.id,
            o.status,
            o.resolution,
            o.resolved_on,
        )

    async def of_round(self, round_id: UUID) -> list[Objection]:
        rows = await self._conn.fetch(
            f"SELECT {_OBJ_COLS} FROM objections WHERE round_id = $1 ORDER BY filed_on, id", round_id
        )
        return [Objection(**dict(r)) for r in rows]

    async def open_count(self, round_id: UUID) -> int:
        return int(
            await self._conn.fetchval(
                "SELECT count(*) FROM objections WHERE round_id = $1 AND status = 'open'", round_id
            )
        )
