"""Who may do what in notify: every rule in one place.

- Any signed-in role reads its own inbox; which notices are its own is `inbox_scope`.
- Operations (delivery log, retries, reminders, statistics) are the district admin's.
- An organisation manages its own webhook signing keys; a district admin any organisation's.
- The public feed (公示) needs no login.
"""

from __future__ import annotations

from uuid import UUID

from notify.domain import InboxScope
from shared.auth import Principal, Role, require
from shared.errors import Forbidden
from shared.reference import DISTRICT_CODE, STREET_OFFICES, street_office_code

ANY_ROLE = require(*Role)
OPERATORS = require(Role.DISTRICT_ADMIN)
KEY_HOLDERS = require(Role.ORG, Role.DISTRICT_ADMIN)


def inbox_scope(p: Principal) -> InboxScope:
    """Which inbox notices a caller may see.

    An org sees its own; a street officer its street platform's and its street office's (the
    purchaser whose code is `<street>JDB`); district staff the district's, the district systems'
    and the district departments' (every purchaser that is not a street office), on their behalf
    until those departments have accounts of their own. A purchaser's notices are scoped by its
    code alone: what an event says about a purchaser's street or kind decides nothing. A community
    worker sees its community platform's (`<street code>/<community>`).
    """
    if p.role is Role.ORG:
        return InboxScope(recipients=(("org", str(p.org_id)),))
    if p.role is Role.STREET_OFFICER:
        return InboxScope(recipients=(("street", p.street), ("purchaser", street_office_code(p.street or ""))))
    if p.role is Role.COMMUNITY_WORKER:
        return InboxScope(recipients=(("community", f"{p.street}/{p.community}"),))
    if p.role is Role.DISTRICT_ADMIN:
        return InboxScope(
            recipients=(("district", DISTRICT_CODE),),
            kinds=("district_system",),
            purchasers_except=tuple(sorted(STREET_OFFICES)),
        )
    # reviewers and monitors: notices addressed to them by their login
    return InboxScope(recipients=((p.role.value, p.sub),))


def check_manages_webhook_keys(p: Principal, org_id: UUID) -> None:
    """An organisation manages only its own signing keys (a district admin any organisation's)."""
    if p.role is Role.ORG and p.org_id != org_id:
        raise Forbidden("只能管理本组织的回调签名密钥")
