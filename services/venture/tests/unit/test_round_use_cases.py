"""Use cases of a round's call, on in-memory fakes of the stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from shared.contracts.venture import ApplicationSubmitted, ApplicationWithdrawn, CallClosed, RoundOpened
from shared.errors import Conflict, Invalid
from venture.domain.orgs import FundedProject, title_key
from venture.domain.rounds import RoundStatus
from venture.handlers import rounds

from .world import CALL_DAY, World, a_round


async def test_opening_a_round_stores_it_and_tells_its_call():
    w = World()
    r, events = await rounds.open_round(w.rounds, w.orgs, a_round(number=7))
    assert await w.rounds.get(r.id) == r
    assert [type(e) for e in events] == [RoundOpened]
    assert events[0].number == 7


async def test_a_round_number_is_opened_once():
    w = World()
    await w.open(number=8)
    with pytest.raises(Conflict) as exc:
        await rounds.open_round(w.rounds, w.orgs, a_round(number=8))
    assert exc.value.code == "round_exists"


async def test_a_mentor_must_be_a_registered_support_org_named_by_its_field():
    w = World()
    plain = w.org("普通社工")
    with pytest.raises(Invalid) as exc:
        await rounds.open_round(w.rounds, w.orgs, a_round(mentor_org_ids=[uuid4()]))
    assert exc.value.field == "mentor_org_ids.0"
    with pytest.raises(Invalid, match="支持型社会组织"):
        await rounds.open_round(w.rounds, w.orgs, a_round(mentor_org_ids=[plain]))


async def test_an_application_takes_the_applicants_name_from_the_read_model():
    w = World()
    r = await w.open()
    org = w.org("东四邻里")
    app, events = await rounds.submit_application(
        w.rounds, w.applications, w.orgs, r.id, w.request(org), today=CALL_DAY
    )
    assert (app.org_name, app.status, app.submitted_on) == ("东四邻里", "submitted", CALL_DAY)
    assert isinstance(events[0], ApplicationSubmitted) and events[0].round_number == r.number


async def test_the_per_org_cap_counts_no_withdrawn_application():
    w = World()
    r = await w.open(max_applications_per_org=1)
    org = w.org()
    first = await w.apply(r.id, org, "项目一")
    with pytest.raises(Conflict) as exc:
        await w.apply(r.id, org, "项目二")
    assert exc.value.code == "application_cap_reached"
    withdrawn, events = await rounds.withdraw(w.rounds, w.applications, first, today=CALL_DAY)
    assert withdrawn.status == "withdrawn" and isinstance(events[0], ApplicationWithdrawn)
    await w.apply(r.id, org, "项目二")


async def test_a_project_funded_elsewhere_is_not_funded_again():
    w = World()
    r = await w.open()
    org = w.org()
    w.orgs.funded.append(
        FundedProject("procurement", uuid4(), org, "老街坊互助", title_key("老街坊互助"), date(2026, 1, 5))
    )
    with pytest.raises(Conflict, match="政府购买服务项目") as exc:
        await w.apply(r.id, org, "老街坊 互助")
    assert exc.value.code == "already_funded"


async def test_an_application_is_withdrawn_once_in_chinese():
    w = World()
    r = await w.open()
    app_id = await w.apply(r.id, w.org())
    await rounds.withdraw(w.rounds, w.applications, app_id, today=CALL_DAY)
    with pytest.raises(Conflict, match="已撤回") as exc:
        await rounds.withdraw(w.rounds, w.applications, app_id, today=CALL_DAY)
    assert exc.value.code == "wrong_stage"


async def test_closing_the_call_counts_the_applications_and_moves_the_round_to_review():
    w = World()
    r = await w.open()
    await w.apply(r.id, w.org("甲"))
    await w.apply(r.id, w.org("乙"))
    closed, events = await rounds.close_call(w.rounds, w.applications, r.id, today=CALL_DAY)
    assert closed.status is RoundStatus.REVIEW
    assert isinstance(events[0], CallClosed) and events[0].applications == 2
    with pytest.raises(Conflict, match="不在征集中"):
        await rounds.close_call(w.rounds, w.applications, r.id, today=CALL_DAY)


async def test_a_request_over_the_grant_cap_names_its_field():
    w = World()
    r = await w.open()
    with pytest.raises(Invalid) as exc:
        await w.apply(r.id, w.org(), requested_cny=Decimal("100000.01"))
    assert exc.value.field == "requested_cny"
