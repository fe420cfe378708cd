"""The article's community programmes, replayed (issue 17): 五色土's four public-welfare claiming
editions in 龙潭街道左安浦园 (113 items, 10,000+ person-times) and 崇外街道's five street
micro-venture rounds (81 resident-led groups), through venture's API as their people would.

It runs after the main story (it needs 五色土 and 崇外街道社区社会组织联合会 in the registry) on
venture's demo clock, and adds its own rows to the figures.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from ops.demo.client import Api, DemoError
from ops.demo.figures import Row
from ops.demo.plan import Plan
from ops.demo.story.base import ORG_NOT_KNOWN_YET, gather

ARTICLE: dict[str, Any] = {
    "claim_editions": 4,
    "claim_items": 113,
    "claim_person_times": "10000余人次",
    "chongwai_rounds": 5,
    "chongwai_groups": 81,
}
PERSON_TIMES = 10_260  # "受益居民10000余人次": a little over 10,000
LONGTAN, COMMUNITY = "110101014", "左安浦园社区"
CHONGWAI = "110101012"
COMMUNITIES = ("新怡家园社区", "花市枣苑社区", "国瑞城社区", "新世界家园社区", "崇文门东大街社区")  # synthetic
ORGANISER = "东城区五色土社会工作事务所"
CHONGWAI_FEDERATION = "东城区崇外街道社区社会组织联合会"

WISHES = [
    ("为独居老人安装楼道扶手", "elder_care", ["goods", "volunteer_hours"]),
    ("周末陪伴空巢老人", "elder_care", ["volunteer_hours"]),
    ("社区儿童暑期托管", "youth", ["volunteer_hours", "skills"]),
    ("楼门院垃圾分类督导", "environment", ["volunteer_hours"]),
    ("残障居民康复陪护", "disability", ["volunteer_hours", "skills"]),
    ("邻里矛盾调解小课堂", "dispute_mediation", ["skills"]),
    ("社区花园认养", "environment", ["goods", "volunteer_hours"]),
    ("为困难家庭添置冬衣", "charity", ["money", "goods"]),
    ("老年人智能手机课", "elder_care", ["skills"]),
    ("楼道微更新", "community_governance", ["money", "volunteer_hours"]),
]
KINDS = ("party_branch", "org", "party_member", "resident")


@dataclass(frozen=True)
class CommunityPlan:
    items: list[int]  # per edition
    person_times: list[list[int]]  # per edition, per item
    groups: list[int]  # per 崇外 round
    expected: dict[str, int]


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def build(scale: float, seed: int = 2007) -> CommunityPlan:
    """The community programmes at `scale` (1.0: the article's figures)."""
    rng = random.Random(seed + 17)  # noqa: S311 - synthetic data, not secrets
    items = _split(max(4, round(ARTICLE["claim_items"] * scale)), ARTICLE["claim_editions"])
    total_pt = max(sum(items), round(PERSON_TIMES * scale))
    weights = [[rng.randint(5, 15) for _ in range(n)] for n in items]
    flat = [w for ws in weights for w in ws]
    shares = [max(1, total_pt * w // sum(flat)) for w in flat]
    shares[-1] += total_pt - sum(shares)
    person_times, i = [], 0
    for n in items:
        person_times.append(shares[i : i + n])
        i += n
    groups = _split(max(5, round(ARTICLE["chongwai_groups"] * scale)), ARTICLE["chongwai_rounds"])
    expected = {
        "claim_editions": len(items),
        "claim_items": sum(items),
        "claim_person_times": total_pt,
        "chongwai_rounds": len(groups),
        "chongwai_groups": sum(groups),
    }
    return CommunityPlan(items, person_times, groups, expected)


def _groups_csv(sponsor_code: str, count: int) -> tuple[list[str], str]:
    """The 崇外 resident-led groups (居民“领秀”带头人), filed with the federation as sponsor."""
    names = [f"崇外领秀居民自治队{i:02d}" for i in range(1, count + 1)]
    out = io.StringIO()
    w = csv.writer(out)
    head = ["名称", "类型", "统一社会信用代码", "登记日期", "备案日期", "街道", "社区", "业务领域", "联系人"]
    w.writerow([*head, "联系电话", "支持单位统一社会信用代码"])
    for i, name in enumerate(names):
        filed = date(2015, 1 + i % 12, 10)
        community = COMMUNITIES[i % len(COMMUNITIES)]
        row = [name, "社区社会组织", "", "", filed.isoformat(), "崇文门外街道", community, "社区治理", "带头人"]
        w.writerow([*row, f"010-67{i:06d}", sponsor_code])
    return names, out.getvalue()


class CommunityChapter:
    """Drives the two programmes; `ids` are the main story's organisation ids by plan key."""

    def __init__(self, api: Api, plan: Plan, ids: dict[int, str], cplan: CommunityPlan) -> None:
        self.api, self.plan, self.ids, self.c = api, plan, ids, cplan
        self.editions: list[str] = []
        self.rounds: list[str] = []

    def _org(self, name: str, org_type: str) -> tuple[str, str]:
        """(id, credit code) of an organisation the article names; a scaled-down story may have left
        it out, and then one of its registered organisations of the same type stands in (registering
        another would change the registry's figures)."""
        named = [o for o in self.plan.orgs if o.name == name]
        stand_in = [o for o in self.plan.orgs if o.org_type == org_type and o.registered and o.credit_code]
        org = (named or stand_in)[0]
        return self.ids[org.key], org.credit_code or ""

    async def _clock(self, day: date) -> None:
        await self.api.call("venture", "PUT", "/clock", token=self.api.admin(), body={"today": day.isoformat()})

    async def run(self) -> None:
        try:
            await self.claiming()
            await self.street_rounds()
        finally:
            await self.api.call("venture", "PUT", "/clock", token=self.api.admin(), body={"today": None})

    # --- 公益认领 ---------------------------------------------------------------------------

    async def claiming(self) -> None:
        organiser, _ = self._org(ORGANISER, "private_non_enterprise")
        claimers = [self.ids[o.key] for o in self.plan.orgs if o.registered and o.street_code][:6]
        token = self.api.org(organiser)
        for e, person_times in enumerate(self.c.person_times, start=1):
            year = 2016 + e
            await self._clock(date(year, 4, 1))
            edition = await self.api.call(
                "venture",
                "POST",
                "/claiming/editions",
                token=token,
                body={
                    "number": e,
                    "title": f"左安浦园第{e}届公益认领",
                    "street_code": LONGTAN,
                    "community": COMMUNITY,
                    "opens_on": date(year, 4, 1).isoformat(),
                    "closes_on": date(year, 10, 31).isoformat(),
                },
                retry=ORG_NOT_KNOWN_YET,
            )
            self.editions.append(edition["id"])
            await gather(self._item(edition["id"], e, i, pt, token, claimers) for i, pt in enumerate(person_times))

    async def _item(self, edition_id: str, e: int, i: int, person_times: int, token: str, claimers: list[str]) -> None:
        title, domain, needs = WISHES[(e + i) % len(WISHES)]
        item = await self.api.call(
            "venture",
            "POST",
            f"/claiming/editions/{edition_id}/items",
            token=token,
            body={
                "title": f"{title}（{e}-{i + 1:02d}）",
                "need": f"{COMMUNITY}居民提出：{title}。",
                "category": domain,
                "community": COMMUNITY,
                "beneficiaries_expected": max(1, person_times // 3),
                "needs": needs,
            },
        )
        kind = KINDS[i % len(KINDS)]
        if kind in ("party_branch", "org"):
            org = claimers[i % len(claimers)]
            claim = await self.api.call(
                "venture",
                "POST",
                f"/claiming/items/{item['id']}/claims",
                token=self.api.org(org),
                body={"kind": kind},
                retry=ORG_NOT_KNOWN_YET,
            )
        else:
            claim = await self.api.call(
                "venture",
                "POST",
                f"/public/claiming/items/{item['id']}/claims",
                body={"kind": kind, "name": f"居民{e}{i:03d}", "phone": f"1390{e}{i:06d}"},
            )
        await self.api.call("venture", "POST", f"/claiming/claims/{claim['id']}/confirmation", token=token)
        await self.api.call(
            "venture",
            "POST",
            f"/claiming/items/{item['id']}/completion",
            token=token,
            body={"delivered": f"{title}已完成", "person_times": person_times},
        )

    # --- 崇外街道社区微创投 -------------------------------------------------------------------

    async def street_rounds(self) -> None:
        sponsor, code = self._org(CHONGWAI_FEDERATION, "social_association")
        names, roster = _groups_csv(code, sum(self.c.groups))
        report = await self.api.call(
            "registry",
            "POST",
            "/imports",
            token=self.api.admin(),
            files={"file": ("chongwai-groups.csv", roster.encode("utf-8"), "text/csv")},
        )
        if report["rejected_count"]:
            raise DemoError(f"the 崇外 groups' roster was refused: {report['rejected'][:3]}")
        group_ids = await self._group_ids(names)
        officer = self.api.token("street_officer", "chongwai-officer", street=CHONGWAI)
        first = 0
        for n, count in enumerate(self.c.groups, start=1):
            await self._round(n, group_ids[first : first + count], sponsor, officer)
            first += count

    async def _group_ids(self, names: list[str]) -> list[str]:
        found: dict[str, str] = {}
        page = 1
        while True:
            got = await self.api.get("registry", "/orgs", params={"page": page, "page_size": 500})
            found |= {item["name"]: item["org_id"] for item in got["items"] if item["name"] in set(names)}
            if page * 500 >= got["total"]:
                break
            page += 1
        missing = [n for n in names if n not in found]
        if missing:
            raise DemoError(f"registry does not list the 崇外 groups, e.g. {missing[:3]}")
        return [found[n] for n in names]

    async def _round(self, n: int, groups: list[str], sponsor: str, officer: str) -> None:
        year, api = 2015 + n, self.api
        await self._clock(date(year, 5, 4))
        r = await api.call(
            "venture",
            "POST",
            "/rounds",
            token=officer,
            body={
                "number": n,
                "year": year,
                "title": "崇外街道社区公益微创投",
                "total_budget_cny": f"{10000 * len(groups)}.00",
                "grant_cap_cny": "10000.00",
                "call_opens_on": date(year, 5, 4).isoformat(),
                "call_closes_on": date(year, 5, 29).isoformat(),
                "tranche_percents": [100],
            },
        )
        round_id = r["id"]
        self.rounds.append(round_id)
        await self._clock(date(year, 5, 20))

        async def apply(i: int, group: str) -> str:
            out = await api.call(
                "venture",
                "POST",
                f"/rounds/{round_id}/applications",
                token=api.org(sponsor),
                body={
                    "org_id": group,
                    "sponsor_org_id": sponsor,
                    "title": f"居民领秀计划第{n}届项目{i + 1:02d}",
                    "street_code": CHONGWAI,
                    "domain": "community_governance",
                    "requested_cny": "10000.00",
                    "plan": "居民骨干带领邻里开展楼门院自治活动，每月不少于两次。",
                },
                retry=ORG_NOT_KNOWN_YET,
            )
            return str(out["id"])

        apps = await gather(apply(i, g) for i, g in enumerate(groups))
        await self._clock(date(year, 6, 1))
        await api.call("venture", "POST", f"/rounds/{round_id}/call-closure", token=officer)
        await gather(
            api.call(
                "venture",
                "POST",
                f"/applications/{a}/screening",
                token=officer,
                body={"passed": True, "reason": "材料齐全"},
            )
            for a in apps
        )
        reviewer = f"chongwai-reviewer-{n}"
        await api.call(
            "venture",
            "POST",
            f"/rounds/{round_id}/assignments",
            token=officer,
            body={"reviewer": reviewer, "application_ids": apps},
        )
        rev = api.token("reviewer", reviewer)
        await api.call(
            "venture", "POST", f"/rounds/{round_id}/declarations", token=rev, body={"statement": "与申报组织无利益关系"}
        )
        score = {"criteria": {"need": 85, "design": 80, "capacity": 78, "sustainability": 80}}
        await gather(api.call("venture", "PUT", f"/applications/{a}/scores/mine", token=rev, body=score) for a in apps)
        await api.call("venture", "POST", f"/rounds/{round_id}/notice", token=officer)
        await self._clock(date(year, 7, 1))
        await api.call("venture", "POST", f"/rounds/{round_id}/awards", token=officer)

    # --- figures ------------------------------------------------------------------------------

    async def figures(self) -> tuple[list[Row], dict[str, Any]]:
        claiming = await self.api.get("venture", "/claiming/statistics")
        mine = [e for e in claiming["editions"] if e["edition_id"] in set(self.editions)]
        streets = await self.api.get("venture", "/statistics/streets")
        chongwai: dict[str, Any] = next((s for s in streets if s["street_code"] == CHONGWAI), {})
        e = self.c.expected
        rows = [
            Row("venture", "五色土公益认领届数", ARTICLE["claim_editions"], e["claim_editions"], len(mine)),
            Row("venture", "  发布认领项目", ARTICLE["claim_items"], e["claim_items"], sum(x["items"] for x in mine)),
            Row(
                "venture",
                "  受益居民人次",
                ARTICLE["claim_person_times"],
                e["claim_person_times"],
                sum(x["person_times"] for x in mine),
            ),
            Row(
                "venture",
                "崇外街道微创投届数",
                ARTICLE["chongwai_rounds"],
                e["chongwai_rounds"],
                chongwai.get("rounds"),
            ),
            Row(
                "venture",
                "  培育居民社区社会组织",
                ARTICLE["chongwai_groups"],
                e["chongwai_groups"],
                chongwai.get("groups_cultivated"),
            ),
        ]
        return rows, {"claiming": mine, "chongwai": chongwai}
