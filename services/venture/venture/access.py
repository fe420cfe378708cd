"""Who may do what in venture, beyond the role a route requires: every scoping rule, in one form.

`may_…` answers a question; `check_…` raises the kit's `Forbidden` (403) when the answer is no.
The roles each route admits are in its `require(…)`; see docs/architecture.md §4.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from shared.auth import Principal, Role
from shared.errors import Forbidden, Invalid
from venture.domain.review import Assignment


class Project(Protocol):
    """An application or a grant's terms: who holds it and where it lands."""

    @property
    def org_id(self) -> UUID: ...
    @property
    def sponsor_org_id(self) -> UUID | None: ...
    @property
    def street_code(self) -> str: ...


def may_see_project(p: Principal, project: Project) -> bool:
    """The district and monitors see every project; an org its own and those it sponsors; a street
    officer those landing in its street."""
    if p.role in (Role.DISTRICT_ADMIN, Role.MONITOR):
        return True
    if p.role is Role.ORG:
        return p.org_id is not None and p.org_id in (project.org_id, project.sponsor_org_id)
    if p.role is Role.STREET_OFFICER:
        return p.street == project.street_code
    return False


def check_may_see_project(p: Principal, project: Project) -> None:
    if not may_see_project(p, project):
        raise Forbidden("无权查看该项目")


def applying_org(p: Principal, org_id: UUID | None, sponsor_org_id: UUID | None) -> UUID:
    """The org an application is for: an org applies in its own name or as the sponsor it names;
    the district applies on paper for the org it names."""
    if p.role is Role.ORG:
        org_id = org_id or p.org_id
        if p.org_id not in (org_id, sponsor_org_id):
            raise Forbidden("组织只能以自己的名义申报，或作为 sponsor_org_id 所列的支持单位代为申报")
    if org_id is None:
        raise Invalid("org_id", "代组织申报时须填写 org_id")
    return org_id


def check_may_report(p: Principal, project: Project) -> None:
    """Only the grantee or its sponsor reports on a grant."""
    if p.org_id not in (project.org_id, project.sponsor_org_id):
        raise Forbidden("只有受资助组织或其支持单位可以提交进度报告")


def check_may_pledge_followup(p: Principal, project: Project) -> None:
    """A street officer pledges follow-up only for projects landing in their street."""
    if p.role is Role.STREET_OFFICER and p.street != project.street_code:
        raise Forbidden("街道工作人员只能为落地本街道的项目登记后续支持承诺")


def grant_scope(p: Principal) -> tuple[UUID | None, str | None]:
    """The (org, street) a grant listing is narrowed to for this caller; (None, None) is all."""
    org_id = p.org_id if p.role is Role.ORG else None
    street = p.street if p.role is Role.STREET_OFFICER else None
    return org_id, street


def check_reviewer_of_round(assigned_in_round: bool) -> None:
    if not assigned_in_round:
        raise Forbidden("本届没有分配给你的申报")


def check_reviewer_may_open(assignment: Assignment | None, *, declared: bool) -> None:
    """A reviewer opens only an assigned, non-conflicted application, after declaring conflicts."""
    if assignment is None:
        raise Forbidden("该申报没有分配给你")
    if not declared:
        raise Forbidden("请先提交本届的利益冲突声明，再查看申报")
    if assignment.conflicted:
        raise Forbidden("你已声明与该申报组织存在利益冲突")


def scores_visible_to(p: Principal) -> str | None:
    """Whose scores the caller sees: a reviewer only their own (None: everyone's, for the district)."""
    return p.sub if p.role is Role.REVIEWER else None
