"""Use cases fed by other contexts' events: the org read model, graduation, funded projects."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectSigned
from shared.contracts.registry import OrgSnapshot
from shared.contracts.venture import IncubateeGraduated
from venture.domain.orgs import FundedProject, title_key
from venture.handlers.ports import OrgRecords, Orgs

log = structlog.get_logger("venture.registry")


async def record_org(orgs: OrgRecords, snap: OrgSnapshot) -> bool:
    """Keep the newest snapshot of an org; an older or repeated one changes nothing."""
    applied = await orgs.apply_snapshot(snap)
    log.info("org_snapshot", org_id=str(snap.org_id), version=snap.version, applied=applied)
    return applied


async def record_graduation(
    orgs: OrgRecords, snap: OrgSnapshot, *, registered_on: date | None, filed_on: date | None, today: date
) -> list[IntegrationEvent]:
    """Note a filed group's registration; tell others when it is one venture cultivated."""
    await record_org(orgs, snap)
    await orgs.record_graduation(snap.org_id, registered_on, filed_on)
    return await incubatee_event(orgs, snap.org_id, today=today)


async def incubatee_event(orgs: OrgRecords, org_id: UUID, *, today: date) -> list[IntegrationEvent]:
    """`incubatee_graduated` once per org, when both the graduation and a community-org grant are known.

    Called on graduation and again on every award, so the order in which the two become known
    does not matter. Each caller has written its half before taking the lock, and reads the other
    half after it, so concurrent graduation and award cannot both miss each other.
    """
    await orgs.lock(org_id)
    grad = await orgs.graduation(org_id)
    if grad is None:
        return []
    grants = await orgs.community_grants_of(org_id)
    if not grants:
        return []
    if not await orgs.mark_incubatee_graduated(org_id, today):
        return []
    org = await orgs.get(org_id)
    log.info("incubatee_graduated", org_id=str(org_id))
    return [
        IncubateeGraduated(
            org_id=org_id,
            org_name=org.name if org else "",
            credit_code=org.credit_code if org else None,
            street_code=(org.street_code if org else None) or grants[0].street_code,
            registered_on=grad.registered_on,
            grant_ids=[g.grant_id for g in grants],
            round_numbers=sorted({g.round_number for g in grants}),
        )
    ]


async def record_procurement_project(orgs: Orgs, event: ProjectSigned) -> None:
    """A project procurement signed is funded: venture will not fund the same project again."""
    title = event.title
    await orgs.add_funded_project(
        FundedProject("procurement", event.project_id, event.org_id, title, title_key(title), event.signed_on)
    )
