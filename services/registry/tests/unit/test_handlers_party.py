"""Party use cases on an in-memory store: the census's scope and rules, links and procurement's
projects arriving in any order."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from registry.domain.party_depth import BranchForm, Census
from registry.handlers import party as handlers
from shared.auth import Principal, Role
from shared.clock import DISTRICT_ZONE
from shared.contracts.procurement import ProjectCancelled, PurchaserRef, SolicitationOpened
from shared.errors import Forbidden, Invalid

from .fakes import FakeOrgs
from .test_handlers_programmes import an_org

NOW = datetime(2020, 5, 1, 9, 0, tzinfo=DISTRICT_ZONE)
ADMIN = Principal(sub="alice", role=Role.DISTRICT_ADMIN)
TIANTAN = Principal(sub="carol", role=Role.STREET_OFFICER, street="110101016")


class FakeParty:
    """Only what these use cases touch of `ports.Party`."""

    def __init__(self) -> None:
        self.census: dict[tuple[UUID, int], Census] = {}
        self.projects: dict[UUID, dict[str, Any]] = {}

    async def branch(self, branch_id: UUID) -> dict[str, Any] | None:
        return None

    async def record_census(self, org_id: UUID, street_code: str | None, c: Census, branch_id: UUID | None,
                            *, by: str, at: datetime) -> bool:  # fmt: skip
        first = (org_id, c.year) not in self.census
        self.census[(org_id, c.year)] = c
        return first

    async def record_project(self, project_id: UUID, *, rank: int, **fields: Any) -> None:
        row = self.projects.setdefault(project_id, {"rank": rank})
        row.update({k: v for k, v in fields.items() if v is not None}, rank=max(row["rank"], rank))


async def test_a_street_officer_cannot_record_another_streets_census_and_nothing_is_kept():
    org, party = an_org(1), FakeParty()  # the org is in 东四 (110101006)
    orgs = FakeOrgs()
    orgs.put(org)
    with pytest.raises(Forbidden):
        await handlers.record_census(
            orgs, party, org.org_id, 2019, members=3, branch_form=None, branch_id=None, instructor=None,
            liaison=None, principal=TIANTAN, now=NOW,
        )  # fmt: skip
    assert party.census == {}


async def test_a_census_for_next_year_is_refused_on_year_and_a_correction_is_flagged():
    org, party, orgs = an_org(2), FakeParty(), FakeOrgs()
    orgs.put(org)
    kwargs: dict[str, Any] = dict(branch_form=BranchForm.JOINT, branch_id=None, instructor=None, liaison=None)
    with pytest.raises(Invalid) as refused:
        await handlers.record_census(orgs, party, org.org_id, 2021, members=3, **kwargs, principal=ADMIN, now=NOW)
    assert refused.value.field == "year"
    first, _ = await handlers.record_census(
        orgs, party, org.org_id, 2019, members=3, **kwargs, principal=ADMIN, now=NOW
    )
    again, events = await handlers.record_census(
        orgs, party, org.org_id, 2019, members=4, **kwargs, principal=ADMIN, now=NOW
    )
    assert (first["corrected"], again["corrected"], events[0].corrected) == (False, True, True)


def _events(project_id: UUID) -> list[Any]:
    common = dict(project_id=project_id, title="居家养老服务", street_code="110101006", domain="elder_care",
                  purchaser=PurchaserRef(code="110101006JDB", name="东四街道办事处", kind="street_office"))  # fmt: skip
    opened = SolicitationOpened(**common, stage="solicitation", budget_cny=Decimal("1000.00"),
                                opens_on=date(2020, 1, 1), closes_on=date(2020, 1, 20))  # fmt: skip
    cancelled = ProjectCancelled(**common, stage="cancelled", reason="需求取消", previous_stage="solicitation")
    return [opened, cancelled, opened]  # a duplicate too


async def test_procurements_projects_end_in_the_same_state_whatever_order_their_events_arrive_in():
    project_id = uuid4()
    outcomes = []
    for order in itertools.permutations(_events(project_id)):
        party = FakeParty()
        for e in order:
            if isinstance(e, SolicitationOpened):
                await handlers.on_solicitation_opened(party, e)
            else:
                await handlers.on_project_cancelled(party, e)
        outcomes.append(party.projects[project_id]["rank"])
    assert set(outcomes) == {2}
