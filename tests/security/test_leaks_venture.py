"""Venture: nothing organisation B submitted reaches organisation A (nor the monitor or a reviewer
beyond what their work needs), except what a rule makes public (see leaks.py).

One round: A applies once, B twice; B's first project and A's are selected and put on public
notice (so B's name, title and amount become public), B's second is screened out. B objects to A's
project, A to B's; both get grants, both report on their first tranche. rev-sec reviews A's and
B's selected projects; the monitor reads every grant (evaluating them is its work).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.auth import Role
from shared.contracts.registry import OrgSnapshot
from testkit import token
from tests.security.leaks import Answer, Secrets, findings, get_all, public_text
from tests.security.matrix import ADMIN, MONITOR, REVIEWER, STREET, Env, running_app

CALL_OPEN, AFTER_NOTICE = "2026-03-02", "2026-04-30"
A_NAME, B_NAME = "甲方侦测为老服务中心", "乙方侦测邻里互助社"
SCORES = {"criteria": {"need": "90", "design": "85", "capacity": "80", "sustainability": "75"}}


def application(title: str, plan: str, requested: str) -> dict[str, Any]:
    return {
        "title": title,
        "street_code": STREET,
        "community": "钱粮胡同社区",
        "domain": "mutual_aid",
        "requested_cny": requested,
        "plan": plan,
        "milestones": [{"title": "启动", "due_on": "2026-06-30"}],
    }


class Seeded:
    def __init__(self, env: Env, a: UUID, b: UUID) -> None:
        self.env, self.a, self.b = env, a, b
        self.org_a = token(Role.ORG, sub="org-a", org_id=a)
        self.org_b = token(Role.ORG, sub="org-b", org_id=b)
        self.reviewer, self.monitor = token(Role.REVIEWER, sub=REVIEWER), token(Role.MONITOR, sub=MONITOR)
        self.ids: dict[str, list[str]] = {
            "round_id": [],
            "app_id": [],
            "grant_id": [],
            "edition_id": [],
            "contest_id": [],
        }
        self.secrets = Secrets()
        self.a_posts: list[Answer] = []

    async def call(self, method: str, path: str, body: Any = None, who: dict[str, str] = ADMIN) -> Any:
        r = await self.env.client.request(method, path, json=body, headers=who)
        assert 200 <= r.status_code < 300, f"setup {method} {path}: {r.status_code} {r.text}"
        if who is self.org_a:
            self.a_posts.append(Answer(method, path, r.status_code, r.text))
        return r.json()


async def seed(env: Env, a: UUID, b: UUID) -> Seeded:
    s = Seeded(env, a, b)
    s.secrets.add("B itself", b, B_NAME)
    await s.call("PUT", "/clock", {"today": CALL_OPEN})
    body = {"number": 77, "year": 2026, "title": "公益创投大赛", "total_budget_cny": "300000.00"}
    body.update(grant_cap_cny="100000.00", call_opens_on="2026-02-20", call_closes_on="2026-03-31")
    r = (await s.call("POST", "/rounds", body))["id"]
    s.ids["round_id"].append(r)
    b1_body = application("乙方秘密创投项目", "乙方秘密计划：楼门互助", "45678.91")
    b1 = (await s.call("POST", f"/rounds/{r}/applications", b1_body, s.org_b))["id"]
    b2_body = application("乙方落选项目", "乙方落选计划：周末集市", "34567.89")
    b2 = (await s.call("POST", f"/rounds/{r}/applications", b2_body, s.org_b))["id"]
    a1 = (
        await s.call("POST", f"/rounds/{r}/applications", application("甲方创投项目", "甲方计划", "56789.12"), s.org_a)
    )["id"]
    s.secrets.add("B's selected application", b1, b1_body["title"], b1_body["plan"], b1_body["requested_cny"])
    s.secrets.add("B's screened-out application", b2, b2_body["title"], b2_body["plan"], b2_body["requested_cny"])
    s.ids["app_id"] += [a1, b1, b2]
    await s.call("POST", f"/rounds/{r}/call-closure")
    for app_id, passed in ((a1, True), (b1, True), (b2, False)):
        await s.call("POST", f"/applications/{app_id}/screening", {"passed": passed, "reason": "审查意见"})
    await s.call("POST", f"/rounds/{r}/assignments", {"reviewer": REVIEWER, "application_ids": [a1, b1]})
    await s.call("POST", f"/rounds/{r}/declarations", {"statement": "无利益关系"}, s.reviewer)
    for app_id in (a1, b1):
        await s.call("PUT", f"/applications/{app_id}/scores/mine", SCORES, s.reviewer)
    await s.call("POST", f"/rounds/{r}/notice")
    b_objection = await s.call(
        "POST", f"/rounds/{r}/objections", {"application_id": a1, "reason": "乙方秘密异议：甲方材料不实"}, s.org_b
    )
    s.secrets.add("B's objection", b_objection["id"], "乙方秘密异议：甲方材料不实")
    a_objection = await s.call("POST", f"/rounds/{r}/objections", {"application_id": b1, "reason": "甲方异议"}, s.org_a)
    for objection in (b_objection, a_objection):
        await s.call("POST", f"/objections/{objection['id']}/resolution", {"upheld": False, "resolution": "不成立"})
    await s.call("PUT", "/clock", {"today": AFTER_NOTICE})
    grants = {g["org_id"]: g["grant_id"] for g in (await s.call("POST", f"/rounds/{r}/awards"))["grants"]}
    s.ids["grant_id"] += [grants[str(a)], grants[str(b)]]
    for org, who in ((b, s.org_b), (a, s.org_a)):
        await s.call("POST", f"/grants/{grants[str(org)]}/tranches/1/disbursement")
        summary = "乙方秘密进度：已探访六十三户" if org == b else "甲方进度"
        report = await s.call(
            "POST", f"/grants/{grants[str(org)]}/reports", {"tranche_number": 1, "summary": summary}, who
        )
        if org == b:
            s.secrets.add("B's progress report", report["id"], summary)
    await seed_community(s)
    return s


async def seed_community(s: Seeded) -> None:
    """Claiming: a resident's phone and B's pending claim are the organiser's to read, nobody else's.
    A street's proposal contest is public."""
    community = "钱粮胡同社区"
    edition = {"number": 1, "title": "公益认领", "street_code": STREET, "community": community}
    edition |= {"opens_on": "2026-03-01", "closes_on": "2026-06-30"}
    e = (await s.call("POST", "/claiming/editions", edition))["id"]
    s.ids["edition_id"].append(e)
    item = {"title": "扶手", "need": "楼道缺少扶手", "category": "elder_care", "community": community}
    item |= {"beneficiaries_expected": 5, "needs": ["goods"], "shares": 3}
    i = (await s.call("POST", f"/claiming/editions/{e}/items", item))["id"]
    resident = {"kind": "resident", "name": "王阿姨", "phone": "13987654321"}
    claim = await s.call("POST", f"/public/claiming/items/{i}/claims", resident, {})
    await s.call("POST", f"/claiming/claims/{claim['id']}/confirmation")
    s.secrets.add("a resident's phone", "13987654321", "+8613987654321")
    note = "乙方秘密认领备注"
    await s.call("POST", f"/claiming/items/{i}/claims", {"kind": "org", "note": note}, s.org_b)
    s.secrets.add("B's pending claim", note)
    officer = token(Role.STREET_OFFICER, sub="street-sec", street=STREET)
    street = {"number": 78, "year": 2026, "title": "社区微创投", "total_budget_cny": "50000.00"}
    street |= {"grant_cap_cny": "10000.00", "call_opens_on": "2026-02-20", "call_closes_on": "2026-06-30"}
    r = (await s.call("POST", "/rounds", street, officer))["id"]
    now = datetime.now(UTC)
    contest = {"round_id": r, "title": "提案大赛", "panelists": [REVIEWER]}
    contest |= {"voting_opens_at": now.isoformat(), "voting_closes_at": (now + timedelta(hours=1)).isoformat()}
    c = (await s.call("POST", "/contests", contest, officer))["id"]
    s.ids["contest_id"].append(c)


