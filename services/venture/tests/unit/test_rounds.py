from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from shared.errors import Conflict, Invalid
from shared.workdays import WorkCalendar
from venture.domain.rounds import Criterion, Round, RoundStatus


def a_round(**over):
    data = dict(
        id=uuid4(),
        number=1,
        year=2026,
        title="t",
        priority_domains=["elder_care"],
        total_budget_cny=Decimal("300000"),
        grant_cap_cny=Decimal("100000"),
        call_opens_on=date(2026, 3, 1),
        call_closes_on=date(2026, 3, 31),
        rubric=[Criterion("need", "需求", 3), Criterion("design", "设计", 1)],
    )
    data.update(over)
    return Round(**data)


def test_tranche_percents_must_add_up_to_one_hundred():
    with pytest.raises(Invalid) as exc:
        a_round(tranche_percents=[50, 30]).validate()
    assert exc.value.field == "tranche_percents"


def test_the_grant_cap_cannot_exceed_the_budget():
    with pytest.raises(Invalid) as exc:
        a_round(grant_cap_cny=Decimal("400000")).validate()
    assert exc.value.field == "grant_cap_cny"


def test_the_last_tranche_takes_the_rounding_remainder():
    plan = a_round().tranche_amounts(Decimal("33333.33"))
    assert [p[2] for p in plan] == [Decimal("16666.67"), Decimal("10000.00"), Decimal("6666.66")]
    assert sum(p[2] for p in plan) == Decimal("33333.33")


def test_the_total_is_the_weighted_mean_of_the_rubric():
    assert a_round().weighted_total({"need": Decimal(80), "design": Decimal(40)}) == Decimal("70.00")


def test_a_score_outside_the_rubric_is_refused_naming_the_criterion():
    with pytest.raises(Invalid) as exc:
        a_round().weighted_total({"need": Decimal(80), "design": Decimal(40), "charm": Decimal(1)})
    assert exc.value.field == "criteria.charm"


def test_the_notice_is_counted_in_working_days_across_the_national_day_holiday():
    r = a_round(status=RoundStatus.REVIEW)
    ends = r.start_notice(date(2026, 9, 30), WorkCalendar())
    assert ends == WorkCalendar().add_workdays(date(2026, 9, 30), 5)
    assert ends > date(2026, 10, 8)


def test_an_operator_holiday_lengthens_the_notice():
    plain = a_round(status=RoundStatus.REVIEW).start_notice(date(2026, 3, 2), WorkCalendar())
    longer = a_round(status=RoundStatus.REVIEW).start_notice(
        date(2026, 3, 2), WorkCalendar(extra_holidays=[date(2026, 3, 4)])
    )
    assert (plain, longer) == (date(2026, 3, 9), date(2026, 3, 10))


def test_awards_wait_until_the_day_after_the_notice_ends():
    r = a_round(status=RoundStatus.REVIEW)
    ends = r.start_notice(date(2026, 3, 2), WorkCalendar())
    with pytest.raises(Conflict):
        r.award(ends)
    r.award(date(2026, 3, 10))
    assert r.status is RoundStatus.AWARDED


def test_applications_only_inside_the_call_window():
    r = a_round()
    with pytest.raises(Conflict):
        r.check_accepts_applications(date(2026, 4, 1))
    r.check_accepts_applications(date(2026, 3, 31))
