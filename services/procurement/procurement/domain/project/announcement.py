"""Step 6, the public announcement: objections filed and resolved, then the close."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from procurement.domain.model import (
    Objection,
)
from procurement.domain.stages import Command, Stage, check
from shared.contracts import procurement as ev
from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict, NotFound

from .base import (
    ProjectBase,
)


class AnnouncementSteps(ProjectBase):
    """The public announcement and its objections."""

    # --- 6 public announcement --------------------------------------------------------------------

    def file_objection(
        self, *, filed_by: str, org_id: UUID | None, reason: str, today: date
    ) -> tuple[Objection, list[IntegrationEvent]]:
        check(Command.FILE_OBJECTION, self.stage)
        assert self.announcement is not None
        if today > self.announcement.objection_deadline:
            raise Conflict(f"异议期已于 {self.announcement.objection_deadline} 结束", code="objection_period_over")
        objection = Objection(filed_by=filed_by, filed_by_org_id=org_id, reason=reason, filed_on=today)
        self.objections.append(objection)
        return objection, [
            ev.ObjectionFiled(
                **self._fact(), objection_id=objection.id, filed_by=filed_by, filed_by_org_id=org_id, reason=reason
            )
        ]

    def resolve_objection(
        self, *, objection_id: UUID, upheld: bool, resolution: str, today: date
    ) -> list[IntegrationEvent]:
        """Dismiss an objection, or uphold it: the selection is void and the project goes back to review."""
        check(Command.RESOLVE_OBJECTION, self.stage)
        objection = next((o for o in self.objections if o.id == objection_id), None)
        if objection is None:
            raise NotFound(f"没有异议 {objection_id}")
        if objection.status != "pending":
            raise Conflict(f"该异议已处理（{objection.status}）", code="objection_resolved")
        objection.status, objection.resolution = ("upheld" if upheld else "dismissed"), resolution
        if upheld:
            # Back to review: the scores that produced the contested result no longer stand.
            assert self.selection is not None
            s = self.selection
            self._log(
                "objection_upheld",
                today,
                objection_id=str(objection_id),
                award_no=s.award_no,
                org_id=str(s.org_id),
                org_name=s.org_name or "",
                amount=str(s.amount_cny),
            )
            self.stage, self.selection, self.announcement, self.scores = Stage.REVIEW, None, None, []
        return [
            ev.ObjectionResolved(
                **self._fact(),
                objection_id=objection_id,
                upheld=upheld,
                resolution=resolution,
                filed_by_org_id=objection.filed_by_org_id,
            )
        ]

    def close_announcement(self, *, today: date) -> list[IntegrationEvent]:
        check(Command.CLOSE_ANNOUNCEMENT, self.stage)
        assert self.announcement is not None and self.selection is not None
        if today <= self.announcement.ends_on:
            raise Conflict(
                f"公示期至 {self.announcement.ends_on} 结束，之后才能进入项目优化", code="announcement_running"
            )
        if any(o.status == "pending" for o in self.objections):
            raise Conflict("还有未处理的异议", code="objections_pending")
        self.stage = Stage.OPTIMISATION
        return [ev.AnnouncementClosed(**self._fact(), org_id=self.selection.org_id, closed_on=today)]
