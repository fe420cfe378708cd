"""The article replayed through the running system, chapter by chapter (registry, venture,
party and alliance, procurement), as the people of the story would do it."""

from __future__ import annotations

import asyncio
import csv
import io
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from ops.demo.client import Api, DemoError, District, demand_message
from ops.demo.plan import ApplicationSpec, OrgSpec, Plan, ProjectSpec, RoundSpec
from shared.reference import DOMAIN_NAMES, ORG_TYPE_NAMES, STREETS

T = TypeVar("T")
MARKER = "北京恩派非营利组织发展中心"  # present once the demo has run
ORG_NOT_KNOWN_YET = ("尚未出现在登记信息中", "org_not_eligible", "not known")


class NotFresh(RuntimeError):
    """The system already holds the demo's data: the demo needs a fresh system."""


async def gather(aws: Iterable[Awaitable[T]]) -> list[T]:
    return list(await asyncio.gather(*aws))


def money(value: Decimal) -> str:
    return f"{value:.2f}"


class Story:
    def __init__(self, api: Api, plan: Plan) -> None:
        self.api, self.plan = api, plan
        self.ids: dict[int, str] = {}  # plan org key → registry org id

    def id(self, key: int) -> str:
        return self.ids[key]

    # ---- before anything: is the system fresh? -------------------------------------------------

    async def check_fresh(self) -> None:
        found = await self.api.get("registry", "/orgs", params={"q": MARKER, "page_size": 1})
        rounds = await self.api.get("venture", "/rounds")
        projects = (await self.api.get("procurement", "/statistics"))["total"]["projects"]
        if found["total"] or rounds or projects:
            raise NotFresh(
                "this system already holds data (registry has the demo's organisations, or venture has rounds, "
                "or procurement has signed projects): the demo replays history from 2007 and needs a fresh "
                "system — stop it, drop the four databases (or run `python -m ops.provision` on new ones) and "
                "start it again"
            )

    # ---- chapter 1: registry -----------------------------------------------------------------------

    async def registry(self) -> None:
        named = [o for o in self.plan.orgs if o.named]
        await gather(self._register(o) for o in named)
        rest = [o for o in self.plan.orgs if not o.named]
        report = await self.api.call(
            "registry",
            "POST",
            "/imports",
            token=self.api.admin(),
            files={"file": ("dongcheng-roster.csv", roster_csv(rest).encode("utf-8"), "text/csv")},
        )
        if report["rejected_count"]:
            raise DemoError(f"the roster import rejected rows: {report['rejected'][:5]}")
        self.api.tick(len(rest) - 1)
        by_name = {o.name: o.key for o in self.plan.orgs}
        page = 1
        while True:
            got = await self.api.get("registry", "/orgs", params={"page": page, "page_size": 500})
            for item in got["items"]:
                if item["name"] in by_name:
                    self.ids[by_name[item["name"]]] = item["org_id"]
            if page * 500 >= got["total"]:
                break
            page += 1
        missing = [o.name for o in self.plan.orgs if o.key not in self.ids]
        if missing:
            raise DemoError(f"registry does not list {len(missing)} organisations, e.g. {missing[:3]}")

    async def _register(self, org: OrgSpec) -> None:
        out = await self.api.call(
            "registry",
            "POST",
            "/orgs",
            token=self.api.admin(),
            body={
                "name": org.name,
                "org_type": org.org_type,
                "credit_code": org.credit_code,
                "registered_on": org.registered_on.isoformat() if org.registered_on else None,
                "street_code": org.street_code,
                "domains": org.domains,
                "is_support_org": org.support,
                "contact": contact(org),
            },
        )
        self.ids[org.key] = out["org_id"]

    async def graduations(self) -> None:
        async def graduate(org: OrgSpec) -> None:
            g = org.graduation
            assert g is not None
            street_officer = self.api.token("street_officer", f"jd-{org.street_code}", street=org.street_code)
            await self.api.call(
                "registry",
                "POST",
                f"/orgs/{self.id(org.key)}/graduation",
                token=street_officer,
                body={
                    "org_type": g.org_type,
                    "credit_code": g.credit_code,
                    "registered_on": g.registered_on.isoformat(),
                    "name": g.name,
                },
            )

        await gather(graduate(o) for o in self.plan.orgs if o.graduation)

    # ---- chapter 2: venture philanthropy -----------------------------------------------------------

    async def venture(self) -> None:
        try:
            for spec in self.plan.rounds:
                await self._round(spec)
        finally:  # back to the real date for whoever uses the system next
            await self.api.call("venture", "PUT", "/clock", token=self.api.admin(), body={"today": None})

    async def _clock(self, today: date) -> None:
        await self.api.call("venture", "PUT", "/clock", token=self.api.admin(), body={"today": today.isoformat()})

    async def _round(self, spec: RoundSpec) -> None:
        y, api, admin = spec.year, self.api, self.api.admin()
        await self._clock(date(y, 3, 1))
        mentors = [self.id(o.key) for o in self.plan.orgs if o.support]
        r = await api.call(
            "venture",
            "POST",
            "/rounds",
            token=admin,
            body={
                "number": spec.number,
                "year": y,
                "title": "东城区社会组织公益创投",
                "focus": "助力街道级平台发展，培育社区社会组织" if y >= 2019 else "为老服务、社区治理、矛盾调处",
                "total_budget_cny": money(spec.budget_cny),
                "grant_cap_cny": money(min(Decimal(100000), spec.budget_cny)),
                "call_opens_on": date(y, 3, 1).isoformat(),
                "call_closes_on": date(y, 4, 15).isoformat(),
                "mentor_org_ids": mentors,
                "tranche_percents": [60, 40],
                "report_interval_days": 150,
            },
        )
        round_id = r["id"] if "id" in r else r["round_id"]
        await self._clock(date(y, 3, 20))
        apps = await gather(self._apply(round_id, a, y) for a in spec.applications)
        await self._clock(date(y, 4, 16))
        await api.call("venture", "POST", f"/rounds/{round_id}/call-closure", token=admin)
        await gather(
            api.call(
                "venture",
                "POST",
                f"/applications/{app_id}/screening",
                token=admin,
                body={
                    "passed": a.outcome != "screened_out",
                    "reason": "材料齐全，符合申报条件" if a.outcome != "screened_out" else "项目预算与活动计划不匹配",
                },
            )
            for app_id, a in apps
        )
        passed = [(app_id, a) for app_id, a in apps if a.outcome != "screened_out"]
        reviewers = [f"venture-reviewer-{y}-{i}" for i in (1, 2, 3)]
        await gather(
            api.call(
                "venture",
                "POST",
                f"/rounds/{round_id}/assignments",
                token=admin,
                body={"reviewer": rv, "application_ids": [app_id for app_id, _ in passed]},
            )
            for rv in reviewers
        )
        # The third reviewer mentored one applicant and says so; the other two score it.
        conflicted = {passed[0][0]} if len(passed) > 1 else set()
        for i, rv in enumerate(reviewers):
            await api.call(
                "venture",
                "POST",
                f"/rounds/{round_id}/declarations",
                token=api.token("reviewer", rv),
                body={
                    "conflicted_org_ids": [self.id(passed[0][1].org)] if i == 2 and conflicted else [],
                    "statement": "本人声明与下列申报组织存在利益关系"
                    if i == 2 and conflicted
                    else "本人与本届申报组织无利益冲突",
                },
            )
        await gather(
            api.call(
                "venture",
                "PUT",
                f"/applications/{app_id}/scores/mine",
                token=api.token("reviewer", rv),
                body={"criteria": venture_scores(a, i + j), "comment": "需求清晰，执行计划可行"},
            )
            for i, rv in enumerate(reviewers)
            for j, (app_id, a) in enumerate(passed)
            if not (i == 2 and app_id in conflicted)
        )
        await self._clock(date(y, 5, 8))
        notice = await api.call("venture", "POST", f"/rounds/{round_id}/notice", token=admin)
        ends = date.fromisoformat(notice["notice_ends_on"])
        await self._venture_objection(round_id, spec, notice)
        await self._clock(ends + timedelta(days=1))
        awarded = await api.call("venture", "POST", f"/rounds/{round_id}/awards", token=admin, body={})
        grants = awarded["grants"]
        funded = sum(1 for a in spec.applications if a.outcome == "funded")
        if len(grants) != funded:
            raise DemoError(f"round {spec.number}: {len(grants)} grants awarded, the story funds {funded}")
        await self._clock(date(y, 6, 1))
        await gather(self._disburse(g, 1) for g in grants)
        await self._clock(date(y, 10, 20))
        await gather(self._report(g, 1, "第一期项目按计划执行，开展活动12场") for g in grants)
        await gather(self._disburse(g, 2) for g in grants)
        await self._clock(date(y + 1, 2, 20))
        await gather(self._close_grant(g) for g in grants)

    async def _venture_objection(self, round_id: str, spec: RoundSpec, notice: dict[str, Any]) -> None:
        """An applicant below the line objects to a selected project during the notice; dismissed."""
        losers = [a for a in spec.applications if a.outcome == "low_score"]
        if not losers or not notice["projects"]:
            return
        out = await self.api.call(
            "venture",
            "POST",
            f"/rounds/{round_id}/objections",
            token=self.api.org(self.id(losers[0].org)),
            body={
                "application_id": notice["projects"][0]["application_id"],
                "reason": "该项目与我机构往年项目内容相近，请核实其原创性",
            },
        )
        await self.api.call(
            "venture",
            "POST",
            f"/objections/{out['id']}/resolution",
            token=self.api.admin(),
            body={"upheld": False, "resolution": "经核实，项目设计为申报机构原创，异议不成立"},
        )

    async def _apply(self, round_id: str, a: ApplicationSpec, year: int) -> tuple[str, ApplicationSpec]:
        org_id = self.id(a.org)
        sponsor = self.id(a.sponsor) if a.sponsor is not None else None
        body: dict[str, Any] = {
            "title": a.title,
            "street_code": a.street_code,
            "domain": a.domain,
            "requested_cny": money(a.requested_cny),
            "plan": f"面向{STREETS[a.street_code]}居民开展{DOMAIN_NAMES[a.domain]}服务，"
            "每月不少于两次活动，培养居民骨干。",
            "milestones": [
                {"title": "需求调研与骨干招募", "due_on": date(year, 7, 31).isoformat()},
                {"title": "服务开展与成果展示", "due_on": date(year + 1, 1, 31).isoformat()},
            ],
        }
        if a.community:
            body["community"] = a.community
        if sponsor:
            body |= {"org_id": org_id, "sponsor_org_id": sponsor}
        out = await self.api.call(
            "venture",
            "POST",
            f"/rounds/{round_id}/applications",
            token=self.api.org(sponsor or org_id),
            body=body,
            retry=ORG_NOT_KNOWN_YET,
        )
        return out["id"] if "id" in out else out["application_id"], a

    async def _disburse(self, grant: dict[str, Any], n: int) -> None:
        await self.api.call(
            "venture", "POST", f"/grants/{grant['grant_id']}/tranches/{n}/disbursement", token=self.api.admin()
        )

    async def _report(self, grant: dict[str, Any], n: int, summary: str) -> None:
        reporter = grant.get("sponsor_org_id") or grant["org_id"]
        out = await self.api.call(
            "venture",
            "POST",
            f"/grants/{grant['grant_id']}/reports",
            token=self.api.org(reporter),
            body={"tranche_number": n, "summary": summary},
        )
        await self.api.call(
            "venture",
            "POST",
            f"/reports/{out['id']}/decision",
            token=self.api.admin(),
            body={"accepted": True, "note": "报告内容完整，同意通过"},
        )

    async def _close_grant(self, grant: dict[str, Any]) -> None:
        gid, api = grant["grant_id"], self.api
        await self._report(grant, 2, "项目结项：完成全部活动，服务居民逾千人次")
        await api.call(
            "venture",
            "POST",
            f"/grants/{gid}/evaluations",
            token=api.token("monitor", "venture-evaluator"),
            body={"kind": "final", "result": "pass", "note": "目标达成，组织能力明显提升"},
        )
        await api.call("venture", "POST", f"/grants/{gid}/completion", token=api.admin())
        street = grant["street_code"]
        await api.call(
            "venture",
            "POST",
            f"/grants/{gid}/followup",
            token=api.token("street_officer", f"jd-{street}", street=street),
            body={"pledge": "街道级平台继续提供活动场地和小额资金支持一年（扶上马，送一程）"},
        )

    # ---- chapter 3: party branches and the support alliance ----------------------------------------

    async def party_and_alliance(self) -> None:
        admin = self.api.admin()

        def since(key: int) -> date:
            org = self.plan.org(key)
            if org.graduation:
                return org.graduation.registered_on
            assert org.registered_on is not None
            return org.registered_on

        async def branch(b: Any) -> None:
            founding = [self.id(k) for k in b.orgs if since(k) <= b.formed_on]
            out = await self.api.call(
                "registry",
                "POST",
                "/party-branches",
                token=admin,
                body={
                    "name": b.name,
                    "formed_on": b.formed_on.isoformat(),
                    "street_code": b.street_code,
                    "org_ids": founding,
                },
            )
            later: dict[int, list[int]] = defaultdict(list)
            for k in b.orgs:
                if since(k) > b.formed_on:
                    later[since(k).year].append(k)
            for _, keys in sorted(later.items()):
                await self.api.call(
                    "registry",
                    "POST",
                    f"/party-branches/{out['branch_id']}/orgs",
                    token=admin,
                    body={
                        "org_ids": [self.id(k) for k in keys],
                        "attached_on": max(since(k) for k in keys).isoformat(),
                    },
                )

        await gather(branch(b) for b in self.plan.branches)
        await gather(
            self.api.call(
                "registry",
                "POST",
                "/alliance/members",
                token=admin,
                body={"org_id": self.id(key), "category": category, "joined_on": joined.isoformat()},
            )
            for key, category, joined in self.plan.alliance
        )

    # ---- chapter 4: government purchase of services ----------------------------------------------

    async def procurement(self, district: District) -> None:
        for p in self.plan.projects + self.plan.cancelled:
            await district.publish(
                demand_message(
                    source_system=p.source_system,
                    demand_ref=p.ref,
                    purchaser=p.purchaser,
                    street_code=p.street_code,
                    title=p.title,
                    description=f"{p.purchaser['name']}征集{DOMAIN_NAMES[p.domain]}服务，预计受益{p.beneficiaries}人次。",
                    domain=p.domain,
                    budget_cny=money(p.budget_cny),
                    expected_beneficiaries=p.beneficiaries,
                    published_on=p.published_on,
                    wanted_by=date(p.year + 1, 6, 30),
                )
            )
        answers = await district.wait_for([(p.source_system, p.ref) for p in self.plan.projects + self.plan.cancelled])
        refused = [a for a in answers.values() if a["routing_key"] != "procurement.demand_accepted.v1"]
        if refused:
            raise DemoError(f"procurement refused {len(refused)} demands, e.g. {refused[0]}")
        self.api.tick(len(self.plan.projects))
        await gather(
            [self._project(p, answers[(p.source_system, p.ref)]["demand_id"]) for p in self.plan.projects]
            + [self._cancel(p, answers[(p.source_system, p.ref)]["demand_id"]) for p in self.plan.cancelled]
        )

    async def _cancel(self, p: ProjectSpec, demand_id: str) -> None:
        """A demand sorted into a project and then withdrawn (the department's budget was cut)."""
        step, day = _Steps(self.api, self._staff(p)), p.published_on + timedelta(days=14)
        project = await step("POST", "/projects", day, {"demand_ids": [demand_id]})
        await step(
            "POST",
            f"/projects/{project['id']}/cancellation",
            day + timedelta(days=5),
            {"reason": "年度预算调整，购买主体撤回该项目"},
        )

    async def _score(self, pid: str, proposals: dict[int, str], reviewers: list[str]) -> None:
        for i, rv in enumerate(reviewers):
            token = self.api.token("reviewer", rv)
            for rank, prop in enumerate(proposals.values()):
                base = 88 - 12 * rank - i
                await self.api.call(
                    "procurement",
                    "POST",
                    f"/projects/{pid}/proposals/{prop}/scores",
                    token=token,
                    body={
                        "criteria": {
                            "need_fit": base,
                            "plan_quality": base - 2,
                            "capacity": base + 1,
                            "budget_value": base,
                        },
                        "comment": "方案针对性强" if rank == 0 else "方案可行，但执行细节不足",
                    },
                )

    async def _objection(
        self, p: ProjectSpec, pid: str, day: date, proposals: dict[int, str], reviewers: list[str]
    ) -> None:
        """A losing bidder objects (质疑); staff dismiss it, or uphold it and the panel scores again."""
        out = await self.api.call(
            "procurement",
            "POST",
            f"/projects/{pid}/objections",
            token=self.api.org(self.id(p.competitors[0])),
            today=day,
            body={"reason": "对评审打分的一致性有疑问，请求复核"},
        )
        upheld = p.objection == "upheld"
        await self.api.call(
            "procurement",
            "POST",
            f"/projects/{pid}/objections/{out['id']}/resolution",
            token=self._staff(p),
            today=day + timedelta(days=1),
            body={
                "upheld": upheld,
                "resolution": "复核发现评分记录不完整，重新组织评审" if upheld else "经复核，评审程序合规，维持原结果",
            },
        )
        if upheld:
            await self._score(pid, proposals, reviewers)

    def _staff(self, p: ProjectSpec) -> str:
        if p.purchaser["kind"] == "street_office":
            return self.api.token("street_officer", f"jd-{p.street_code}", street=p.street_code)
        return self.api.admin()

    async def _project(self, p: ProjectSpec, demand_id: str) -> None:
        api, staff = self.api, self._staff(p)
        step = _Steps(api, staff)
        day = p.published_on + timedelta(days=14)
        project = await step("POST", "/projects", day, {"demand_ids": [demand_id]})
        pid = project["id"]
        closes = day + timedelta(days=21)
        await step("POST", f"/projects/{pid}/solicitation", day, {"closes_on": closes.isoformat()})
        if p.first_call_empty:  # nobody proposed: unsuccessful (流标), then a second call
            await step("POST", f"/projects/{pid}/solicitation/close", closes + timedelta(days=1))
            day = closes + timedelta(days=3)
            closes = day + timedelta(days=21)
            await step("POST", f"/projects/{pid}/resolicitation", day, {"closes_on": closes.isoformat()})
        bidders = [p.winner, *p.competitors]
        proposals: dict[int, str] = {}
        for rank, key in enumerate(bidders):
            budget = (
                p.amount_cny if rank == 0 else min(p.budget_cny, p.amount_cny * Decimal("1.05")).quantize(Decimal(1))
            )
            out = await api.call(
                "procurement",
                "POST",
                f"/projects/{pid}/proposals",
                token=api.org(self.id(key)),
                today=day + timedelta(days=7 + rank),
                body={
                    "title": f"{p.title}实施方案",
                    "plan": f"配备专职社工{2 + rank}名，分季度开展{DOMAIN_NAMES[p.domain]}服务并建立服务台账。",
                    "budget_cny": money(budget),
                },
            )
            proposals[key] = out["id"]
        day = closes + timedelta(days=1)
        await step("POST", f"/projects/{pid}/solicitation/close", day)
        for prop in proposals.values():
            await api.call(
                "procurement",
                "POST",
                f"/projects/{pid}/proposals/{prop}/screening",
                token=staff,
                today=day,
                body={"valid": True, "reason": "资质与材料齐全"},
                retry=ORG_NOT_KNOWN_YET,
            )
        await step("POST", f"/projects/{pid}/review", day)
        reviewers = [f"expert-{(zlib.crc32(p.ref.encode()) + i) % 40:02d}" for i in range(3)]
        reviewers = list(dict.fromkeys(reviewers))
        for rv in reviewers:
            await step("POST", f"/projects/{pid}/reviewers", None, {"reviewer": rv})
        for rv in reviewers:
            await api.call(
                "procurement",
                "POST",
                f"/projects/{pid}/conflicts",
                token=api.token("reviewer", rv),
                body={"org_ids": [], "note": "无利益冲突"},
            )
        await self._score(pid, proposals, reviewers)
        day += timedelta(days=7)
        approved = await step("POST", f"/projects/{pid}/approval", day)
        if p.objection and p.competitors:
            await self._objection(p, pid, day + timedelta(days=2), proposals, reviewers)
            if p.objection == "upheld":  # back to review: the panel scored again, a new announcement
                day += timedelta(days=10)
                approved = await step("POST", f"/projects/{pid}/approval", day)
        ends = date.fromisoformat(approved["announcement"]["ends_on"])
        day = ends + timedelta(days=1)
        await step("POST", f"/projects/{pid}/announcement/close", day)
        day += timedelta(days=3)
        await step(
            "POST",
            f"/projects/{pid}/optimisation",
            day,
            {"changes": "根据评审意见细化服务指标与绩效目标", "amount_cny": money(p.amount_cny)},
        )
        day += timedelta(days=5)
        starts = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        ends_on = date(starts.year + 1, starts.month, 1) - timedelta(days=1)
        await step(
            "POST", f"/projects/{pid}/contract", day, {"starts_on": starts.isoformat(), "ends_on": ends_on.isoformat()}
        )
        monitor = f"third-party-{zlib.crc32(p.ref.encode()) % 3}"
        await step("POST", f"/projects/{pid}/monitors", None, {"monitor": monitor})
        mon = api.token("monitor", monitor)
        first = (p.amount_cny * Decimal("0.6")).quantize(Decimal("0.01"))
        await step(
            "POST", f"/projects/{pid}/payments", None, {"amount_cny": money(first), "paid_on": starts.isoformat()}
        )
        await api.call(
            "procurement",
            "POST",
            f"/projects/{pid}/reports",
            token=mon,
            today=starts + timedelta(days=150),
            body={"milestone": "中期监测", "status": "on_track", "summary": "服务按计划推进，居民满意度较高"},
        )
        await step(
            "POST",
            f"/projects/{pid}/payments",
            None,
            {"amount_cny": money(p.amount_cny - first), "paid_on": (ends_on - timedelta(days=10)).isoformat()},
        )
        await api.call(
            "procurement",
            "POST",
            f"/projects/{pid}/evaluation",
            token=mon,
            today=ends_on + timedelta(days=20),
            body={
                "grade": "excellent" if p.beneficiaries % 3 == 0 else "good",
                "score": 86 + p.beneficiaries % 10,
                "beneficiary_person_times": p.beneficiaries,
                "summary": "完成合同约定的服务内容，绩效目标达成",
            },
        )


