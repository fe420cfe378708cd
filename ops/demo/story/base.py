"""What every chapter of the story shares: the API client, the plan, the ids registry gave."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from ops.demo.client import Api
from ops.demo.plan import ApplicationSpec, OrgSpec, Plan
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


class Chapter:
    """The state the chapters share; each chapter is a mixin of `Story`."""

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


class Steps:
    """A staff member's commands on one project, each on the day it happens (None: any day will do)."""

    def __init__(self, api: Api, token: str, on: Callable[..., Awaitable[Any]]) -> None:
        self.api, self.token, self.on = api, token, on  # `on(day, …)` waits for the demo clock to show day

    async def __call__(self, method: str, path: str, today: date | None, body: Any = None) -> Any:
        if today is None:
            return await self.api.call("procurement", method, path, token=self.token, body=body)
        return await self.on(today, "procurement", method, path, token=self.token, body=body)


def contact(org: OrgSpec) -> dict[str, str]:
    # Phone numbers only: the demo sends no e-mail to made-up addresses.
    return {"name": "联系人", "phone": f"010-6{org.key % 10**7:07d}"}


def roster_csv(orgs: list[OrgSpec]) -> str:
    """The district's roster as staff export it from their spreadsheet (Chinese headers)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "名称",
            "类型",
            "统一社会信用代码",
            "登记日期",
            "备案日期",
            "街道",
            "社区",
            "业务领域",
            "联系人",
            "联系电话",
            "支持单位统一社会信用代码",
        ]
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
                o.sponsor_code or "",
            ]
        )
    return out.getvalue()


def venture_scores(a: ApplicationSpec, salt: int) -> dict[str, int]:
    base = 82 + salt % 9 if a.outcome == "funded" else 42 + salt % 9
    return {"need": base, "design": base - 3, "capacity": base + 2, "sustainability": base - 1}
