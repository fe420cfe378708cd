"""Who may do what in the console: staff pages are the district admins'; everyone manages their own
account. A principal here is the signed-in person in their acting role."""

from __future__ import annotations

from shared.auth import Principal, Role
from shared.errors import Forbidden

STAFF = (Role.DISTRICT_ADMIN,)


def may_manage_accounts(principal: Principal | None) -> bool:
    return principal is not None and principal.role in STAFF


def check_manages_accounts(principal: Principal | None) -> None:
    """Only a district admin (acting as one) invites, disables, enables, resets and changes roles."""
    if not may_manage_accounts(principal):
        raise Forbidden("只有区级管理员可以管理账号")


def check_not_self(principal: Principal, login: str, action: str) -> None:
    """Nobody disables their own account or changes their own roles (a locked-out district)."""
    if principal.sub.lower() == login.lower():
        raise Forbidden(f"不能{action}自己的账号")
