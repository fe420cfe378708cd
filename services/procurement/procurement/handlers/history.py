"""Loading projects concluded before this system, so statistics cover the centre's whole record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from procurement.domain import ocds
from procurement.domain.demand import purchaser_problem
from procurement.domain.model import Contract, Evaluation, Grade, Purchaser
from procurement.domain.project import Project
from procurement.handlers.ports import Projects
from shared.contracts.base import IntegrationEvent
from shared.errors import Invalid
from shared.reference import Domain


@dataclass(frozen=True)
class Concluded:
    """One concluded contract from the centre's records; `source_ref` makes re-loading idempotent."""

    source_ref: str
    title: str
    purchaser: Purchaser
    street_code: str | None
    domain: Domain
    org_id: UUID
    org_name: str
    credit_code: str | None
    amount_cny: Decimal
    signed_on: date
    starts_on: date
    ends_on: date
    multi_year: bool = False
    grade: Grade | None = None
    beneficiary_person_times: int | None = None
    evaluated_on: date | None = None


async def load(
    projects: Projects, records: Sequence[Concluded], *, by: str, ocid_prefix: str
) -> tuple[list[UUID], list[IntegrationEvent]]:
    """Save each record as a concluded project (the same `source_ref` again replaces it); a record's
    problem names its position (`projects.<i>.<field>`). Loading history announces nothing."""
    loaded = []
    for i, record in enumerate(records):
        problem = purchaser_problem(record.purchaser.code, record.purchaser.kind, record.street_code)
        if problem is not None:
            raise Invalid(f"projects.{i}.{problem.field}", problem.message)
        try:
            project = _project(record, by=by, ocid_prefix=ocid_prefix)
        except Exception as exc:
            field = getattr(exc, "field", None)
            if field is not None:
                exc.field = f"projects.{i}.{field}"  # type: ignore[attr-defined]
            raise
        ocds.freeze(project)
        await projects.save(project)
        loaded.append(project.id)
    return loaded, []


def _project(record: Concluded, *, by: str, ocid_prefix: str) -> Project:
    project_id = uuid5(NAMESPACE_URL, f"sogc:procurement:historical:{record.source_ref}")
    evaluation = None
    if record.beneficiary_person_times is not None:
        evaluation = Evaluation(
            grade=record.grade or Grade.PASS,
            beneficiary_person_times=record.beneficiary_person_times,
            summary="历史数据导入",
            evaluated_on=record.evaluated_on or record.ends_on,
            evaluator=f"import:{by}",
        )
    return Project.historical(
        project_id=project_id,
        ocid_prefix=ocid_prefix,
        title=record.title,
        domain=record.domain,
        purchaser=record.purchaser,
        street_code=record.street_code,
        contract=Contract(
            id=uuid5(project_id, "contract"),
            org_id=record.org_id,
            org_name=record.org_name,
            credit_code=record.credit_code,
            amount_cny=record.amount_cny,
            signed_on=record.signed_on,
            starts_on=record.starts_on,
            ends_on=record.ends_on,
            term_months=0,
            multi_year=record.multi_year,
        ),
        evaluation=evaluation,
    )
