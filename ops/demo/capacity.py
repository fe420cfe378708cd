"""The article's capacity programmes, replayed through the running registry (issue 18): the 2016
district–street–community talent programme, the 2017 closed workshop for 12 start-ups coached one
to one by the alliance with a brand project, the yearly party census 2016–2020 over the 33
functional branches with both coverages, 双报到 reports and branch activities.

python -m ops.demo.capacity            # after `python -m ops.demo` (its orgs, branches, alliance)
python -m ops.demo.capacity --fresh    # on a registry of its own: registers what it needs first

Synthetic but plausible people and figures where the article gives none; the table puts the
article's figures beside what the registry's statistics report.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import date
from typing import Any

from ops.demo.client import Api, Endpoints
from ops.demo.figures import Row
from registry.domain.uscc import make_code
from shared.reference import STREETS

ARTICLE: dict[str, object] = {
    "talent_levels": 3,  # 区、街、社区三级社会组织人才培养计划 (2016)
    "talent_topics": 4,  # 购买服务流程、公益金及党建经费、项目设计、立项评审
    "workshop_orgs": 12,  # 针对12家初创期社会组织开展封闭式工作坊 (2017)
    "brand_projects": 1,  # 五色土「公益认领」
    "party_branches": 33,  # 组建33个功能型党支部
    "organisation_coverage_pct": "100.0",  # 两个覆盖
    "work_coverage_pct": "100.0",
}
TOPICS = [
    "政府购买服务项目流程解读",
    "社区公益金及党建经费使用及管理",
    "公益项目的设计要素及案例分享",
    "立项评审要点及演练",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "敏伟芳娜秀英静丽强磊军洋勇艳杰娟涛明超霞平刚桂华红建国兰志新文"
CENSUS_YEARS = range(2016, 2021)
BRANCHES = 33


class Chapter:
    """One run of the capacity chapter against a registry."""

    def __init__(self, api: Api, *, seed: int = 2016) -> None:
        self.api, self.rng, self.admin = api, random.Random(seed), api.admin()  # noqa: S311 (demo data)

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    async def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return await self.api.call("registry", method, path, token=self.admin, body=body, **kw)

    async def gather(self, calls: list[Any]) -> list[Any]:
        return list(await asyncio.gather(*calls))

    # --- what the chapter stands on ------------------------------------------------------------

    async def registered(self) -> list[dict[str, Any]]:
        orgs, page = [], 1
        while True:
            out = await self.call("GET", "/orgs", params={"status": "registered", "page": page, "page_size": 500})
            orgs += out["items"]
            if len(orgs) >= out["total"] or not out["items"]:
                return orgs
            page += 1

    async def ensure_ground(self, fresh: bool) -> None:
        """On a registry of its own: organisations, 33 branches covering them, an alliance."""
        if not fresh:
            return
        streets = sorted(STREETS)
        bodies = [
            {
                "name": f"东城区能力建设示范组织{i:02d}",
                "org_type": "private_non_enterprise" if i % 3 else "social_association",
                "credit_code": make_code("52" if i % 3 else "51", "110101", f"MK{i:06d}"),
                "registered_on": date(2010 + i % 9, 1 + i % 12, 1 + i % 27).isoformat(),
                "street_code": streets[i % len(streets)],
                "domains": ["elder_care"] if i % 2 else ["community_governance"],
            }
            for i in range(1, 80)
        ]
        await self.gather([self.call("POST", "/orgs", b) for b in bodies])
        orgs = sorted(await self.registered(), key=lambda o: o["registered_on"])
        groups: list[list[dict[str, Any]]] = [orgs[i::BRANCHES] for i in range(BRANCHES)]
        for n, group in enumerate(groups):
            formed = date(2016 + n % 3, 7, 1)
            founding = [o["org_id"] for o in group if o["registered_on"] <= formed.isoformat()]
            out = await self.call(
                "POST",
                "/party-branches",
                {
                    "name": f"东城区社会组织第{n + 1}联合党支部",
                    "formed_on": formed.isoformat(),
                    "org_ids": founding,
                    "street_code": group[0]["street_code"],
                },
            )
            later = [o for o in group if o["org_id"] not in founding]
            if later:
                await self.call(
                    "POST",
                    f"/party-branches/{out['branch_id']}/orgs",
                    {
                        "org_ids": [o["org_id"] for o in later],
                        "attached_on": max(o["registered_on"] for o in later),
                    },
                )
        categories = [
            "startup_mentoring",
            "legal",
            "finance",
            "fundraising",
            "brand",
            "it",
            "party_building",
            "psychology",
            "other",
        ]
        await self.gather(
            [
                self.call(
                    "POST",
                    "/alliance/members",
                    {"org_id": o["org_id"], "category": categories[i % 9], "joined_on": "2017-03-01"},
                )
                for i, o in enumerate(orgs[-20:])
            ]
        )

    # --- talent --------------------------------------------------------------------------------

    async def programme(
        self,
        agency: str,
        level: str,
        street: str | None,
        name: str,
        topics: list[str],
        people: int,
        orgs: list[dict[str, Any]],
    ) -> None:
        out = await self.call(
            "POST",
            "/talent/programmes",
            {
                "name": name,
                "year": 2016,
                "level": level,
                "street_code": street,
                "agency_org_id": agency,
                "theme": "、".join(topics),
                "required_sessions": max(1, len(topics) - 1),
            },
        )
        pid = out["programme_id"]
        sessions = [
            (
                await self.call(
                    "POST",
                    f"/talent/programmes/{pid}/sessions",
                    {
                        "held_on": date(2016, 4 + i * 2, 12).isoformat(),
                        "place": "东城区社会组织服务中心" if street is None else f"{STREETS[street]}社会组织服务平台",
                        "topic": topic,
                        "trainer": f"{self.person()}（督导）",
                        "hours": "3.0",
                    },
                )
            )["session_id"]
            for i, topic in enumerate(topics)
        ]
        roles = ("org_leader", "social_worker", "community_cadre")
        enrolled = await self.call(
            "POST",
            f"/talent/programmes/{pid}/enrolments",
            {
                "enrolled_on": "2016-04-01",
                "people": [
                    {
                        "name": self.person(),
                        "role": roles[i % 3],
                        "org_id": None if i % 3 == 2 else self.rng.choice(orgs)["org_id"],
                    }
                    for i in range(people)
                ],
            },
        )
        ids = enrolled["person_ids"]
        for s in sessions:
            present = [p for p in ids if self.rng.random() < 0.85]
            if present:
                await self.call("POST", f"/talent/sessions/{s}/attendance", {"person_ids": present})
        await self.call("POST", f"/talent/programmes/{pid}/certificates")

    async def talent(self, orgs: list[dict[str, Any]], alliance: list[dict[str, Any]]) -> None:
        agency = next((m["org_id"] for m in alliance if "协作者" in m["name"]), alliance[0]["org_id"])
        await self.programme(agency, "district", None, "2016年东城区社会组织公益人才培养计划（区级）", TOPICS, 60, orgs)
        streets = sorted(STREETS)
        await self.gather(
            [
                self.programme(
                    agency,
                    "street",
                    s,
                    f"2016年{STREETS[s]}公益人才培训班",
                    TOPICS[:2],
                    12,
                    [o for o in orgs if o["street_code"] == s] or orgs,
                )
                for s in streets
            ]
        )
        await self.gather(
            [
                self.programme(
                    agency,
                    "community",
                    s,
                    f"2016年{STREETS[s]}社区骨干培训",
                    TOPICS[2:3],
                    8,
                    [o for o in orgs if o["street_code"] == s] or orgs,
                )
                for s in streets
            ]
        )

    async def workshop(self, orgs: list[dict[str, Any]], alliance: list[dict[str, Any]]) -> None:
        members = {m["org_id"] for m in alliance}
        young = [o for o in orgs if o["org_id"] not in members and o["registered_on"] <= "2017-05-01"]
        wuseta = [o for o in young if "五色土" in o["name"]]
        cohort_orgs = (
            wuseta + sorted((o for o in young if o not in wuseta), key=lambda o: o["registered_on"], reverse=True)
        )[:12]
        out = await self.call(
            "POST",
            "/talent/cohorts",
            {
                "name": "2017年初创期社会组织封闭式工作坊",
                "year": 2017,
                "starts_on": "2017-05-08",
                "org_ids": [o["org_id"] for o in cohort_orgs],
            },
        )
        topics = ["宗旨使命与战略规划", "组织内部治理", "财务与法律", "项目申报设计与管理"]
        coaches = [m for m in alliance if m["category"] != "party_building"] or alliance
        calls = [
            self.call(
                "POST",
                f"/talent/cohorts/{out['cohort_id']}/coaching",
                {
                    "org_id": o["org_id"],
                    "coach_org_id": coaches[(i + j) % len(coaches)]["org_id"],
                    "held_on": date(2017, 5 + j, 10 + i).isoformat(),
                    "topic": topic,
                    "hours": "2.0",
                    "notes": f"{topic}：一对一指导，形成改进清单",
                },
            )
            for i, o in enumerate(cohort_orgs)
            for j, topic in enumerate(topics)
        ]
        await self.gather(calls)
        await self.call(
            "POST",
            "/talent/brand-projects",
            {
                "org_id": cohort_orgs[0]["org_id"],
                "title": "公益认领",
                "recognised_on": "2019-12-20",
                "cohort_id": out["cohort_id"],
            },
        )

    # --- party building ------------------------------------------------------------------------

    async def attachments(self) -> dict[str, tuple[str, date]]:
        """org id → (branch id, the day it joined), from each running branch's history."""
        branches = [b for b in await self.call("GET", "/party-branches") if b.get("status", "active") == "active"]
        histories = await self.gather([self.call("GET", f"/party-branches/{b['branch_id']}/history") for b in branches])
        joined: dict[str, tuple[str, date]] = {}
        for b, history in zip(branches, histories, strict=True):
            for h in history:
                for org_id in h["org_ids"]:
                    joined.setdefault(org_id, (b["branch_id"], date.fromisoformat(h["happened_on"])))
        return joined

    async def census(self, orgs: list[dict[str, Any]]) -> None:
        """逐年摸排: every year each registered organisation's members; by 2018 every one is covered."""
        joined = await self.attachments()
        members = {o["org_id"]: (self.rng.randint(1, 9) if self.rng.random() < 0.45 else 0) for o in orgs}
        calls = []
        for year in CENSUS_YEARS:
            for o in orgs:
                if int(o["registered_on"][:4]) > year:
                    continue
                n = members[o["org_id"]] + (1 if year >= 2018 and members[o["org_id"]] else 0)
                branch = joined.get(o["org_id"])
                in_branch = n > 0 and branch is not None and branch[1] <= date(year, 12, 31)
                reached = year >= 2017 or self.rng.random() < 0.6
                body: dict[str, Any] = {"year": year, "members": n}
                if in_branch and branch is not None:
                    body.update(branch_form="joint", branch_id=branch[0])
                elif reached:
                    body["instructor" if n else "liaison"] = self.person()
                calls.append(self.call("PUT", f"/party/orgs/{o['org_id']}/census", body))
        await self.gather(calls)

    async def reports_and_activities(self, orgs: list[dict[str, Any]]) -> None:
        streets = sorted(STREETS)
        await self.gather(
            [
                self.call(
                    "POST",
                    "/party/member-reports",
                    {
                        "org_id": o["org_id"],
                        "member_name": self.person(),
                        "street_code": streets[i % 17],
                        "community": f"{STREETS[streets[i % 17]]}第{1 + i % 5}社区",
                        "reported_on": f"2019-0{1 + i % 9}-15",
                        "service": self.rng.choice(["周末卫生大扫除", "结对帮扶困难家庭", "垃圾分类宣传"]),
                    },
                )
                for i, o in enumerate(orgs[:60])
            ]
        )
        branches = [b for b in await self.call("GET", "/party-branches") if b.get("status", "active") == "active"]
        await self.gather(
            [
                self.call(
                    "POST",
                    f"/party-branches/{b['branch_id']}/activities",
                    {
                        "held_on": "2019-07-20",
                        "title": "推进残疾预防，健康成就小康" if i == 0 else "支部+公益+项目主题活动",
                        "participants": 20 + i,
                    },
                )
                for i, b in enumerate(branches)
            ]
        )

    # --- the figures ---------------------------------------------------------------------------

    async def figures(self) -> tuple[list[Row], dict[str, Any]]:
        talent = await self.call("GET", "/statistics/talent")
        party = await self.call(
            "GET",
            "/statistics/party-coverage/by-year",
            params={"from_year": CENSUS_YEARS[0], "to_year": CENSUS_YEARS[-1]},
        )
        alliance = await self.call("GET", "/alliance")
        y2016 = [r for r in talent["programmes"] if r["year"] == 2016]
        workshop: dict[str, Any] = next((w for w in talent["workshops"] if w["year"] == 2017), {})
        last = party["years"][-1]
        district: dict[str, Any] = next((r for r in y2016 if r["level"] == "district"), {})
        rows = [
            Row("registry", "人才培养计划层级 (2016)", ARTICLE["talent_levels"], 3, len({r["level"] for r in y2016})),
            Row("registry", "区级培训专题", ARTICLE["talent_topics"], 4, district.get("sessions")),
            Row("registry", "封闭式工作坊组织", ARTICLE["workshop_orgs"], 12, workshop.get("cohort_orgs")),
            Row("registry", "一对一指导组织", ARTICLE["workshop_orgs"], 12, workshop.get("orgs_coached")),
            Row("registry", "品牌项目", ARTICLE["brand_projects"], 1, talent["brand_projects"]),
            Row("registry", "创益汇专业支持队伍", 20, 20, len(alliance["members"])),
            Row(
                "registry", f"功能型党支部 ({CENSUS_YEARS[-1]})", ARTICLE["party_branches"], BRANCHES, last["branches"]
            ),
            Row(
                "registry",
                "组织覆盖 (%)",
                ARTICLE["organisation_coverage_pct"],
                "100.0",
                last["organisation_coverage_pct"],
            ),
            Row("registry", "工作覆盖 (%)", ARTICLE["work_coverage_pct"], "100.0", last["work_coverage_pct"]),
        ]
        return rows, {"talent": talent, "party": party}

    async def run(self, *, fresh: bool = False) -> tuple[list[Row], dict[str, Any]]:
        await self.ensure_ground(fresh)
        orgs = await self.registered()
        alliance = (await self.call("GET", "/alliance"))["members"]
        await self.talent(orgs, alliance)
        await self.workshop(orgs, alliance)
        await self.census(orgs)
        await self.reports_and_activities(orgs)
        return await self.figures()


