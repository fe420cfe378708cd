"""Chapter 1 and 3: the roster, graduations, party branches and the support alliance (registry)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from ops.demo.client import DemoError
from ops.demo.plan import OrgSpec
from ops.demo.story.base import Chapter, contact, gather, roster_csv


class RegistryChapter(Chapter):
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
