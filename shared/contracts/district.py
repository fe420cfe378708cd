"""The external contract: demands that district departments' and street offices' systems publish."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, field_validator

from shared.contracts.base import ContractModel, IntegrationEvent, MoneyCNY
from shared.reference import STREETS, Domain

# A district system's name is its broker user and its source_system. No dots: the name is one
# word of its answer keys (`procurement.to.<name>.…`), so no name's keys can match another's.
DISTRICT_SYSTEM_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class PurchaserKind(StrEnum):
    DISTRICT_DEPARTMENT = "district_department"
    STREET_OFFICE = "street_office"


class Purchaser(ContractModel):
    """The state organ that buys the service (购买主体)."""

    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    kind: PurchaserKind


class DemandPublished(IntegrationEvent):
    """A district system published a service demand (需求); see docs/architecture.md §2."""

    routing_key: ClassVar[str] = "district.demand_published.v1"
    # The longest valid demand, every character escaped as \uXXXX, is about 36 KB.
    max_body_bytes: ClassVar[int | None] = 64 * 1024

    source_system: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    demand_ref: str = Field(min_length=1, max_length=100)
    purchaser: Purchaser
    street_code: str | None = None
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    domain: Domain
    budget_cny: MoneyCNY = Field(gt=0)
    expected_beneficiaries: int = Field(ge=0, le=10_000_000)
    wanted_by: date | None = None

    @field_validator("street_code")
    @classmethod
    def _known_street(cls, value: str | None) -> str | None:
        if value is not None and value not in STREETS:
            raise ValueError(f"unknown street code {value!r}: must be one of the 17 Dongcheng street codes")
        return value
