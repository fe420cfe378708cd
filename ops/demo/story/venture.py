"""Chapter 2: six venture-philanthropy rounds on venture's demo clock, year by year."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ops.demo.client import DemoError
from ops.demo.plan import ApplicationSpec, RoundSpec
from ops.demo.story.base import ORG_NOT_KNOWN_YET, Chapter, gather, money, venture_scores
from shared.reference import DOMAIN_NAMES, STREETS


class VentureChapter(Chapter):
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
