"""Ranking and selection within the round's budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from venture.domain.rounds import CENT


@dataclass(frozen=True)
class Candidate:
    application_id: UUID
    requested_cny: Decimal
    reviewer_totals: list[Decimal]
    submitted_on: date


@dataclass(frozen=True)
class Decision:
    application_id: UUID
    score: Decimal
    rank: int
    selected: bool
    award_cny: Decimal | None
    reason: str


def rank_and_select(candidates: list[Candidate], *, budget: Decimal, pass_score: Decimal) -> list[Decision]:
    """Rank by mean reviewer score (ties: earlier submission); fund in rank order while the budget lasts.

    A project that does not fit the remaining budget is skipped (not partially funded) and the
    next one down is tried, so the budget is used as fully as the ranking allows.
    """
    scored = [
        (c, (sum(c.reviewer_totals, Decimal(0)) / len(c.reviewer_totals)).quantize(CENT))
        for c in candidates
        if c.reviewer_totals
    ]
    scored.sort(key=lambda cs: (-cs[1], cs[0].submitted_on, str(cs[0].application_id)))
    remaining = budget
    out: list[Decision] = []
    for rank, (c, score) in enumerate(scored, start=1):
        if score < pass_score:
            out.append(
                Decision(c.application_id, score, rank, False, None, f"评审得分 {score} 低于入选线 {pass_score}")
            )
        elif c.requested_cny > remaining:
            out.append(Decision(c.application_id, score, rank, False, None, "本届预算已用尽"))
        else:
            remaining -= c.requested_cny
            out.append(Decision(c.application_id, score, rank, True, c.requested_cny, "入选"))
    return out
