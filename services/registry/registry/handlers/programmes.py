"""Use cases of party branches, the support alliance and support history."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

import structlog

from registry.access import check_street_scope
from registry.domain.party import attachable, check_formed_on, clean_branch_name
from registry.domain.party_depth import check_active
from registry.handlers.ports import Alliance, Branches, OrgLookup, SupportHistory
from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectSigned
from shared.contracts.registry import AllianceCategory, AllianceMemberJoined, PartyBranchFormed, PartyBranchOrgsAttached
from shared.contracts.venture import GrantAwarded
from shared.errors import Conflict, Invalid, NotFound
from shared.reference import STREETS, OrgStatus

log = structlog.get_logger("registry.programmes")


async def form_branch(
    orgs: OrgLookup,
    programmes: Branches,
    *,
    name: str,
    formed_on: date,
    street_code: str | None,
    org_ids: list[UUID],
    principal: Principal,
    now: datetime,
    form: str = "joint",
) -> tuple[UUID, list[IntegrationEvent]]:
    """Form a functional party branch covering some organisations (each in at most one branch)."""
    check_street_scope(principal, street_code)
    if street_code is not None and street_code not in STREETS:
        raise Invalid("street_code", f"未知街道代码 {street_code}")
    name = clean_branch_name(name)
    formed_on = check_formed_on(formed_on, now.date())
    branch_id = uuid4()
    to_attach = attachable(org_ids, await orgs.statuses(org_ids), await programmes.memberships(org_ids), branch_id)
    await programmes.add_branch(branch_id, name, formed_on, street_code, form)
    await programmes.attach(branch_id, to_attach, formed_on, kind="formed")
    log.info("party_branch_formed", branch_id=str(branch_id), orgs=len(to_attach))
    return branch_id, [
        PartyBranchFormed(branch_id=branch_id, name=name, org_ids=to_attach, formed_on=formed_on, occurred_at=now)
    ]


async def attach_orgs(
    orgs: OrgLookup,
    programmes: Branches,
    branch_id: UUID,
    org_ids: list[UUID],
    *,
    attached_on: date | None,
    principal: Principal,
    now: datetime,
) -> list[IntegrationEvent]:
    """Attach more organisations to a branch; orgs already in it are skipped (no event if none new)."""
    branch = await programmes.branch(branch_id)
    if branch is None:
        raise NotFound(f"党支部 {branch_id} 不存在")
    check_street_scope(principal, branch["street_code"])
    check_active(branch, "branch_id")
    on = check_formed_on(attached_on or now.date(), now.date())
    to_attach = attachable(org_ids, await orgs.statuses(org_ids), await programmes.memberships(org_ids), branch_id)
    if not to_attach:
        return []
    await programmes.attach(branch_id, to_attach, on)
    log.info("party_branch_orgs_attached", branch_id=str(branch_id), orgs=len(to_attach))
    return [PartyBranchOrgsAttached(branch_id=branch_id, name=branch["name"], org_ids=to_attach, attached_on=on)]


async def join_alliance(
    orgs: OrgLookup,
    programmes: Alliance,
    org_id: UUID,
    category: AllianceCategory,
    *,
    joined_on: date | None,
    now: datetime,
) -> list[IntegrationEvent]:
    """A registered organisation joins the support alliance (创益汇) in one of nine categories."""
    org = await orgs.get(org_id)
    if org is None:
        raise Invalid("org_id", f"未知组织 {org_id}")
    if org.status is not OrgStatus.REGISTERED:
        raise Conflict(f"只有状态正常的已登记组织可以加入创益汇，当前状态为 {org.status}", code="not_registered")
    on = check_formed_on(joined_on or now.date(), now.date())
    await programmes.join_alliance(org_id, str(category), on)
    log.info("alliance_member_joined", org_id=str(org_id), category=str(category))
    return [AllianceMemberJoined(org_id=org_id, org_name=org.name, category=category, joined_on=on, occurred_at=now)]


async def record_grant(programmes: SupportHistory, event: GrantAwarded) -> list[IntegrationEvent]:
    """Keep a venture grant in the recipient's support history (once per grant id)."""
    fresh = await programmes.record_grant(event)
    log.info("support_grant_recorded", grant_id=str(event.grant_id), org_id=str(event.org_id), new=fresh)
    return []


async def record_contract(programmes: SupportHistory, event: ProjectSigned) -> list[IntegrationEvent]:
    """Keep a signed procurement contract in the undertaker's support history (once per contract id)."""
    fresh = await programmes.record_contract(event)
    log.info("support_contract_recorded", contract_id=str(event.contract_id), org_id=str(event.org_id), new=fresh)
    return []
