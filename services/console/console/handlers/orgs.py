"""An organisation's contact is invited as that organisation's account when the registry says it
registered, was filed or graduated with a contact e-mail — from its events, never by calling it."""

from __future__ import annotations

from datetime import datetime

import structlog

from console.domain.accounts import Grant, Profile
from console.handlers.accounts import Links, invite
from console.handlers.ports import Accounts
from shared.auth import Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import OrgSnapshot
from shared.errors import DomainError

log = structlog.get_logger("console.orgs")
ACTOR = "console"


async def invite_contact(
    accounts: Accounts, org: OrgSnapshot, *, now: datetime, links: Links
) -> list[IntegrationEvent]:
    """Invite the organisation's contact once (whichever of its events comes first); an organisation
    without a contact e-mail, or one whose contact already has its account, changes nothing."""
    email = (org.contact.email or "").strip()
    if not email:
        return []
    # The organisation's events arrive on separate queues, possibly at once: one decides at a time.
    await accounts.lock(f"org:{org.org_id}")
    await accounts.lock(f"login:{email.lower()}")
    if await accounts.of_org(org.org_id) is not None:
        return []
    login = email.lower() if len(email) <= 64 else f"org-{org.org_id.hex[:12]}"
    if await accounts.login_taken(login):
        login = f"{login.split('@')[0][:40]}-{org.org_id.hex[:8]}"
    profile = Profile(
        login=login, display_name=(org.contact.name or org.name)[:100], email=email, phone=org.contact.phone
    )
    try:
        _, events = await invite(
            accounts,
            profile,
            [Grant.of(Role.ORG, org_id=org.org_id)],
            actor=ACTOR,
            now=now,
            links=links,
            org_id=org.org_id,
        )
    except DomainError as exc:  # a contact the registry accepted but an account cannot hold (an odd e-mail)
        log.warning("org_contact_not_invited", org_id=str(org.org_id), reason=exc.message)
        await accounts.audit(
            at=now,
            actor=ACTOR,
            action="contact_not_invited",
            account_id=None,
            detail={"org_id": str(org.org_id), "reason": exc.message},
        )
        return []
    return events
