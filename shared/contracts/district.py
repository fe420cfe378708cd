"""The external contract: demands that district departments' and street offices' systems publish."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field, JsonValue, WithJsonSchema, field_validator

from shared.contracts.base import ContractModel, IntegrationEvent, PositiveMoneyCNY
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


# The documented example (docs/events.md, the AsyncAPI documents); tests send it for real.
DEMAND_EXAMPLE: dict[str, JsonValue] = {
    "event_id": "0b7f6c1e-4d1a-4d0e-9a55-3c2f7e1b9a10",
    "occurred_at": "2026-03-02T09:30:00+08:00",
    "source_system": "district-demo",
    "demand_ref": "TYJ-2026-004",
    "purchaser": {"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"},
    "street_code": "110101006",
    "title": "东四街道老年人健身指导服务",
    "description": "为辖区60岁以上老年人提供每周两次的科学健身指导。",
    "domain": "elder_care",
    "budget_cny": "200000.00",
    "expected_beneficiaries": 1200,
    "wanted_by": "2026-06-30",
}


class DemandPublished(IntegrationEvent):
    """A district system published a service demand (需求) to procurement, which answers it."""

    model_config = ConfigDict(json_schema_extra={"examples": [DEMAND_EXAMPLE]})
    routing_key: ClassVar[str] = "district.demand_published.v1"
    # The longest valid demand, every character escaped as \uXXXX, is about 36 KB.
    max_body_bytes: ClassVar[int | None] = 64 * 1024

    source_system: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    demand_ref: str = Field(min_length=1, max_length=100)
    purchaser: Purchaser
    street_code: Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(STREETS)})] | None = Field(
        default=None, description="One of the 17 Dongcheng street codes (docs/events.md lists them), or null."
    )
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    domain: Domain
    budget_cny: PositiveMoneyCNY
    # Strict: a JSON integer only (not "1200", 1200.5 or true), as the documents say.
    expected_beneficiaries: int = Field(ge=0, le=10_000_000, strict=True)
    wanted_by: date | None = None

    @field_validator("event_id", "occurred_at", "wanted_by", mode="before")
    @classmethod
    def _written_as_text(cls, value: object) -> object:
        # JSON carries ids, times and dates as strings; a number would be read as a Unix time.
        if isinstance(value, bool | int | float):
            raise ValueError("须为字符串（UUID 或 RFC 3339 日期/时间），不能是数字")
        return value

    @field_validator("street_code")
    @classmethod
    def _known_street(cls, value: str | None) -> str | None:
        if value is not None and value not in STREETS:
            raise ValueError(f"unknown street code {value!r}: must be one of the 17 Dongcheng street codes")
        return value
