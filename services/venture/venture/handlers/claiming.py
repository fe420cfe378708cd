"""Use cases of public-welfare claiming (公益认领): editions, items, claims, decisions, completion."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4, uuid5

import structlog

from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import CommunityNeedPassed
from shared.contracts.venture import (
    ClaimConfirmed,
    ClaimDeclined,
    ClaimEditionOpened,
    ClaimItemPublished,
    ItemClaimed,
    ItemCompleted,
)
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging.failures import PermanentError
from venture import access
from venture.domain.claiming import (
    PUBLIC_CLAIMS_PER_PHONE_PER_DAY,
    Claim,
    ClaimerKind,
    ClaimStatus,
    Edition,
    Item,
    mobile_number,
)
from venture.handlers.ports import Claiming, Orgs

log = structlog.get_logger("venture.claiming")


async def load_edition(claiming: Claiming, edition_id: UUID, *, for_update: bool = False) -> Edition:
    e = await claiming.edition(edition_id, for_update=for_update)
    if e is None:
        raise NotFound(f"公益认领届次 {edition_id} 不存在")
    return e


async def load_item(claiming: Claiming, item_id: UUID, *, for_update: bool = False) -> Item:
    i = await claiming.item(item_id, for_update=for_update)
    if i is None:
        raise NotFound(f"认领项目 {item_id} 不存在")
    return i


async def open_edition(
    claiming: Claiming, orgs: Orgs, e: Edition, *, principal: Principal
) -> tuple[Edition, list[IntegrationEvent]]:
    """Open an edition in a community; an organiser organisation must be known and active."""
    e.organiser_org_id = access.organising_org(principal, e.organiser_org_id)
    access.check_may_run_edition(principal, e)
    e.validate()
    if e.organiser_org_id is not None:
        org = await orgs.get(e.organiser_org_id)
        if org is None:  # "not yet" (registry's event on its way) reads differently from "never"
            raise Invalid("organiser_org_id", "组织方尚未出现在登记信息中")
        if not (org.is_registered or org.is_filed_community_org):
            raise Invalid("organiser_org_id", "组织方须是登记或备案状态正常的组织")
        e.organiser_name = org.name
    if await claiming.edition_number_taken(e.street_code, e.community, e.number):
        raise Conflict(f"{e.community}第{e.number}届公益认领已经存在", code="edition_exists")
    await claiming.add_edition(e)
    log.info("claim_edition_opened", edition_id=str(e.id), community=e.community, number=e.number)
    return e, [
        ClaimEditionOpened(
            edition_id=e.id,
            number=e.number,
            title=e.title,
            street_code=e.street_code,
            community=e.community,
            organiser_org_id=e.organiser_org_id,
            organiser_name=e.organiser_name,
            opens_on=e.opens_on,
            closes_on=e.closes_on,
        )
    ]


async def close_edition(
    claiming: Claiming, edition_id: UUID, *, principal: Principal
) -> tuple[Edition, list[IntegrationEvent]]:
    """Stop taking claims (items already claimed can still be confirmed and completed)."""
    e = await load_edition(claiming, edition_id, for_update=True)
    access.check_may_run_edition(principal, e)
    e.close()
    await claiming.save_edition_status(e)
    return e, []


async def publish_item(claiming: Claiming, item: Item, *, principal: Principal) -> tuple[Item, list[IntegrationEvent]]:
    """Put an item up for claiming in an open edition; it belongs to the edition's community."""
    e = await load_edition(claiming, item.edition_id)
    access.check_may_run_edition(principal, e)
    if item.community != e.community:
        raise Invalid("community", f"本届公益认领在{e.community}，不能发布其他社区的项目")
    if e.status.value != "open":
        raise Conflict(f"第{e.number}届公益认领已结束", code="edition_closed")
    await claiming.add_item(item)
    return item, [_published(e, item)]


def _published(e: Edition, item: Item) -> ClaimItemPublished:
    return ClaimItemPublished(
        item_id=item.id,
        edition_id=e.id,
        title=item.title,
        category=item.category,  # type: ignore[arg-type]
        street_code=e.street_code,
        community=e.community,
        beneficiaries_expected=item.beneficiaries_expected,
        needs=item.needs,
        shares=item.shares,
    )


