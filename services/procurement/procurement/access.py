"""Who may see and do what (docs/architecture.md §4): every rule of procurement, as pure functions
of the principal and what it acts on. Predicates say whether (`manages`, `can_view`); checks
(`check_…`) raise the kit's Forbidden; scopes and views say what a caller sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procurement.domain.documents import dump
from procurement.domain.model import Proposal, Score
from procurement.domain.project import Project
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.reference import street_office_code

# The roles each kind of route accepts (the kit's `require` checks them before the route runs).
STAFF = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)
ADMIN = (Role.DISTRICT_ADMIN,)
REVIEWER = (Role.REVIEWER,)
MONITOR = (Role.MONITOR,)
ORG = (Role.ORG,)
OBJECTORS = (Role.ORG, Role.DISTRICT_ADMIN, Role.STREET_OFFICER)


def manages(principal: Principal, project: Project) -> bool:
    """District admins run every project; a street officer only those its own street office buys
    (purchaser code `<street>JDB`)."""
    if principal.role is Role.DISTRICT_ADMIN:
        return True
    return (
        principal.role is Role.STREET_OFFICER
        and principal.street is not None
        and project.purchaser.kind == "street_office"
        and project.purchaser.code == street_office_code(principal.street)
        and project.street_code == principal.street
    )


def check_manages(principal: Principal, project: Project) -> None:
    if not manages(principal, project):
        raise Forbidden("只有区级管理员或该项目购买主体所在街道的工作人员可以操作")


def can_view(principal: Principal, project: Project) -> bool:
    if manages(principal, project):
        return True
    if principal.role is Role.REVIEWER:
        return project.reviewer(principal.sub) is not None
    if principal.role is Role.MONITOR:
        return principal.sub in project.monitors
    if principal.role is Role.ORG:
        return any(p.org_id == principal.org_id for p in project.proposals)
    return False


def check_view(principal: Principal, project: Project) -> None:
    if not can_view(principal, project):
        raise Forbidden("您无权查看该项目")


def check_street(principal: Principal, *, purchaser_code: str, purchaser_kind: str, street_code: str | None) -> None:
    """A street officer may enter or sort demands only as its own street office: that office's
    purchaser code (`<street>JDB`), for its own street."""
    if principal.role is not Role.STREET_OFFICER or principal.street is None:
        return
    own = street_office_code(principal.street)
    if purchaser_kind != "street_office" or street_code != principal.street or purchaser_code != own:
        raise Forbidden(f"街道工作人员只能以本街道办事处（购买主体代码 {own}）的名义提出或梳理需求")


def check_objector(principal: Principal, project: Project) -> None:
    """Any organisation and district admins may object; a street officer only on a project it manages."""
    if principal.role is Role.STREET_OFFICER:
        check_manages(principal, project)


# --- what a caller sees ----------------------------------------------------------------------------


def demand_scope(principal: Principal) -> str | None:
    """The purchaser whose demands a caller sees: a street officer its street office's only (None: all)."""
    return street_office_code(principal.street or "") if principal.role is Role.STREET_OFFICER else None


@dataclass(frozen=True)
class ProjectScope:
    """Which projects a caller's list holds: all, one purchaser's, those whose document contains a
    fragment, or none (`nothing`)."""

    purchaser: str | None = None
    contains: dict[str, Any] | None = None
    nothing: bool = False


def project_scope(principal: Principal) -> ProjectScope:
    if principal.role is Role.STREET_OFFICER:
        return ProjectScope(purchaser=street_office_code(principal.street or ""))
    if principal.role is Role.REVIEWER:
        return ProjectScope(contains={"reviewers": [{"sub": principal.sub}]})
    if principal.role is Role.MONITOR:
        return ProjectScope(contains={"monitors": [principal.sub]})
    if principal.role is Role.ORG:
        return ProjectScope(contains={"proposals": [{"org_id": str(principal.org_id)}]})
    if principal.role is Role.DISTRICT_ADMIN:
        return ProjectScope()
    # district_department and community_worker: no project of theirs yet (their own views come later)
    return ProjectScope(nothing=True)


def visible_proposals(principal: Principal, project: Project) -> list[Proposal]:
    """Proposals: staff all, an org its own, a reviewer of the panel the valid ones; nobody else any."""
    if manages(principal, project):
        return list(project.proposals)
    check_view(principal, project)
    if principal.role is Role.ORG:
        return [x for x in project.proposals if x.org_id == principal.org_id]
    if principal.role is Role.REVIEWER and project.reviewer(principal.sub) is not None:
        return project.valid_proposals()
    raise Forbidden("您无权查看该项目的申报")


def visible_scores(principal: Principal, project: Project) -> tuple[list[Score], bool]:
    """Scores: staff see all and the ranking (True); a reviewer of the panel only its own."""
    if manages(principal, project):
        return list(project.scores), True
    if principal.role is Role.REVIEWER and project.reviewer(principal.sub) is not None:
        return [s for s in project.scores if s.reviewer == principal.sub], False
    raise Forbidden("只有管理人员和该项目的评审专家可以查看评分，且专家只能看到自己的评分")


def view(project: Project, principal: Principal, *, manager: bool) -> dict[str, Any]:
    """The project as this caller may see it. Staff see everything; anyone else sees the project's
    public facts and what its role needs, never what another organisation submitted: no other
    proposals (a reviewer: the valid ones it scores), no other objections, no ranking, no other
    reviewer's scores, and a history of what happened when, without the OCDS releases and ids
    that list every bid (the OCDS export is for district admins)."""
    data = dump(project)
    if manager:
        data["ranking"] = [{k: str(v) if v is not None else None for k, v in r.items()} for r in project.ranking()]
        return data
    data.pop("scores", None)
    data.pop("reviewers", None)
    data["history"] = [{"seq": h.seq, "kind": h.kind, "on": h.on.isoformat()} for h in project.history]
    data["objections"] = []
    if data.get("selection"):
        data["selection"].pop("ranking", None)
    if principal.role == "reviewer":
        me = project.reviewer(principal.sub)
        data["reviewers"] = [dump(me)] if me else []
        data["scores"] = [dump(s) for s in project.scores if s.reviewer == principal.sub]
        data["proposals"] = [dump(p) for p in project.valid_proposals()]
    elif principal.role == "org":
        data["proposals"] = [dump(p) for p in project.proposals if p.org_id == principal.org_id]
        data["objections"] = [dump(o) for o in project.objections if o.filed_by_org_id == principal.org_id]
        _public_result_only(data, project, principal)
    else:  # a monitor: only the undertaker's proposal matters
        chosen = project.selection.proposal_id if project.selection else None
        data["proposals"] = [dump(p) for p in project.proposals if p.id == chosen]
    return data


def view_for(principal: Principal, project: Project) -> dict[str, Any]:
    """The project as this caller sees it, whether or not it manages it."""
    return view(project, principal, manager=manages(principal, project))


def _public_result_only(data: dict[str, Any], project: Project, principal: Principal) -> None:
    """An org that did not win sees the result as the public does (announcement, signed contract),
    not which proposal won, nor the undertaker's monitoring, payments and evaluation."""
    undertaker = (
        project.contract.org_id if project.contract else project.selection.org_id if project.selection else None
    )
    if undertaker == principal.org_id:
        return
    if data.get("selection"):
        data["selection"].pop("proposal_id", None)
    for private in ("reports", "payments", "monitors"):
        data[private] = []
    data["evaluation"] = None
