"""Keeping what procurement knows of other services: registry organisations, venture grants."""

from __future__ import annotations

import structlog

from procurement.domain.demand import project_key
from procurement.handlers.ports import Grants, OrgSnapshots
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import OrgSnapshot
from shared.contracts.venture import GrantAwarded

log = structlog.get_logger("procurement.subscribers")


async def apply_org(orgs: OrgSnapshots, org: OrgSnapshot) -> list[IntegrationEvent]:
    """Keep the registry's newest snapshot of an organisation (an older one arriving late changes nothing)."""
    applied = await orgs.apply(org)
    log.info("org_snapshot", org_id=str(org.org_id), version=org.version, applied=applied)
    return []


async def remember_grant(grants: Grants, event: GrantAwarded) -> list[IntegrationEvent]:
    """Remember a venture grant, so the same project is not funded twice."""
    await grants.add(
        event.grant_id,
        event.org_id,
        project_key(event.project_title),
        event.project_title,
        event.amount_cny,
        event.awarded_on,
    )
    return []
