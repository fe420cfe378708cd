"""Thin consumers: message → use case. The kit runs each in one transaction with its inbox row and
hands it the service's stores; the names are the consumers' inbox identities, so never change them."""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import DISTRICT_ZONE
from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import CommunityNeedPassed, ProjectSigned
from shared.contracts.registry import OrgFiled, OrgGraduated, OrgProfileUpdated, OrgRegistered, OrgStatusChanged
from shared.service import Service
from venture.handlers import claiming as claiming_handlers
from venture.handlers import registry as handlers
from venture.store import Stores

# The inbox identities these consumers had when they were named after their functions.
ORG_REGISTERED = "on_org_registered"
ORG_FILED = "on_org_filed"
ORG_STATUS_CHANGED = "on_org_status_changed"
ORG_PROFILE_UPDATED = "on_org_profile_updated"
ORG_GRADUATED = "on_org_graduated"
PROJECT_SIGNED = "on_project_signed"
COMMUNITY_NEED_PASSED = "community_need_passed_to_claiming"


def register(service: Service[Stores]) -> None:
    on = service.consumers.on

    @on(OrgRegistered, name=ORG_REGISTERED)
    async def org_registered(event: OrgRegistered, stores: Stores) -> list[IntegrationEvent]:
        if event.graduated_from_filing:
            org = event.org
            return await handlers.record_graduation(
                stores.orgs, org, registered_on=org.registered_on, filed_on=org.filed_on, today=_today()
            )
        await handlers.record_org(stores.orgs, event.org)
        return []

    @on(OrgFiled, name=ORG_FILED)
    async def org_filed(event: OrgFiled, stores: Stores) -> list[IntegrationEvent]:
        await handlers.record_org(stores.orgs, event.org)
        return []

    @on(OrgStatusChanged, name=ORG_STATUS_CHANGED)
    async def org_status_changed(event: OrgStatusChanged, stores: Stores) -> list[IntegrationEvent]:
        await handlers.record_org(stores.orgs, event.org)
        return []

    @on(OrgProfileUpdated, name=ORG_PROFILE_UPDATED)
    async def org_profile_updated(event: OrgProfileUpdated, stores: Stores) -> list[IntegrationEvent]:
        await handlers.record_org(stores.orgs, event.org)
        return []

    @on(OrgGraduated, name=ORG_GRADUATED)
    async def org_graduated(event: OrgGraduated, stores: Stores) -> list[IntegrationEvent]:
        return await handlers.record_graduation(
            stores.orgs, event.org, registered_on=event.registered_on, filed_on=event.filed_on, today=_today()
        )

    @on(ProjectSigned, name=PROJECT_SIGNED)
    async def project_signed(event: ProjectSigned, stores: Stores) -> list[IntegrationEvent]:
        await handlers.record_procurement_project(stores.orgs, event)
        return []

    @on(CommunityNeedPassed, name=COMMUNITY_NEED_PASSED)
    async def community_need_passed(event: CommunityNeedPassed, stores: Stores) -> list[IntegrationEvent]:
        return await claiming_handlers.item_from_need(stores.claiming, event)


def _today() -> date:
    """Consumers act on the real date in the district (docs/architecture.md §5), never a demo date."""
    return datetime.now(DISTRICT_ZONE).date()