@pytest.fixture(scope="module")
async def seeded() -> AsyncIterator[Seeded]:
    from venture.handlers import registry as registry_uc

    async with running_app("venture", demo_mode=True) as env:
        a, b = uuid4(), uuid4()
        for org_id, name, code in ((a, A_NAME, "52110101MJA00001XA"), (b, B_NAME, "52110101MJB00002XB")):
            snapshot = OrgSnapshot(
                org_id=org_id,
                version=1,
                name=name,
                org_type="private_non_enterprise",
                status="registered",
                street_code=STREET,
                credit_code=code,
            )
            async with env.app.state.service.unit_of_work() as uow:
                await registry_uc.record_org(uow.stores.orgs, snapshot)
        yield await seed(env, a, b)


async def _scan(s: Seeded, caller: str, headers: dict[str, str], *, excused: tuple[str, ...] = ()) -> list[str]:
    public = await public_text(s.env.client, s.env.app, s.ids)
    secrets = s.secrets.without(public, excused=excused)
    assert secrets.values, "every secret is public: the detector would find nothing"
    answers = await get_all(s.env.client, s.env.app, s.ids, headers)
    seeded_ids = [i for values in s.ids.values() for i in values]
    assert any(a.status == 200 and any(i in a.path for i in seeded_ids) for a in answers), "the caller saw nothing"
    return findings(caller, answers + (s.a_posts if caller == "org A" else []), secrets)


async def test_the_detector_knows_what_is_public_and_what_is_not(seeded: Seeded) -> None:
    public = await public_text(seeded.env.client, seeded.env.app, seeded.ids)
    assert B_NAME in public and "乙方秘密创投项目" in public and "45678.91" in public  # on public notice
    assert "乙方落选项目" not in public and "乙方秘密进度：已探访六十三户" not in public


async def test_org_a_sees_nothing_org_b_submitted(seeded: Seeded) -> None:
    leaks = await _scan(seeded, "org A", seeded.org_a)
    assert not leaks, "\n".join(leaks)


async def test_the_monitor_reads_the_grants_it_evaluates_and_nothing_else_of_b(seeded: Seeded) -> None:
    leaks = await _scan(seeded, "monitor", seeded.monitor, excused=("B's progress report", "B itself"))
    assert not leaks, "\n".join(leaks)


async def test_a_reviewer_sees_the_applications_it_scores_and_nothing_more(seeded: Seeded) -> None:
    leaks = await _scan(seeded, "reviewer", seeded.reviewer, excused=("B's selected application", "B itself"))
    assert not leaks, "\n".join(leaks)
