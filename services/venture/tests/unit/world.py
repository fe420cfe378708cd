"""A small venture world on the in-memory fakes: stores, organisations and a round, for use-case tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from shared.contracts.base import IntegrationEvent
from shared.workdays import WorkCalendar
from venture.domain.orgs import Org
from venture.domain.rounds import Criterion, Round
from venture.handlers import notice, review, rounds

from .fakes import FakeApplications, FakeGrants, FakeObjections, FakeOrgs, FakeReviews, FakeRounds

CALL_DAY = date(2026, 3, 2)
STREET = "110101006"


def a_round(**over: object) -> Round:
    data: dict[str, object] = dict(
        id=uuid4(),
        number=uuid4().int % 900 + 1,
        year=2026,
        title="公益创投大赛",
        priority_domains=["mutual_aid"],
        total_budget_cny=Decimal("300000"),
        grant_cap_cny=Decimal("100000"),
        call_opens_on=date(2026, 2, 20),
        call_closes_on=date(2026, 3, 31),
        rubric=[Criterion("need", "需求", 1)],
    )
    data.update(over)
    return Round(**data)


@dataclass
class World:
    rounds: FakeRounds = field(default_factory=FakeRounds)
    applications: FakeApplications = field(default_factory=FakeApplications)
    objections: FakeObjections = field(default_factory=FakeObjections)
    grants: FakeGrants = field(default_factory=FakeGrants)
    reviews: FakeReviews = field(init=False)
    orgs: FakeOrgs = field(init=False)

    def __post_init__(self) -> None:
        self.reviews = FakeReviews(self.applications)
        self.orgs = FakeOrgs(grants=self.grants)

    def org(self, name: str = "阳光社工", **over: object) -> UUID:
        data: dict[str, object] = dict(
            org_id=uuid4(), version=1, name=name, org_type="private_non_enterprise", status="registered"
        )
        data.update(over)
        return self.orgs.put(Org(**data)).org_id

    async def open(self, **over: object) -> Round:
        r, _ = await rounds.open_round(self.rounds, self.orgs, a_round(**over))
        return r

    def request(self, org_id: UUID, title: str = "老街坊互助", **over: object) -> rounds.ApplicationRequest:
        data: dict[str, object] = dict(
            org_id=org_id,
            sponsor_org_id=None,
            submitted_by="org-user",
            title=title,
            street_code=STREET,
            community=None,
            domain="mutual_aid",
            requested_cny=Decimal("80000"),
            plan="邻里互助",
        )
        data.update(over)
        return rounds.ApplicationRequest(**data)

    async def apply(self, round_id: UUID, org_id: UUID, title: str = "老街坊互助", **over: object) -> UUID:
        app, _ = await rounds.submit_application(
            self.rounds, self.applications, self.orgs, round_id, self.request(org_id, title, **over), today=CALL_DAY
        )
        return app.id

    async def reviewed(self, round_id: UUID, scores: dict[UUID, int], reviewer: str = "rev-1") -> None:
        """Close the call, screen every application in, and have one reviewer score them."""
        await rounds.close_call(self.rounds, self.applications, round_id, today=CALL_DAY)
        for app_id in scores:
            await review.screen(self.rounds, self.applications, app_id, passed=True, reason="齐全", today=CALL_DAY)
        await review.assign_reviewer(
            self.rounds, self.applications, self.reviews, round_id, reviewer=reviewer, application_ids=list(scores)
        )
        await review.declare_conflicts(
            self.rounds, self.reviews, round_id, reviewer=reviewer, org_ids=[], statement="无", today=CALL_DAY
        )
        for app_id, value in scores.items():
            await review.score(
                self.rounds,
                self.applications,
                self.reviews,
                app_id,
                reviewer=reviewer,
                criteria={"need": Decimal(value)},
                comment="",
            )

    async def announced(self, round_id: UUID, scores: dict[UUID, int]) -> date:
        """Reviewed and on notice; returns the first day after the notice."""
        await self.reviewed(round_id, scores)
        await notice.announce(
            self.rounds, self.applications, self.reviews, round_id, today=CALL_DAY, calendar=WorkCalendar()
        )
        return date(2026, 4, 30)

    async def award(
        self, round_id: UUID, today: date, mentors: dict[UUID, UUID] | None = None
    ) -> list[IntegrationEvent]:
        return await notice.award(
            self.rounds,
            self.applications,
            self.objections,
            self.grants,
            self.orgs,
            round_id,
            mentors=mentors or {},
            today=today,
        )
