"""Loading projects concluded before this system (operators), so statistics cover the centre's whole record."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from procurement.api.demands import PurchaserBody
from procurement.api.deps import Admin, ServiceDep, SetupDep
from procurement.domain.model import Grade, Purchaser
from procurement.handlers import history
from shared.contracts.base import PositiveMoneyCNY
from shared.inputs import InputModel
from shared.reference import Domain

router = APIRouter(tags=["history"])


class HistoricalIn(InputModel):
    """One concluded contract from the centre's records; `source_ref` makes re-loading idempotent."""

    source_ref: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=200)
    purchaser: PurchaserBody
    street_code: str | None = Field(default=None, pattern=r"^1101010(0[1-9]|1[0-7])$")
    domain: Domain
    org_id: UUID
    org_name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, max_length=18)
    amount_cny: PositiveMoneyCNY
    signed_on: date
    starts_on: date
    ends_on: date
    multi_year: bool = False
    grade: Grade | None = None
    beneficiary_person_times: int | None = Field(default=None, ge=0)
    evaluated_on: date | None = None


class HistoryIn(InputModel):
    projects: list[HistoricalIn] = Field(min_length=1, max_length=2000)


@router.post("/projects/historical", summary="Load concluded projects from earlier records (operators)")
async def load_history(body: HistoryIn, principal: Admin, svc: ServiceDep, setup: SetupDep) -> dict[str, Any]:
    records = [_concluded(item) for item in body.projects]
    async with svc.unit_of_work() as uow:
        loaded, events = await history.load(
            uow.stores.projects, records, by=principal.sub, ocid_prefix=setup.ocid_prefix
        )
        uow.emit(events)
    return {"loaded": len(loaded), "project_ids": [str(i) for i in loaded]}


def _concluded(item: HistoricalIn) -> history.Concluded:
    # The fields as validated (not model_dump, which would turn amounts into strings).
    values = {f.name: getattr(item, f.name) for f in fields(history.Concluded) if f.name != "purchaser"}
    return history.Concluded(**values, purchaser=Purchaser(**item.purchaser.model_dump()))
