"""Chapter 4: demands from district systems, then each project through the ten steps."""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ops.demo.client import DemoError, District, demand_message
from ops.demo.plan import ProjectSpec
from ops.demo.story.base import ORG_NOT_KNOWN_YET, Chapter, Steps, money
from ops.demo.timeline import Timeline
from shared.reference import DOMAIN_NAMES


class ProcurementChapter(Chapter):
    timeline: Timeline

    async def procurement(self, district: District) -> None:
        for p in self.plan.projects + self.plan.cancelled:
            await district.publish(
                demand_message(
                    source_system=district.system,  # a system is who its login says it is
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
        answers = await district.wait_for([(district.system, p.ref) for p in self.plan.projects + self.plan.cancelled])
        refused = [a for a in answers.values() if a["routing_key"] != "procurement.demand_accepted.v1"]
        if refused:
            raise DemoError(f"procurement refused {len(refused)} demands, e.g. {refused[0]}")
        self.api.tick(len(self.plan.projects))
        # Procurement's demo clock is one date for every caller and only the district admin moves
        # it, so the projects take turns day by day (ops/demo/timeline.py).
        admin = self.api.admin()

        async def set_day(day: date | None) -> None:
            body = {"today": day.isoformat() if day else None}
            await self.api.call("procurement", "PUT", "/clock", token=admin, body=body)

        self.timeline = Timeline(set_day)
        try:
            await self.timeline.run(
                [self._project(p, answers[(district.system, p.ref)]["demand_id"]) for p in self.plan.projects]
                + [self._cancel(p, answers[(district.system, p.ref)]["demand_id"]) for p in self.plan.cancelled]
            )
        finally:  # back to the real date for whoever uses the system next
            await set_day(None)

    async def _on(self, day: date, service: str, method: str, path: str, **kw: Any) -> Any:
        """A request on `day` of its project's calendar, made once the demo clock shows that day."""
        await self.timeline.at(day)
        return await self.api.call(service, method, path, **kw)

    async def _cancel(self, p: ProjectSpec, demand_id: str) -> None:
        """A demand sorted into a project and then withdrawn (the department's budget was cut)."""
        step, day = Steps(self.api, self._staff(p), self._on), p.published_on + timedelta(days=14)
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
        out = await self._on(
            day,
            "procurement",
            "POST",
            f"/projects/{pid}/objections",
            token=self.api.org(self.id(p.competitors[0])),
            body={"reason": "对评审打分的一致性有疑问，请求复核"},
        )
        upheld = p.objection == "upheld"
        await self._on(
            day + timedelta(days=1),
            "procurement",
            "POST",
            f"/projects/{pid}/objections/{out['id']}/resolution",
            token=self._staff(p),
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
        step = Steps(api, staff, self._on)
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
            out = await self._on(
                day + timedelta(days=7 + rank),
                "procurement",
                "POST",
                f"/projects/{pid}/proposals",
                token=api.org(self.id(key)),
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
            await self._on(
                day,
                "procurement",
                "POST",
                f"/projects/{pid}/proposals/{prop}/screening",
                token=staff,
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
        await self._on(
            starts + timedelta(days=150),
            "procurement",
            "POST",
            f"/projects/{pid}/reports",
            token=mon,
            body={"milestone": "中期监测", "status": "on_track", "summary": "服务按计划推进，居民满意度较高"},
        )
        await step(
            "POST",
            f"/projects/{pid}/payments",
            None,
            {"amount_cny": money(p.amount_cny - first), "paid_on": (ends_on - timedelta(days=10)).isoformat()},
        )
        await self._on(
            ends_on + timedelta(days=20),
            "procurement",
            "POST",
            f"/projects/{pid}/evaluation",
            token=mon,
            body={
                "grade": "excellent" if p.beneficiaries % 3 == 0 else "good",
                "score": 86 + p.beneficiaries % 10,
                "beneficiary_person_times": p.beneficiaries,
                "summary": "完成合同约定的服务内容，绩效目标达成",
            },
        )
