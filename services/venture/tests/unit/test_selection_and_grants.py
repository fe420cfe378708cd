from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from shared.errors import Conflict
from venture.domain.grants import EvaluationResult, Grant, GrantStatus, Report, Tranche
from venture.domain.selection import Candidate, rank_and_select


def cand(score, amount, day=1):
    return Candidate(uuid4(), Decimal(amount), [Decimal(score)], date(2026, 3, day))


def test_selection_skips_a_project_that_no_longer_fits_and_funds_a_smaller_one_below():
    big, bigger, small = cand(90, 60000), cand(85, 60000), cand(80, 30000)
    decisions = rank_and_select([small, bigger, big], budget=Decimal(100000), pass_score=Decimal(60))
    assert [(d.application_id, d.selected) for d in decisions] == [
        (big.application_id, True),
        (bigger.application_id, False),
        (small.application_id, True),
    ]
    assert decisions[1].reason == "本届预算已用尽"


def test_ties_go_to_the_earlier_submission_and_low_scores_are_not_selected():
    late, early, weak = cand(80, 1, day=5), cand(80, 1, day=2), cand(59, 1)
    decisions = rank_and_select([late, weak, early], budget=Decimal(100), pass_score=Decimal(60))
    assert [d.application_id for d in decisions] == [early.application_id, late.application_id, weak.application_id]
    assert not decisions[2].selected


def a_grant():
    return Grant(
        id=uuid4(),
        amount_cny=Decimal(100),
        status=GrantStatus.ACTIVE,
        tranches=[Tranche(1, 50, Decimal(50)), Tranche(2, 30, Decimal(30)), Tranche(3, 20, Decimal(20))],
    )


def test_tranches_are_paid_in_order_each_after_the_previous_report_is_accepted():
    g = a_grant()
    with pytest.raises(Conflict, match="第1期"):
        g.disburse(2, today=date(2026, 5, 1), report_interval_days=90)
    t = g.disburse(1, today=date(2026, 5, 1), report_interval_days=90)
    assert t.report_due_on == date(2026, 7, 30)
    with pytest.raises(Conflict) as exc:
        g.disburse(2, today=date(2026, 6, 1), report_interval_days=90)
    assert exc.value.code == "report_not_accepted"
    g.reports.append(Report(uuid4(), 1, "submitted"))
    g.decide_report(g.reports[0].id, accepted=True)
    g.disburse(2, today=date(2026, 6, 1), report_interval_days=90)
    assert g.disbursed_cny == Decimal(80)


def test_a_failed_evaluation_withholds_and_a_pass_releases():
    g = a_grant()
    g.disburse(1, today=date(2026, 5, 1), report_interval_days=90)
    g.reports.append(Report(uuid4(), 1, "accepted"))
    assert g.evaluate("midterm", EvaluationResult.FAIL) == 0
    with pytest.raises(Conflict):
        g.disburse(2, today=date(2026, 6, 1), report_interval_days=90)
    g.evaluate("midterm", EvaluationResult.PASS)
    g.disburse(2, today=date(2026, 6, 1), report_interval_days=90)


def test_a_severe_failure_recovers_what_was_paid_and_cancels_the_rest():
    g = a_grant()
    g.disburse(1, today=date(2026, 5, 1), report_interval_days=90)
    assert g.evaluate("midterm", EvaluationResult.SEVERE) == Decimal(50)
    assert g.status is GrantStatus.TERMINATED
    assert [t.status for t in g.tranches] == ["disbursed", "cancelled", "cancelled"]
