"""Thin consumers: a named consumer per event → a use case, in the kit's transaction with the inbox row.

The names are the consumers' identities in the inbox (`procurement.<name>`): they are the names
the consumers had before they were named explicitly, so events consumed before keep deduplicating.
Never change one; a new consumer gets a new name."""

from __future__ import annotations

from collections.abc import Sequence

from procurement.handlers import demands, readmodels
from procurement.store import Stores
from shared.contracts.base import IntegrationEvent
from shared.contracts.district import DemandPublished
from shared.contracts.registry import OrgFiled, OrgGraduated, OrgProfileUpdated, OrgRegistered, OrgStatusChanged
from shared.contracts.venture import GrantAwarded
from shared.districts import DistrictSystems
from shared.messaging.consumer import InvalidMessage, current_delivery
from shared.service import Service

OrgEvent = OrgRegistered | OrgFiled | OrgGraduated | OrgStatusChanged | OrgProfileUpdated

DEMAND_CONSUMER = "demand_published"
GRANT_CONSUMER = "grant_awarded"
# One consumer per registry event, each with its own queue and inbox identity.
ORG_CONSUMERS: dict[type[OrgEvent], str] = {
    OrgRegistered: "org_org_registered",
    OrgFiled: "org_org_filed",
    OrgGraduated: "org_org_graduated",
    OrgStatusChanged: "org_org_status_changed",
    OrgProfileUpdated: "org_org_profile_updated",
}


def register(service: Service[Stores], systems: DistrictSystems) -> None:
    async def reject_demand(invalid: InvalidMessage, stores: Stores) -> Sequence[IntegrationEvent]:
        return await demands.reject_invalid(stores.rejected, invalid, systems)

    # Every key a district system may publish comes here, so that another version or a misspelt
    # key is answered too, instead of waiting unanswered in events.unrouted.
    @service.consumers.on(DemandPublished, name=DEMAND_CONSUMER, on_invalid=reject_demand, also_bind=("district.#",))
    async def demand_published(event: DemandPublished, stores: Stores) -> Sequence[IntegrationEvent]:
        """A district system published a demand: accept, revise or refuse it, always answering."""
        delivery = current_delivery()
        if delivery is None:
            raise RuntimeError("a demand is only ever received from the broker")
        return await demands.receive(stores.demands, stores.rejected, event, delivery, systems)

    async def org_changed(event: OrgEvent, stores: Stores) -> Sequence[IntegrationEvent]:
        """Keep the local read model of registry organisations (newest snapshot wins)."""
        return await readmodels.apply_org(stores.orgs, event.org)

    for cls, name in ORG_CONSUMERS.items():
        service.consumers.on(cls, name=name)(org_changed)

    @service.consumers.on(GrantAwarded, name=GRANT_CONSUMER)
    async def grant_awarded(event: GrantAwarded, stores: Stores) -> Sequence[IntegrationEvent]:
        """Remember venture grants so the same project is not funded twice."""
        return await readmodels.remember_grant(stores.grants, event)
