"""The rules of public-welfare claiming and proposal contests, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from shared.errors import Conflict, Invalid
from venture.domain.claiming import Claim, ClaimerKind, ClaimStatus, Item, ItemStatus, mobile_number
from venture.domain.contests import Contest, Proposal

TODAY = date(2026, 3, 2)


def item(shares: int = 3) -> Item:
    return Item(uuid4(), uuid4(), "扶手", "需要扶手", "elder_care", "钱粮胡同社区", 10, ["goods"], shares=shares)


def claim(i: Item, shares: int = 1) -> Claim:
    return Claim(uuid4(), i.id, i.edition_id, ClaimerKind.RESIDENT, "王阿姨", shares, TODAY, phone="+8613912345678")


def test_partial_claims_cover_an_item_and_a_declined_claim_frees_its_shares() -> None:
    i = item(3)
    a, b = claim(i, 2), claim(i)
    i.hold(a)
    i.hold(b)
    with pytest.raises(Invalid) as full:
        i.hold(claim(i))
    assert full.value.field == "shares"
    assert i.confirm(a, TODAY) is False
    i.decline(b, "重复认领", TODAY)
    assert b.status is ClaimStatus.DECLINED and i.held_shares == 2
    c = claim(i)
    i.hold(c)
    assert i.confirm(c, TODAY) is True and i.status is ItemStatus.COVERED
    with pytest.raises(Conflict):
        i.confirm(b, TODAY)


def test_completion_needs_a_confirmed_claim_and_a_completed_item_takes_no_claim() -> None:
    i = item(1)
    with pytest.raises(Invalid) as none_confirmed:
        i.complete(delivered="x", person_times=3, report_ref=None, today=TODAY)
    assert none_confirmed.value.field == "item_id"
    c = claim(i)
    i.hold(c)
    i.confirm(c, TODAY)
    i.complete(delivered="已安装", person_times=30, report_ref="照片", today=TODAY)
    with pytest.raises(Invalid) as done:
        i.check_claim(1)
    assert done.value.field == "item_id" and "已完成" in done.value.message


@pytest.mark.parametrize("raw", ["13912345678", "+86 139 1234 5678", "139-1234-5678"])
def test_a_mainland_mobile_number_is_normalised(raw: str) -> None:
    assert mobile_number(raw) == "+8613912345678"


@pytest.mark.parametrize("raw", ["12345678901", "010-65123456", "+1 202 555 0100", "abc", ""])
def test_anything_else_is_not_a_mobile_number(raw: str) -> None:
    with pytest.raises(Invalid) as bad:
        mobile_number(raw)
    assert bad.value.field == "phone"


def test_a_contest_combines_the_panel_and_the_audience_and_closes_only_after_the_time_box() -> None:
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    c = Contest(uuid4(), "110101006", uuid4(), "提案大赛", now, now + timedelta(hours=1), ["p1"], 60, 1, "so")
    a = Proposal(uuid4(), c.id, "甲", "s", "张", uuid4(), None, None, "other", Decimal(100))
    b = Proposal(uuid4(), c.id, "乙", "s", "李", uuid4(), None, None, "other", Decimal(100))
    c.proposals = [a, b]
    panel = {a.id: [Decimal(90), Decimal(80)], b.id: [Decimal("72.5")]}
    votes = {a.id: 1, b.id: 2}
    with pytest.raises(Conflict):
        c.close(now + timedelta(minutes=59), panel, votes)
    with pytest.raises(Conflict):
        c.check_voting(now + timedelta(hours=1), a.id)
    [winner] = c.close(now + timedelta(hours=1), panel, votes)
    assert winner.proposal is b and winner.result == Decimal("83.50")
    with pytest.raises(Conflict):
        c.close(now + timedelta(hours=2), panel, votes)


def test_who_runs_an_edition_and_a_street_round() -> None:
    from types import SimpleNamespace

    from shared.auth import Principal, Role
    from venture import access

    organiser = uuid4()
    e = SimpleNamespace(street_code="110101006", community="钱粮胡同社区", organiser_org_id=organiser)
    yes = [
        Principal("a", Role.DISTRICT_ADMIN),
        Principal("s", Role.STREET_OFFICER, street="110101006"),
        Principal("c", Role.COMMUNITY_WORKER, street="110101006", community="钱粮胡同社区"),
        Principal("o", Role.ORG, org_id=organiser),
    ]
    no = [
        Principal("s2", Role.STREET_OFFICER, street="110101001"),
        Principal("c2", Role.COMMUNITY_WORKER, street="110101006", community="六条社区"),
        Principal("c3", Role.COMMUNITY_WORKER, street="110101001", community="钱粮胡同社区"),
        Principal("o2", Role.ORG, org_id=uuid4()),
        Principal("r", Role.REVIEWER),
    ]
    assert all(access.may_run_edition(p, e) for p in yes)
    assert not any(access.may_run_edition(p, e) for p in no)
    street_round, district_round = SimpleNamespace(street_code="110101006"), SimpleNamespace(street_code=None)
    assert access.may_run_round(yes[1], street_round) and not access.may_run_round(yes[1], district_round)
    assert not access.may_run_round(no[0], street_round) and access.may_run_round(yes[0], district_round)
    assert not access.may_see_round(no[0], street_round) and access.may_see_round(no[0], district_round)
