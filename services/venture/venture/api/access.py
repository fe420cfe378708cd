"""Who may see what (DESIGN §2.4): scoping rules applied after the role check."""

from __future__ import annotations

from typing import Any

from shared.auth import Principal, Role, forbid


def may_read_project(p: Principal, row: Any) -> bool:
    """An application or grant: the district and monitors see all; an org its own and those it sponsors;
    a street officer its street's."""
    if p.role in (Role.DISTRICT_ADMIN, Role.MONITOR):
        return True
    if p.role is Role.ORG:
        return p.org_id is not None and p.org_id in (row["org_id"], row["sponsor_org_id"])
    if p.role is Role.STREET_OFFICER:
        return p.street == row["street_code"]
    return False


def require_project(p: Principal, row: Any) -> None:
    if not may_read_project(p, row):
        raise forbid("this project is not yours to see")
