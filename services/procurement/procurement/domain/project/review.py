"""Step 5, the approval review: the panel, conflicts of interest, scoring, ranking and selection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from procurement.domain.model import (
    Announcement,
    Reviewer,
    Rules,
    Score,
    Screening,
    Selection,
)
from procurement.domain.stages import Command, Stage, check
from shared.contracts import procurement as ev
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, Forbidden, Invalid
from shared.workdays import WorkCalendar

from .base import (
    CENT,
    ProjectBase,
)


class ReviewSteps(ProjectBase):
    """The approval review."""

    # --- 5 approval review ---------------------------------------------------------------------

    def assign_reviewer(self, *, sub: str) -> list[IntegrationEvent]:
        check(Command.ASSIGN_REVIEWER, self.stage)
        if self.reviewer(sub) is not None:
            return []
        self.reviewers.append(Reviewer(sub=sub))
        return [ev.ReviewerAssigned(**self._fact(), reviewer=sub)]

    def declare_conflicts(self, *, sub: str, org_ids: list[UUID], note: str | None) -> list[IntegrationEvent]:
        """A reviewer declares the orgs they have a conflict of interest with (possibly none)."""
        check(Command.DECLARE_CONFLICTS, self.stage)
        reviewer = self.reviewer(sub)
        if reviewer is None:
            raise Forbidden("您不是该项目的评审专家")
        reviewer.declared, reviewer.conflicts, reviewer.declared_note = True, list(org_ids), note
        return []

    def score(self, *, sub: str, proposal_id: UUID, criteria: dict[str, Decimal], comment: str, rules: Rules) -> Score:
        """A reviewer's weighted rubric score; a conflicted reviewer cannot score that org."""
        check(Command.SCORE, self.stage)
        reviewer = self.reviewer(sub)
        if reviewer is None:
            raise Forbidden("您不是该项目的评审专家")
        if not reviewer.declared:
            raise Conflict("评分前须先声明利益冲突（可声明无冲突）", code="conflicts_not_declared")
        proposal = self.proposal(proposal_id)
        if proposal.screening is not Screening.VALID:
            raise Conflict("只能对初筛有效的申报评分", code="proposal_not_valid")
        if proposal.org_id in reviewer.conflicts:
            raise Conflict("您已声明与该组织存在利益冲突，不能评分", code="conflict_of_interest")
        if set(criteria) != set(rules.rubric):
            raise Invalid("criteria", f"评分项必须正好是：{', '.join(sorted(rules.rubric))}")
        for name, value in criteria.items():
            if not Decimal(0) <= value <= Decimal(100):
                raise Invalid(f"criteria.{name}", "每项得分须在 0 到 100 之间")
        total = sum((rules.rubric[k] * v for k, v in criteria.items()), Decimal(0)).quantize(CENT)
        self.scores = [s for s in self.scores if not (s.reviewer == sub and s.proposal_id == proposal_id)]
        entry = Score(reviewer=sub, proposal_id=proposal_id, criteria=criteria, total=total, comment=comment)
        self.scores.append(entry)
        return entry

    def ranking(self) -> list[dict[str, Any]]:
        """Valid proposals by average weighted score (ties: lower budget, then earlier submission)."""
        rows = []
        for p in self.valid_proposals():
            totals = [s.total for s in self.scores if s.proposal_id == p.id]
            average = (sum(totals, Decimal(0)) / len(totals)).quantize(CENT) if totals else None
            rows.append(
                {
                    "proposal_id": p.id,
                    "org_id": p.org_id,
                    "org_name": p.org_name,
                    "budget_cny": p.budget_cny,
                    "scores": len(totals),
                    "average": average,
                }
            )
        rows.sort(
            key=lambda r: (-(cast(Decimal | None, r["average"]) or Decimal(-1)), r["budget_cny"], str(r["proposal_id"]))
        )
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    def approve(self, *, rules: Rules, calendar: WorkCalendar, today: date) -> list[IntegrationEvent]:
        """Rank, select the best proposal within budget and above the pass mark, start the announcement."""
        check(Command.APPROVE, self.stage)
        self._check_review_complete()
        ranking = self.ranking()
        chosen = next(
            (
                r
                for r in ranking
                if r["average"] is not None and r["average"] >= rules.pass_mark and r["budget_cny"] <= self.budget_cny
            ),
            None,
        )
        if chosen is None:
            raise Conflict(
                f"没有达到及格分（{rules.pass_mark}）且不超预算的申报；可宣布采购失败后重新征集",
                code="nothing_selectable",
            )
        self.selection = Selection(
            proposal_id=chosen["proposal_id"],
            org_id=chosen["org_id"],
            org_name=chosen["org_name"],
            amount_cny=chosen["budget_cny"],
            score=chosen["average"],
            award_no=1 + sum(1 for step in self.history if step.kind == "award"),
            ranking=[{k: str(v) if v is not None else None for k, v in r.items()} for r in ranking],
        )
        self.announcement = Announcement(
            starts_on=today,
            ends_on=calendar.add_workdays(today, rules.announcement_workdays),
            objection_deadline=calendar.add_workdays(today, rules.objection_workdays),
            working_days=rules.announcement_workdays,
        )
        self.stage = Stage.ANNOUNCEMENT
        self._log("award", today, proposal_id=str(chosen["proposal_id"]), award_no=self.selection.award_no)
        return self._award_events()

    def _award_events(self) -> list[IntegrationEvent]:
        assert self.selection is not None and self.announcement is not None
        s, a = self.selection, self.announcement
        return [
            ev.ProjectApproved(
                **self._fact(),
                proposal_id=s.proposal_id,
                org_id=s.org_id,
                org_name=s.org_name,
                amount_cny=s.amount_cny,
                score=s.score,
            ),
            ev.AnnouncementStarted(
                **self._fact(),
                org_id=s.org_id,
                org_name=s.org_name,
                amount_cny=s.amount_cny,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                objection_deadline=a.objection_deadline,
                working_days=a.working_days,
                applicant_org_ids=sorted({p.org_id for p in self.current_proposals()}, key=str),
            ),
        ]

    def _check_review_complete(self) -> None:
        """A panel exists, every reviewer declared its conflicts and scored every valid proposal it may."""
        if not self.reviewers:
            raise Conflict("尚未指定评审专家", code="no_reviewers")
        undeclared = [r.sub for r in self.reviewers if not r.declared]
        if undeclared:
            raise Conflict(f"评审专家尚未声明利益冲突：{', '.join(undeclared)}", code="conflicts_not_declared")
        scored = {(s.reviewer, s.proposal_id) for s in self.scores}
        missing = [
            f"{r.sub}→{p.id}"
            for p in self.valid_proposals()
            for r in self.reviewers
            if p.org_id not in r.conflicts and (r.sub, p.id) not in scored
        ]
        if missing:
            raise Conflict(f"还有评分未完成：{', '.join(missing)}", code="scoring_incomplete")