@dataclass(frozen=True)
class ClaimRequest:
    """A claim as the claimer made it; `phone` only on the public page."""

    kind: ClaimerKind
    shares: int
    note: str = ""
    claimer_name: str = ""
    claimer_org_id: UUID | None = None
    phone: str | None = None


async def claim_by_account(
    claiming: Claiming, orgs: Orgs, item_id: UUID, req: ClaimRequest, *, today: date
) -> tuple[Claim, list[IntegrationEvent]]:
    """An organisation (or its party branch) claims through its account."""
    if req.kind not in (ClaimerKind.ORG, ClaimerKind.PARTY_BRANCH):
        raise Invalid("kind", "通过组织账号认领时，认领方类型须为 org 或 party_branch")
    assert req.claimer_org_id is not None
    org = await orgs.get(req.claimer_org_id)
    if org is None:
        raise Invalid("org_id", "该组织尚未出现在登记信息中")
    if not (org.is_registered or org.is_filed_community_org):
        raise Invalid("org_id", "认领组织须是登记或备案状态正常的组织")
    name = org.name + ("党支部" if req.kind is ClaimerKind.PARTY_BRANCH else "")
    return await _claim(claiming, item_id, req, name=name, phone=None, today=today)


async def claim_in_public(
    claiming: Claiming, item_id: UUID, req: ClaimRequest, *, today: date
) -> tuple[Claim, list[IntegrationEvent]]:
    """A party member or resident claims on the public page: a real mobile number, rate-limited."""
    if req.kind not in (ClaimerKind.PARTY_MEMBER, ClaimerKind.RESIDENT):
        raise Invalid("kind", "公开页面认领时，认领方类型须为 party_member 或 resident")
    phone = mobile_number(req.phone or "")
    if await claiming.public_claims_on(phone, today) >= PUBLIC_CLAIMS_PER_PHONE_PER_DAY:
        raise Conflict(f"同一手机号每天最多认领 {PUBLIC_CLAIMS_PER_PHONE_PER_DAY} 次，请明天再试", code="rate_limited")
    return await _claim(claiming, item_id, req, name=req.claimer_name.strip(), phone=phone, today=today)


async def _claim(
    claiming: Claiming, item_id: UUID, req: ClaimRequest, *, name: str, phone: str | None, today: date
) -> tuple[Claim, list[IntegrationEvent]]:
    item = await load_item(claiming, item_id, for_update=True)  # serialises the shares still free
    e = await load_edition(claiming, item.edition_id)
    item.check_claim(req.shares)
    e.check_claimable(today)
    claim = Claim(
        id=uuid4(),
        item_id=item.id,
        edition_id=e.id,
        kind=req.kind,
        claimer_name=name,
        claimer_org_id=req.claimer_org_id,
        phone=phone,
        shares=req.shares,
        note=req.note,
        claimed_on=today,
    )
    item.hold(claim)
    await claiming.add_claim(claim)
    await claiming.save_item(item)
    log.info("item_claimed", claim_id=str(claim.id), item_id=str(item.id), kind=claim.kind.value)
    return claim, [
        ItemClaimed(
            claim_id=claim.id,
            item_id=item.id,
            edition_id=e.id,
            item_title=item.title,
            claimer_kind=claim.kind.value,
            claimer_name=claim.claimer_name,
            claimer_org_id=claim.claimer_org_id,
            shares=claim.shares,
            organiser_org_id=e.organiser_org_id,
            street_code=e.street_code,
            community=e.community,
            claimed_on=today,
        )
    ]


async def _decidable(claiming: Claiming, claim_id: UUID, principal: Principal) -> tuple[Edition, Item, Claim]:
    item_id = await claiming.claim_item_of(claim_id)
    if item_id is None:
        raise NotFound(f"认领 {claim_id} 不存在")
    item = await load_item(claiming, item_id, for_update=True)
    e = await load_edition(claiming, item.edition_id)
    access.check_may_run_edition(principal, e)
    claim = next(c for c in item.claims if c.id == claim_id)
    return e, item, claim


