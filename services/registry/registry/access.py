"""Who may do what in the registry: every rule in one place, each a `check_…(principal, …)` that
raises the kit's Forbidden (a 403) or returns.

Roles per route are the tuples below (`require(*WRITERS)` in the routes); the rules that need the
data — whose street, whose organisation — are the checks, called by the use cases once they have
loaded what they decide about.
"""

from __future__ import annotations

from uuid import UUID

from registry.domain.organisation import Organisation, ProfileChanges
from shared.auth import Principal, Role
from shared.errors import Forbidden

# Street officers write, but only their street's data (`check_street_scope`).
WRITERS = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER)
READERS = (Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.REVIEWER, Role.MONITOR)
ADMIN = (Role.DISTRICT_ADMIN,)


def check_street_scope(principal: Principal, street_code: str | None) -> None:
    """A street officer writes only its own street's data; district admins write everything."""
    if principal.role is Role.DISTRICT_ADMIN:
        return
    if principal.role is Role.STREET_OFFICER and street_code is not None and street_code == principal.street:
        return
    if principal.role is Role.STREET_OFFICER:
        raise Forbidden(f"街道工作人员只能处理本街道（{principal.street}）的组织和平台")
    raise Forbidden(f"角色 {principal.role} 无权进行此操作")


def check_override(principal: Principal, wanted: bool) -> None:
    """Only a district admin approves a checksum override of a credit code."""
    if wanted and principal.role is not Role.DISTRICT_ADMIN:
        raise Forbidden("只有区级管理员可以批准统一社会信用代码校验豁免")


def check_reads_profile(principal: Principal, org_id: UUID) -> None:
    """An organisation's account reads its own profile only; staff read every profile."""
    if principal.role is Role.ORG and principal.org_id != org_id:
        raise Forbidden("组织账号只能查看本组织的资料")


def check_org_changes(principal: Principal, org_id: UUID, changes: ProfileChanges) -> None:
    """An organisation's account changes its own contact and nothing else."""
    if principal.org_id != org_id:
        raise Forbidden("组织账号只能修改本组织的资料")
    if changes.name is not None or changes.domains is not None or changes.is_support_org is not None:
        raise Forbidden("组织账号只能修改联系方式")


def may_see_contact(principal: Principal, org: Organisation) -> bool:
    """Contact details (a person's name, e-mail, phone, webhook) go only to those who act on them:
    district admins, the organisation itself and the officer of its street; reviewers and monitors
    assess projects and need no one's phone number. A predicate, not a check: the answer is shaped
    by it (`contact: null`), nobody is refused."""
    if principal.role is Role.DISTRICT_ADMIN:
        return True
    if principal.role is Role.ORG:
        return principal.org_id == org.org_id
    if principal.role is Role.STREET_OFFICER:
        return org.street_code is not None and org.street_code == principal.street
    return False


def check_acts_for_org(principal: Principal, org_id: UUID) -> None:
    """An organisation's account acts only for itself (books, offers, reports); staff are checked
    against the street of what they act on by the use case."""
    if principal.role is Role.ORG and principal.org_id != org_id:
        raise Forbidden("组织账号只能为本组织办理")
