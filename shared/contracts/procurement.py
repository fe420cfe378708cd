"""Events procurement publishes. The demand answers are part of the external contract."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import IntegrationEvent, MoneyCNY
from shared.reference import Domain


class FieldError(BaseModel):
    """One reason a message was refused, naming the field (dotted path) it concerns."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    field: str
    message: str


class DemandAccepted(IntegrationEvent):
    """Procurement took a district demand; `revised` when it updated one still in collection."""

    routing_key: ClassVar[str] = "procurement.demand_accepted.v1"
    demand_id: UUID
    source_system: str
    demand_ref: str
    revised: bool = False


class DemandRejected(IntegrationEvent):
    """Procurement refused a district message, with every reason; the raw message is kept."""

    routing_key: ClassVar[str] = "procurement.demand_rejected.v1"
    source_system: str | None = None
    demand_ref: str | None = None
    rejected_message_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ContractParty(BaseModel):
    """A party to a service contract."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    code: str
    name: str


class ProjectSigned(IntegrationEvent):
    """The purchaser and the undertaking (registered) organisation signed the service contract."""

    routing_key: ClassVar[str] = "procurement.project_signed.v1"
    project_id: UUID
    contract_id: UUID
    title: str
    purchaser: ContractParty
    org_id: UUID
    org_name: str
    amount_cny: MoneyCNY
    signed_on: date
    starts_on: date
    ends_on: date
    term_months: int
    multi_year: bool = False
    street_code: str | None = None
    domain: Domain
