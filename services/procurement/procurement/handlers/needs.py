"""Use cases of community needs (社区需求): a community worker raises them; the street declines,
merges several into one demand the street office buys, or passes one to a claiming edition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import structlog

from procurement.domain.demand import DemandContent, rule_errors
from procurement.domain.needs import CommunityNeed, check_mergeable, community_ref
from procurement.handlers.demands import accepted, record
from procurement.handlers.ports import Demands, Needs
from shared.auth import Principal, Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.district import Purchaser, PurchaserKind
from shared.contracts.procurement import (
    CommunityNeedDeclined,
    CommunityNeedPassed,
    CommunityNeedRaised,
    CommunityNeedsMerged,
    MergedNeed,
)
from shared.errors import Forbidden, Invalid, NotFound
from shared.reference import street_office_code, street_office_name

log = structlog.get_logger("procurement.needs")

# Demands merged from community needs carry this source (as staff-entered ones carry `@staff`).
COMMUNITY_SOURCE = "@community"


def check_reviews(p: Principal, need: CommunityNeed) -> None:
    """The district, or the street officer of the need's street."""
    if p.role is Role.DISTRICT_ADMIN:
        return
    if p.role is not Role.STREET_OFFICER or p.street != need.street_code:
        raise Forbidden("只有该社区所在街道的工作人员可以处理这项社区需求")


async def raise_need(needs: Needs, need: CommunityNeed, *, principal: Principal) -> list[IntegrationEvent]:
    """A community worker raises a need of its own community."""
    if principal.street != need.street_code:
        raise Invalid("street_code", "只能为本社区所在街道提出需求")
    if principal.community != need.community:
        raise Invalid("community", f"只能为本社区（{principal.community}）提出需求")
    await needs.add(need)
    log.info("community_need_raised", need_id=str(need.id), community=need.community)
    return [
        CommunityNeedRaised(
            need_id=need.id,
            street_code=need.street_code,
            community=need.community,
            community_ref=need.ref,
            title=need.title,
            residents=need.residents,
            urgency=need.urgency.value,
            domain=need.domain,  # type: ignore[arg-type]
            raised_by=need.raised_by,
            raised_on=need.raised_on,
        )
    ]


async def _one(needs: Needs, need_id: UUID, p: Principal) -> CommunityNeed:
    found = await needs.locked([need_id])
    if not found:
        raise NotFound(f"社区需求 {need_id} 不存在")
    check_reviews(p, found[0])
    return found[0]


async def decline(
    needs: Needs, need_id: UUID, reason: str, *, principal: Principal, today: date
) -> tuple[CommunityNeed, list[IntegrationEvent]]:
    need = await _one(needs, need_id, principal)
    need.decline(reason, by=principal.sub, today=today)
    await needs.save_decision(need)
    return need, [
        CommunityNeedDeclined(
            need_id=need.id,
            street_code=need.street_code,
            community=need.community,
            community_ref=need.ref,
            title=need.title,
            reason=need.reason or "",
            declined_on=today,
        )
    ]


async def pass_to_claiming(
    needs: Needs, need_id: UUID, edition_id: UUID, *, principal: Principal, today: date
) -> tuple[CommunityNeed, list[IntegrationEvent]]:
    """Venture publishes the need as an item of the edition (it refuses an edition it does not hold)."""
    need = await _one(needs, need_id, principal)
    need.pass_to(edition_id, by=principal.sub, today=today)
    await needs.save_decision(need)
    return need, [
        CommunityNeedPassed(
            need_id=need.id,
            edition_id=edition_id,
            street_code=need.street_code,
            community=need.community,
            community_ref=need.ref,
            title=need.title,
            description=need.description,
            residents=need.residents,
            domain=need.domain,  # type: ignore[arg-type]
            passed_on=today,
        )
    ]


@dataclass(frozen=True)
class Merge:
    """Needs to merge into one demand; omitted fields come from the needs."""

    need_ids: list[UUID]
    street_code: str
    budget_cny: Decimal
    title: str | None = None
    description: str | None = None
    domain: str | None = None
    wanted_by: date | None = None


async def merge(
    needs: Needs, demands: Demands, cmd: Merge, *, principal: Principal, today: date
) -> tuple[UUID, list[CommunityNeed], list[IntegrationEvent]]:
    """Merge needs into one demand whose purchaser is the street office; the needs keep its id."""
    if principal.role is Role.STREET_OFFICER and principal.street != cmd.street_code:
        raise Forbidden("街道工作人员只能合并本街道的社区需求")
    found = await needs.locked(cmd.need_ids)
    missing = sorted(set(map(str, cmd.need_ids)) - {str(n.id) for n in found})
    if missing:
        raise Invalid("need_ids", f"没有这些社区需求：{', '.join(missing)}")
    check_mergeable(found, cmd.street_code)
    purchaser = Purchaser(
        code=street_office_code(cmd.street_code),
        name=street_office_name(cmd.street_code),
        kind=PurchaserKind.STREET_OFFICE,
    )
    content = DemandContent(
        purchaser_code=purchaser.code,
        purchaser_name=purchaser.name,
        purchaser_kind="street_office",
        street_code=cmd.street_code,
        title=cmd.title or found[0].title,
        description=cmd.description
        or "\n".join(f"【{n.community}】{n.title}：{n.description}（{n.residents} 位居民）" for n in found),
        domain=cmd.domain or found[0].domain,
        budget_cny=cmd.budget_cny,
        expected_beneficiaries=sum(n.residents for n in found),
        wanted_by=cmd.wanted_by,
    )
    errors = rule_errors(content, sent_on=today)
    if errors:
        raise Invalid(errors[0].field, errors[0].message)
    ref = f"NEED-{uuid4().hex[:12].upper()}"
    demand_id, outcome = await record(demands, COMMUNITY_SOURCE, ref, content, via="http", by=principal.sub)
    for n in found:
        n.merge_into(demand_id, by=principal.sub, today=today)
        await needs.save_decision(n)
    log.info("community_needs_merged", demand_id=str(demand_id), needs=len(found))
    merged = CommunityNeedsMerged(
        demand_id=demand_id,
        demand_ref=ref,
        street_code=cmd.street_code,
        purchaser=purchaser,
        title=content.title,
        budget_cny=content.budget_cny,
        needs=[
            MergedNeed(
                need_id=n.id,
                community=n.community,
                community_ref=community_ref(n.street_code, n.community),
                title=n.title,
                residents=n.residents,
            )
            for n in found
        ],
        merged_on=today,
    )
    return demand_id, found, [accepted(demand_id, COMMUNITY_SOURCE, ref, content, outcome), merged]
