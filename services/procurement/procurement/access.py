"""Who may see and do what on a project (DESIGN §2.4); pure functions of principal and project."""

from __future__ import annotations

from procurement.domain.project import Project
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.reference import street_office_code


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


def require_manager(principal: Principal, project: Project) -> None:
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


def require_view(principal: Principal, project: Project) -> None:
    if not can_view(principal, project):
        raise Forbidden("您无权查看该项目")


def require_street(principal: Principal, *, purchaser_code: str, purchaser_kind: str, street_code: str | None) -> None:
    """A street officer may enter or sort demands only as its own street office: that office's
    purchaser code (`<street>JDB`), for its own street."""
    if principal.role is not Role.STREET_OFFICER or principal.street is None:
        return
    own = street_office_code(principal.street)
    if purchaser_kind != "street_office" or street_code != principal.street or purchaser_code != own:
        raise Forbidden(f"街道工作人员只能以本街道办事处（购买主体代码 {own}）的名义提出或梳理需求")
