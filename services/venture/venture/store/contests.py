"""Proposal contests: contests, proposals, panel scores and votes — their SQL and mapping."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from venture.domain.contests import Contest, ContestStatus, Proposal

_CONTEST_COLS = """id, street_code, round_id, title, voting_opens_at, voting_closes_at, panelists, panel_weight,
    winners, status, created_by"""
_PROPOSAL_COLS = """id, contest_id, title, summary, presenter, org_id, sponsor_org_id, community, domain,
    requested_cny, application_id"""


class ContestStore:
    """A street's proposal contests (提案大赛)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, contest_id: UUID, *, for_update: bool = False) -> Contest | None:
        sql = f"SELECT {_CONTEST_COLS} FROM contests WHERE id = $1" + (" FOR UPDATE" if for_update else "")
        row = await self._conn.fetchrow(sql, contest_id)
        if row is None:
            return None
        proposals = await self._conn.fetch(
            f"SELECT {_PROPOSAL_COLS} FROM proposals WHERE contest_id = $1 ORDER BY created_at, id", contest_id
        )
        return Contest(
            **{**dict(row), "panelists": list(row["panelists"]), "status": ContestStatus(row["status"])},
            proposals=[Proposal(**dict(p)) for p in proposals],
        )

    async def all(self) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(f"SELECT {_CONTEST_COLS} FROM contests ORDER BY created_at")
        return [dict(r) for r in rows]

    async def add(self, c: Contest) -> None:
        await self._conn.execute(
            f"INSERT INTO contests ({_CONTEST_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            c.id,
            c.street_code,
            c.round_id,
            c.title,
            c.voting_opens_at,
            c.voting_closes_at,
            c.panelists,
            c.panel_weight,
            c.winners,
            c.status.value,
            c.created_by,
        )

    async def save_status(self, c: Contest) -> None:
        await self._conn.execute("UPDATE contests SET status = $2 WHERE id = $1", c.id, c.status.value)

    async def add_proposal(self, p: Proposal) -> None:
        await self._conn.execute(
            f"INSERT INTO proposals ({_PROPOSAL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            p.id,
            p.contest_id,
            p.title,
            p.summary,
            p.presenter,
            p.org_id,
            p.sponsor_org_id,
            p.community,
            p.domain,
            p.requested_cny,
            p.application_id,
        )

    async def link_application(self, proposal_id: UUID, application_id: UUID) -> None:
        await self._conn.execute("UPDATE proposals SET application_id = $2 WHERE id = $1", proposal_id, application_id)

    async def save_score(self, proposal_id: UUID, panelist: str, score: Decimal) -> None:
        await self._conn.execute(
            """INSERT INTO panel_scores (proposal_id, panelist, score) VALUES ($1, $2, $3)
ON CONFLICT (proposal_id, panelist) DO UPDATE SET score = EXCLUDED.score""",
            proposal_id,
            panelist,
            score,
        )

    async def add_vote(self, contest_id: UUID, voter: str, proposal_id: UUID, at: datetime) -> bool:
        """False when this voter has already voted in the contest."""
        status = await self._conn.execute(
            """INSERT INTO contest_votes (contest_id, voter, proposal_id, voted_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (contest_id, voter) DO NOTHING""",
            contest_id,
            voter,
            proposal_id,
            at,
        )
        return bool(status == "INSERT 0 1")

    async def panel(self, contest_id: UUID) -> dict[UUID, list[Decimal]]:
        rows = await self._conn.fetch(
            """SELECT s.proposal_id, s.score FROM panel_scores s JOIN proposals p ON p.id = s.proposal_id
WHERE p.contest_id = $1""",
            contest_id,
        )
        out: dict[UUID, list[Decimal]] = {}
        for r in rows:
            out.setdefault(r["proposal_id"], []).append(r["score"])
        return out

    async def votes(self, contest_id: UUID) -> dict[UUID, int]:
        rows = await self._conn.fetch(
            "SELECT proposal_id, count(*) AS n FROM contest_votes WHERE contest_id = $1 GROUP BY proposal_id",
            contest_id,
        )
        return {r["proposal_id"]: int(r["n"]) for r in rows}
