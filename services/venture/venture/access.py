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
from venture.domain.rounds import Round, RoundLevel


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


# --- public-welfare claiming (公益认领) ---


class Organised(Protocol):
    """An edition of claiming: where it runs and which organisation (if any) organises it."""

    @property
    def street_code(self) -> str: ...
    @property
    def community(self) -> str: ...
    @property
    def organiser_org_id(self) -> UUID | None: ...


def may_run_edition(p: Principal, e: Organised) -> bool:
    """The district; the street officer of its street; the community worker of its community; the
    organisation organising it."""
    if p.role is Role.DISTRICT_ADMIN:
        return True
    if p.role is Role.STREET_OFFICER:
        return p.street == e.street_code
    if p.role is Role.COMMUNITY_WORKER:
        return p.street == e.street_code and p.community == e.community
    if p.role is Role.ORG:
        return p.org_id is not None and p.org_id == e.organiser_org_id
    return False


def check_may_run_edition(p: Principal, e: Organised) -> None:
    if not may_run_edition(p, e):
        raise Forbidden("只有本届公益认领的组织方（或所在街道、社区、区级管理员）可以操作")


def organising_org(p: Principal, organiser_org_id: UUID | None) -> UUID | None:
    """The organisation an edition is organised by: an org only in its own name."""
    if p.role is Role.ORG:
        if organiser_org_id not in (None, p.org_id):
            raise Forbidden("组织只能以自己的名义组织公益认领")
        return p.org_id
    return organiser_org_id


def claiming_org(p: Principal, org_id: UUID | None) -> UUID:
    """An organisation (or its party branch) claims through its own account, never for another."""
    if org_id is not None and org_id != p.org_id:
        raise Forbidden("组织只能以自己的名义认领，不能代其他组织认领")
    assert p.org_id is not None
    return p.org_id


# --- street micro-venture rounds (社区微创投) ---


class Owned(Protocol):
    """A round: the district's (street_code None) or one street's."""

    @property
    def street_code(self) -> str | None: ...


def may_run_round(p: Principal, r: Owned) -> bool:
    """The district runs every round; a street officer runs its own street's rounds, end to end."""
    if p.role is Role.DISTRICT_ADMIN:
        return True
    return p.role is Role.STREET_OFFICER and r.street_code is not None and p.street == r.street_code


def check_may_run_round(p: Principal, r: Owned) -> None:
    if not may_run_round(p, r):
        raise Forbidden("街道工作人员只能办理本街道的微创投；区级公益创投由区级管理员办理")


def may_see_round(p: Principal, r: Owned) -> bool:
    """A street round's applications are seen by its street and the district, never another street."""
    if p.role is Role.STREET_OFFICER and r.street_code is not None:
        return p.street == r.street_code
    return True


def owned_round(p: Principal, r: Round, *, level_given: bool) -> Round:
    """A street officer opens only its own street's micro-venture rounds (level street); without a
    level or street named, its round is its street's."""
    if p.role is Role.STREET_OFFICER:
        if not level_given and r.street_code is None:
            r.level, r.street_code = RoundLevel.STREET, p.street
        if r.level is not RoundLevel.STREET or r.street_code != p.street:
            raise Forbidden("街道工作人员只能开设本街道的微创投（level=street）")
    return r