def render(rows: list[Row], raw: dict[str, Any]) -> str:
    lines = ["", f"{'figure':<28}{'article':>10}{'expected':>10}{'system':>10}", "-" * 64]
    lines += [
        f"{r.label:<28}{r.article!s:>10}{r.expected!s:>10}{r.actual!s:>10}{'  ok' if r.ok else '  ≠ differs'}"
        for r in rows
    ]
    lines += ["", "talent by year and level:"]
    lines += [
        f"  {r['year']} {r['level']:<9} programmes {r['programmes']:>3}  sessions {r['sessions']:>3}  "
        f"enrolled {r['enrolled']:>4}  trained {r['trained']:>4}  certified {r['certified']:>4}  "
        f"person-hours {r['person_hours']}"
        for r in raw["talent"]["programmes"]
    ]
    lines += ["", "party coverage by year (organisation / work coverage, branches, 双报到):"]
    by_street: dict[int, int] = defaultdict(int)
    for y in raw["party"]["years"]:
        by_street[y["year"]] = len(y["by_street"])
        lines.append(
            f"  {y['year']}: {y['orgs']:>4} orgs censused, {y['members']:>5} members, organisation coverage "
            f"{y['organisation_coverage_pct']}% ({y['orgs_in_branch']}/{y['orgs_with_members']}), work coverage "
            f"{y['work_coverage_pct']}% ({y['orgs_reached']}/{y['orgs_without_branch']}), {y['branches']} branches, "
            f"{y['member_reports']} reports, {by_street[y['year']]} streets"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m ops.demo.capacity", description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=os.environ.get("DEMO_REGISTRY_URL", "http://127.0.0.1:8001"))
    parser.add_argument("--fresh", action="store_true", help="register the organisations, branches and alliance first")
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args(argv)

    async def go() -> tuple[list[Row], dict[str, Any]]:
        endpoints = Endpoints(registry=args.registry)
        api = Api(endpoints, concurrency=args.concurrency)
        try:
            return await Chapter(api).run(fresh=args.fresh)
        finally:
            await api.close()

    rows, raw = asyncio.run(go())
    print(render(rows, raw))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