async def confirm(
    claiming: Claiming, claim_id: UUID, *, principal: Principal, today: date
) -> tuple[Claim, list[IntegrationEvent]]:
    """The organiser confirms a pending claim."""
    e, item, claim = await _decidable(claiming, claim_id, principal)
    covered = item.confirm(claim, today)
    await claiming.save_claim(claim)
    await claiming.save_item(item)
    return claim, [
        ClaimConfirmed(
            claim_id=claim.id,
            item_id=item.id,
            edition_id=e.id,
            item_title=item.title,
            claimer_kind=claim.kind.value,
            claimer_name=claim.claimer_name,
            claimer_org_id=claim.claimer_org_id,
            shares=claim.shares,
            item_covered=covered,
            street_code=e.street_code,
            confirmed_on=today,
        )
    ]


async def decline(
    claiming: Claiming, claim_id: UUID, reason: str, *, principal: Principal, today: date
) -> tuple[Claim, list[IntegrationEvent]]:
    """The organiser declines a pending claim, with the reason; its shares are free again."""
    e, item, claim = await _decidable(claiming, claim_id, principal)
    item.decline(claim, reason, today)
    await claiming.save_claim(claim)
    await claiming.save_item(item)
    return claim, [
        ClaimDeclined(
            claim_id=claim.id,
            item_id=item.id,
            edition_id=e.id,
            item_title=item.title,
            claimer_kind=claim.kind.value,
            claimer_name=claim.claimer_name,
            claimer_org_id=claim.claimer_org_id,
            reason=claim.reason or "",
            street_code=e.street_code,
            declined_on=today,
        )
    ]


async def complete(
    claiming: Claiming,
    item_id: UUID,
    *,
    delivered: str,
    person_times: int,
    report_ref: str | None,
    principal: Principal,
    today: date,
) -> tuple[Item, list[IntegrationEvent]]:
    """Record what was delivered and the person-times served."""
    item = await load_item(claiming, item_id, for_update=True)
    e = await load_edition(claiming, item.edition_id)
    access.check_may_run_edition(principal, e)
    item.complete(delivered=delivered, person_times=person_times, report_ref=report_ref, today=today)
    await claiming.save_item(item)
    confirmed = [c for c in item.claims if c.status is ClaimStatus.CONFIRMED and c.claimer_org_id is not None]
    return item, [
        ItemCompleted(
            item_id=item.id,
            edition_id=e.id,
            item_title=item.title,
            street_code=e.street_code,
            community=e.community,
            organiser_org_id=e.organiser_org_id,
            delivered=delivered,
            person_times=person_times,
            report_ref=report_ref,
            claimer_org_ids=_unique(c.claimer_org_id for c in confirmed),
            branch_claimer_org_ids=_unique(c.claimer_org_id for c in confirmed if c.kind is ClaimerKind.PARTY_BRANCH),
            completed_on=today,
        )
    ]


def _unique(ids: Iterable[UUID | None]) -> list[UUID]:
    out: list[UUID] = []
    for i in ids:
        if i is not None and i not in out:
            out.append(i)
    return out


# Items published from procurement's community needs get an id derived from the need's, so the
# same need passed twice (a redelivery past the inbox, a replayed dead letter) is one item.
NEED_ITEMS = UUID("3f4b8f2e-8a57-4a0e-9a52-6c7d2f1e9b11")


async def item_from_need(claiming: Claiming, event: CommunityNeedPassed) -> list[IntegrationEvent]:
    """Publish a community need the street passed to this edition as one of its items."""
    item_id = uuid5(NEED_ITEMS, str(event.need_id))
    if await claiming.item(item_id) is not None:
        return []
    e = await claiming.edition(event.edition_id)
    if e is None:
        raise PermanentError(f"edition_id: 公益认领届次 {event.edition_id} 不存在")
    if (e.street_code, e.community) != (event.street_code, event.community):
        raise PermanentError(f"community: 社区需求属于{event.community}，第{e.number}届公益认领在{e.community}")
    if e.status.value != "open":
        raise PermanentError(f"edition_id: 第{e.number}届公益认领已结束")
    item = Item(
        id=item_id,
        edition_id=e.id,
        title=event.title,
        need=event.description,
        category=event.domain.value,
        community=e.community,
        beneficiaries_expected=event.residents,
        needs=["volunteer_hours"],
    )
    await claiming.add_item(item)
    log.info("claim_item_from_need", item_id=str(item.id), need_id=str(event.need_id))
    return [_published(e, item)]
