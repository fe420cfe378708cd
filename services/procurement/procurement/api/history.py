"""Loading projects concluded before this system, so statistics cover the centre's whole record."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from fastapi import APIRouter, Depends
from pydantic import Field

from procurement.api.demands import PurchaserBody
from procurement.api.deps import ServiceDep, SetupDep
from procurement.domain import ocds
from procurement.domain.demand import purchaser_problem
from procurement.domain.model import Contract, Evaluation, Grade, Purchaser
from procurement.domain.project import Project
from procurement.store import ProjectStore
from shared.auth import Principal, Role, require
from shared.contracts.base import MoneyCNY
from shared.errors import Invalid
from shared.inputs import InputModel
from shared.reference import Domain

router = APIRouter(tags=["history"])

Admin = Annotated[Principal, Depends(require(Role.DISTRICT_ADMIN))]


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
    amount_cny: MoneyCNY = Field(gt=0)
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
    loaded = []
    async with svc.transaction() as conn:
        store = ProjectStore(conn)
        for i, item in enumerate(body.projects):
            project_id = uuid5(NAMESPACE_URL, f"sogc:procurement:historical:{item.source_ref}")
            evaluation = None
            if item.beneficiary_person_times is not None:
                evaluation = Evaluation(
                    grade=item.grade or Grade.PASS,
                    beneficiary_person_times=item.beneficiary_person_times,
                    summary="历史数据导入",
                    evaluated_on=item.evaluated_on or item.ends_on,
                    evaluator=f"import:{principal.sub}",
                )
            problem = purchaser_problem(item.purchaser.code, item.purchaser.kind, item.street_code)
            if problem is not None:
                raise Invalid(f"projects.{i}.{problem.field}", problem.message)
            try:
                project = Project.historical(
                    project_id=project_id,
                    ocid_prefix=setup.ocid_prefix,
                    title=item.title,
                    domain=item.domain,
                    purchaser=Purchaser(**item.purchaser.model_dump()),
                    street_code=item.street_code,
                    contract=Contract(
                        id=uuid5(project_id, "contract"),
                        org_id=item.org_id,
                        org_name=item.org_name,
                        credit_code=item.credit_code,
                        amount_cny=item.amount_cny,
                        signed_on=item.signed_on,
                        starts_on=item.starts_on,
                        ends_on=item.ends_on,
                        term_months=0,
                        multi_year=item.multi_year,
                    ),
                    evaluation=evaluation,
                )
            except Exception as exc:
                field = getattr(exc, "field", None)
                if field is not None:
                    exc.field = f"projects.{i}.{field}"  # type: ignore[attr-defined]
                raise
            ocds.freeze(project)
            await store.save(project)
            loaded.append(str(project_id))
    return {"loaded": len(loaded), "project_ids": loaded}
