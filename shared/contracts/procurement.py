"""Events procurement publishes. The demand answers are part of the external contract."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import IntegrationEvent


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
