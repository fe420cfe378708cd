"""Proposal contests (提案大赛) of a street: residents and groups present proposals, a panel scores
them and the audience votes (one vote per signed-in person or verified phone, within a time box);
the best proposals become micro-venture applications in the street's round.

A proposal's result is `panel_weight`% of its panel mean (0–100) plus the rest from the audience:
its votes as a share of the most votes any proposal got, times 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

from shared.errors import Conflict, Forbidden, Invalid

CENT = Decimal("0.01")


class ContestStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Proposal:
    id: UUID
    contest_id: UUID
    title: str
    summary: str
    presenter: str
    org_id: UUID  # the residents' group (a filed community org) or the org presenting it
    sponsor_org_id: UUID | None
    community: str | None
    domain: str
    requested_cny: Decimal
    application_id: UUID | None = None


@dataclass(frozen=True)
class Standing:
    proposal: Proposal
    panel_mean: Decimal
    votes: int
    result: Decimal


@dataclass
class Contest:
    id: UUID
    street_code: str
    round_id: UUID
    title: str
    voting_opens_at: datetime
    voting_closes_at: datetime
    panelists: list[str]
    panel_weight: int
    winners: int
    created_by: str
    status: ContestStatus = ContestStatus.OPEN
    proposals: list[Proposal] = field(default_factory=list)

    def validate(self) -> None:
        if self.voting_closes_at <= self.voting_opens_at:
            raise Invalid("voting_closes_at", "投票截止时间须晚于开始时间")
        if not self.panelists:
            raise Invalid("panelists", "至少需要一位评委")

    def check_accepts_proposals(self, now: datetime) -> None:
        if self.status is not ContestStatus.OPEN or now >= self.voting_closes_at:
            raise Conflict("提案大赛已截止，不再接受提案", code="contest_closed")

    def check_voting(self, now: datetime, proposal_id: UUID) -> None:
        """A vote only within the time box, for a proposal of this contest."""
        if self.status is not ContestStatus.OPEN or now >= self.voting_closes_at:
            raise Conflict(f"投票已于 {self.voting_closes_at:%Y-%m-%d %H:%M} 截止", code="voting_closed")
        if now < self.voting_opens_at:
            raise Conflict(f"投票将于 {self.voting_opens_at:%Y-%m-%d %H:%M} 开始", code="voting_not_open")
        if proposal_id not in {p.id for p in self.proposals}:
            raise Invalid("proposal_id", "该提案不属于本场提案大赛")

    def check_panelist(self, who: str, now: datetime) -> None:
        if who not in self.panelists:
            raise Forbidden("你不是本场提案大赛的评委")
        if self.status is not ContestStatus.OPEN:
            raise Conflict("提案大赛已结束评审", code="contest_closed")

    def standings(self, panel: dict[UUID, list[Decimal]], votes: dict[UUID, int]) -> list[Standing]:
        """Every proposal with its panel mean, votes and weighted result, best first."""
        most = max(votes.values(), default=0)
        out = []
        for p in self.proposals:
            scores = panel.get(p.id, [])
            mean = (sum(scores, Decimal(0)) / len(scores)) if scores else Decimal(0)
            audience = Decimal(votes.get(p.id, 0) * 100) / most if most else Decimal(0)
            result = (mean * self.panel_weight + audience * (100 - self.panel_weight)) / 100
            out.append(
                Standing(
                    p, mean.quantize(CENT, ROUND_HALF_UP), votes.get(p.id, 0), result.quantize(CENT, ROUND_HALF_UP)
                )
            )
        return sorted(out, key=lambda s: (-s.result, -s.votes, s.proposal.title))

    def close(self, now: datetime, panel: dict[UUID, list[Decimal]], votes: dict[UUID, int]) -> list[Standing]:
        """Close after the time box; the first `winners` proposals win."""
        if self.status is ContestStatus.CLOSED:
            raise Conflict("提案大赛已经结束", code="contest_closed")
        if now < self.voting_closes_at:
            raise Conflict(f"投票至 {self.voting_closes_at:%Y-%m-%d %H:%M}，截止后方可确定结果", code="voting_running")
        self.status = ContestStatus.CLOSED
        return self.standings(panel, votes)[: self.winners]