class _Steps:
    """A staff member's commands on one project, each with the day it happens."""

    def __init__(self, api: Api, token: str) -> None:
        self.api, self.token = api, token

    async def __call__(self, method: str, path: str, today: date | None, body: Any = None) -> Any:
        return await self.api.call("procurement", method, path, token=self.token, today=today, body=body)


def contact(org: OrgSpec) -> dict[str, str]:
    # Phone numbers only: the demo sends no e-mail to made-up addresses.
    return {"name": "联系人", "phone": f"010-6{org.key % 10**7:07d}"}


def roster_csv(orgs: list[OrgSpec]) -> str:
    """The district's roster as staff export it from their spreadsheet (Chinese headers)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["名称", "类型", "统一社会信用代码", "登记日期", "备案日期", "街道", "社区", "业务领域", "联系人", "联系电话"]
    )
    for o in orgs:
        c = contact(o)
        w.writerow(
            [
                o.name,
                ORG_TYPE_NAMES[o.org_type],
                o.credit_code or "",
                o.registered_on.isoformat() if o.registered_on else "",
                o.filed_on.isoformat() if o.filed_on else "",
                STREETS[o.street_code] if o.street_code else "",
                o.community or "",
                "、".join(DOMAIN_NAMES[d] for d in o.domains),
                c["name"],
                c["phone"],
            ]
        )
    return out.getvalue()


def venture_scores(a: ApplicationSpec, salt: int) -> dict[str, int]:
    base = 82 + salt % 9 if a.outcome == "funded" else 42 + salt % 9
    return {"need": base, "design": base - 3, "capacity": base + 2, "sustainability": base - 1}
