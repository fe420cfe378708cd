"""Events venture publishes (venture philanthropy, 公益创投)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from shared.contracts.base import IntegrationEvent, MoneyCNY
from shared.reference import Domain


class GrantAwarded(IntegrationEvent):
    """Venture committed a grant to an organisation's project after the public notice."""

    routing_key: ClassVar[str] = "venture.grant_awarded.v1"
    grant_id: UUID
    round_id: UUID
    round_number: int
    round_year: int
    application_id: UUID
    project_title: str
    org_id: UUID
    sponsor_org_id: UUID | None = None
    mentor_org_id: UUID | None = None
    amount_cny: MoneyCNY
    street_code: str | None = None
    domain: Domain
    awarded_on: date
