"""Procurement: nothing organisation B submitted reaches organisation A (nor the monitor, nor a
reviewer beyond what it scores), except what a rule makes public (see leaks.py).

Three street-office projects of 东四: P1, where A and B propose, A wins, B objects, A's contract
is monitored by mon-sec; P2, where both propose and B's proposal is announced as the winner (so B's
name and amount become public); P3, where only B proposes. rev-sec scores P1 and P2.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.auth import Role
from shared.contracts.registry import OrgRegistered, OrgSnapshot
from testkit import eventually, token
from tests.security.leaks import Answer, Secrets, findings, get_all, public_text
from tests.security.matrix import ADMIN, MONITOR, REVIEWER, STREET, Env, ok, publish, running_app

PURCHASER = {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"}
A_NAME, B_NAME = "甲方侦测社工服务中心", "乙方侦测公益服务社"
A_CODE, B_CODE = "52110101MJA00001XA", "52110101MJB00002XB"
HIGH = {"need_fit": "95", "plan_quality": "95", "capacity": "95", "budget_value": "95"}
LOW = {"need_fit": "70", "plan_quality": "70", "capacity": "70", "budget_value": "70"}


class Seeded:
    def __init__(self, env: Env, a: UUID, b: UUID) -> None:
        self.env, self.a, self.b = env, a, b
        self.org_a = token(Role.ORG, sub="org-a", org_id=a)
        self.org_b = token(Role.ORG, sub="org-b", org_id=b)
        self.reviewer, self.monitor = token(Role.REVIEWER, sub=REVIEWER), token(Role.MONITOR, sub=MONITOR)
        self.projects: list[str] = []
        self.secrets = Secrets()
        self.a_posts: list[Answer] = []  # what A's own commands were answered

    async def post(self, path: str, body: Any, day: str, who: dict[str, str] = ADMIN) -> Any:
        await ok(self.env.client, "PUT", "/clock", json={"today": day})
        r = await self.env.client.post(path, json=body, headers=who)
        assert 200 <= r.status_code < 300, f"setup {path}: {r.status_code} {r.text}"
        if who is self.org_a:
            self.a_posts.append(Answer("POST", path, r.status_code, r.text))
        return r.json()

    async def project(self, title: str) -> str:
        body = {"purchaser": PURCHASER, "street_code": STREET, "title": title, "domain": "elder_care"}
        demand = await self.post(
            "/demands", {**body, "budget_cny": "100000.00", "expected_beneficiaries": 9}, "2026-03-02"
        )
        pid = (await self.post("/projects", {"demand_ids": [demand["demand_id"]]}, "2026-03-02"))["id"]
        await self.post(f"/projects/{pid}/solicitation", {"closes_on": "2026-03-20"}, "2026-03-02")
        self.projects.append(pid)
        return f"/projects/{pid}"

    async def propose(self, base: str, who: str, title: str, plan: str, budget: str, label: str) -> str:
        token_ = self.org_a if who == "A" else self.org_b
        body = {"title": title, "plan": plan, "budget_cny": budget}
        proposal = (await self.post(f"{base}/proposals", body, "2026-03-05", token_))["id"]
        if who == "B":
            self.secrets.add(f"{label}: B's proposal", proposal, title, plan, budget)
        return str(proposal)

    async def review(self, base: str, winner: str, loser: str) -> None:
        await self.post(f"{base}/solicitation/close", {}, "2026-03-21")
        for proposal in (winner, loser):
            await self.post(f"{base}/proposals/{proposal}/screening", {"valid": True}, "2026-03-23")
        await self.post(f"{base}/review", {}, "2026-03-23")
        await self.post(f"{base}/reviewers", {"reviewer": REVIEWER}, "2026-03-23")
        await self.post(f"{base}/conflicts", {"org_ids": []}, "2026-03-23", self.reviewer)
        await self.post(f"{base}/proposals/{winner}/scores", {"criteria": HIGH}, "2026-03-23", self.reviewer)
        await self.post(f"{base}/proposals/{loser}/scores", {"criteria": LOW}, "2026-03-23", self.reviewer)
        await self.post(f"{base}/approval", {}, "2026-03-24")


async def seed(env: Env, a: UUID, b: UUID) -> Seeded:
    s = Seeded(env, a, b)
    s.secrets.add("B itself", b, B_NAME, B_CODE)
    p1 = await s.project("东四助老服务（一）")
    b1 = await s.propose(p1, "B", "乙方秘密方案一", "乙方秘密计划：每周上门探访七十二户", "87654.32", "P1")
    a1 = await s.propose(p1, "A", "甲方方案一", "甲方计划：助餐", "76543.21", "P1")
    await s.review(p1, winner=a1, loser=b1)
    objection = await s.post(f"{p1}/objections", {"reason": "乙方秘密异议：评分口径不一"}, "2026-03-25", s.org_b)
    s.secrets.add("P1: B's objection", objection["id"], objection["reason"])
    await s.post(
        f"{p1}/objections/{objection['id']}/resolution", {"upheld": False, "resolution": "不成立"}, "2026-03-26"
    )
    await s.post(f"{p1}/announcement/close", {}, "2026-04-01")
    await s.post(f"{p1}/optimisation", {"changes": "细化", "amount_cny": "76000.00"}, "2026-04-02")
    await s.post(f"{p1}/contract", {"starts_on": "2026-05-01", "ends_on": "2027-04-30"}, "2026-04-10")
    await s.post(f"{p1}/monitors", {"monitor": MONITOR}, "2026-04-10")
    await s.post(f"{p1}/reports", {"milestone": "中期", "summary": "按计划推进"}, "2026-10-01", s.monitor)

    p2 = await s.project("东四助老服务（二）")
    a2 = await s.propose(p2, "A", "甲方方案二", "甲方计划二", "65432.10", "P2")
    b2 = await s.propose(p2, "B", "乙方秘密方案二", "乙方秘密计划二：夜间助医", "54321.98", "P2")
    await s.review(p2, winner=b2, loser=a2)  # B's win is announced: its name and amount become public
    await s.post(f"{p2}/objections", {"reason": "甲方对评分有异议"}, "2026-03-25", s.org_a)

    p3 = await s.project("东四助老服务（三）")
    await s.propose(p3, "B", "乙方独有方案", "乙方独有计划：读书会", "43210.99", "P3")
    return s


@pytest.fixture(scope="module")
async def seeded() -> AsyncIterator[Seeded]:
    async with running_app("procurement", demo_mode=True) as env:
        a, b = uuid4(), uuid4()
        for org_id, name, code in ((a, A_NAME, A_CODE), (b, B_NAME, B_CODE)):
            snapshot = OrgSnapshot(
                org_id=org_id,
                version=1,
                name=name,
                org_type="private_non_enterprise",
                status="registered",
                credit_code=code,
                street_code=STREET,
                registered_on=date(2020, 5, 1),
            )
            await publish(OrgRegistered(org=snapshot))

        async def known() -> bool:
            async with env.app.state.service.connection() as conn:
                return await conn.fetchval("SELECT count(*) FROM orgs WHERE org_id = ANY($1::uuid[])", [a, b]) == 2

        await eventually(known, timeout=45)
        yield await seed(env, a, b)


async def _scan(s: Seeded, caller: str, headers: dict[str, str], *, excused: tuple[str, ...] = ()) -> list[str]:
    ids = {"project_id": s.projects}
    public = await public_text(s.env.client, s.env.app, ids)
    secrets = s.secrets.without(public, excused=excused)
    assert secrets.values, "every secret is public: the detector would find nothing"
    answers = await get_all(s.env.client, s.env.app, ids, headers)
    assert any(a.status == 200 and any(p in a.path for p in s.projects) for a in answers), "the caller saw nothing"
    return findings(caller, answers + (s.a_posts if caller == "org A" else []), secrets)


async def test_the_detector_knows_what_is_public_and_what_is_not(seeded: Seeded) -> None:
    public = await public_text(seeded.env.client, seeded.env.app, {"project_id": seeded.projects})
    assert B_NAME in public and "54321.98" in public  # B's announced win
    assert "87654.32" not in public and "乙方秘密计划：每周上门探访七十二户" not in public


async def test_org_a_sees_nothing_org_b_submitted(seeded: Seeded) -> None:
    leaks = await _scan(seeded, "org A", seeded.org_a)
    assert not leaks, "\n".join(leaks)


async def test_the_monitor_sees_the_undertaker_not_its_competitors(seeded: Seeded) -> None:
    leaks = await _scan(seeded, "monitor", seeded.monitor)
    assert not leaks, "\n".join(leaks)


async def test_a_reviewer_sees_the_proposals_it_scores_and_nothing_more(seeded: Seeded) -> None:
    leaks = await _scan(
        seeded, "reviewer", seeded.reviewer, excused=("P1: B's proposal", "P2: B's proposal", "B itself")
    )
    assert not leaks, "\n".join(leaks)
