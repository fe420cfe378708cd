"""Read each service's statistics from its API and set them beside the article's figures."""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from ops.demo.client import Api, DemoError
from ops.demo.plan import ARTICLE, NOW_YEAR, Plan

SENT = re.compile(r'^outbox_published_total\{routing_key="notify\.notification_sent\.v1"\}\s+([0-9.e+]+)$', re.M)


@dataclass
class Row:
    service: str
    label: str
    article: object
    expected: object
    actual: object

    @property
    def ok(self) -> bool:
        return str(self.expected) == str(self.actual)


async def notices_sent(api: Api) -> dict[str, Any]:
    """Notices notify has sent: its own statistics route when it has one, else its metrics
    (`notify.notification_sent.v1` events published, one per e-mail or webhook delivered)."""
    try:
        stats = await api.get("notify", "/statistics")
        return {"source": "GET /statistics", **stats}
    except DemoError as exc:  # a notify without a statistics route answers 404
        if "→ 404" not in str(exc):
            raise
    text = await api.metrics("notify")
    sent = sum(int(float(m)) for m in SENT.findall(text))
    deliveries = await api.get("notify", "/deliveries", params={"limit": 1000})
    by: dict[str, int] = {}
    for d in deliveries:
        by[f"{d['channel']}:{d['status']}"] = by.get(f"{d['channel']}:{d['status']}", 0) + 1
    return {"source": "GET /metrics (notification_sent events) and GET /deliveries", "sent": sent, "deliveries": by}


_METRIC = re.compile(r"^(outbox_published_total|events_consumed_total)\{([^}]*)\}\s+([0-9.e+]+)$", re.M)
_LABEL = re.compile(r'(\w+)="([^"]*)"')


async def backlog(api: Api, district_messages: int) -> dict[str, int]:
    """Events published (outbox counters of all services, plus the district's messages) that a
    consumer queue has not yet consumed, per queue, from the services' /metrics."""
    published: dict[str, float] = {"district.demand_published.v1": district_messages}
    consumed: dict[str, float] = {}
    for service in ("registry", "venture", "procurement", "notify"):
        for name, labels, value in _METRIC.findall(await api.metrics(service)):
            tags = dict(_LABEL.findall(labels))
            if name == "outbox_published_total":
                published[tags["routing_key"]] = published.get(tags["routing_key"], 0) + float(value)
            elif tags.get("outcome") != "retry":  # a retry is a delivery put back, not yet consumed
                consumed[tags["queue"]] = consumed.get(tags["queue"], 0) + float(value)
    lag = {}
    for queue, n in consumed.items():
        key = queue.split(".", 1)[1]
        if key in published and published[key] > n:
            lag[queue] = int(published[key] - n)
    return lag


async def settle(api: Api, plan: Plan, timeout: float = 300.0) -> dict[str, int]:
    """Wait until every consumer has caught up with what was published (or the timeout passes):
    the figures of registry (grants, contracts) and notify (notices) come from events."""
    deadline = time.monotonic() + timeout
    lag: dict[str, int] = {}
    while time.monotonic() < deadline:
        try:
            lag = await backlog(api, len(plan.projects) + len(plan.cancelled))
        except httpx.HTTPError:
            lag = {"(metrics unavailable)": -1}
        if not lag:
            await asyncio.sleep(2)  # the last consumers' outbox rows, and a last look
            lag = await backlog(api, len(plan.projects) + len(plan.cancelled))
            if not lag:
                return lag
        await asyncio.sleep(1)
    return lag


async def collect(api: Api, plan: Plan) -> tuple[list[Row], dict[str, Any]]:
    e = plan.expected
    by_year = await api.get("registry", "/statistics/by-year", params={"from_year": 2007, "to_year": NOW_YEAR})
    first, last = by_year["years"][0]["by_type"], by_year["years"][-1]["by_type"]
    streets = await api.get("registry", "/platforms", params={"level": "street"})
    coverage = await api.get("registry", "/statistics/party-coverage")
    alliance = await api.get("registry", "/alliance")
    support = await api.get("registry", "/statistics/support")
    venture = (await api.get("venture", "/statistics"))["overall"]
    procurement = (await api.get("procurement", "/statistics"))["total"]
    notices = await notices_sent(api)
    members = alliance["members"]
    member_list = members if isinstance(members, list) else [m for ms in members.values() for m in ms]
    categories = {m.get("category") for m in member_list} if member_list and isinstance(member_list[0], dict) else set()
    value = Decimal(procurement["contract_value_cny"])
    rows = [
        Row(
            "registry",
            "社会组织 2007 (社团+民非)",
            ARTICLE["orgs_2007"],
            e["orgs_2007"],
            first["social_association"] + first["private_non_enterprise"],
        ),
        Row("registry", "  社团 2007", ARTICLE["sa_2007"], e["sa_2007"], first["social_association"]),
        Row("registry", "  民非 2007", ARTICLE["pne_2007"], e["pne_2007"], first["private_non_enterprise"]),
        Row(
            "registry",
            f"社会组织 {NOW_YEAR} (社团+民非)",
            ARTICLE["orgs_now"],
            e["orgs_now"],
            last["social_association"] + last["private_non_enterprise"],
        ),
        Row("registry", f"  社团 {NOW_YEAR}", ARTICLE["sa_now"], e["sa_now"], last["social_association"]),
        Row("registry", f"  民非 {NOW_YEAR}", ARTICLE["pne_now"], e["pne_now"], last["private_non_enterprise"]),
        Row(
            "registry",
            "增长 %",
            "108%",
            f"{growth(e):.0f}%",
            f"{Decimal(by_year['growth']['registered_total_pct'] or 0):.0f}%",
        ),
        Row("registry", "街道级平台", ARTICLE["street_platforms"], e["street_platforms"], len(streets)),
        Row("registry", "功能型党支部", ARTICLE["party_branches"], e["party_branches"], coverage["branches"]),
        Row("registry", "创益汇成员", ARTICLE["alliance_members"], e["alliance_members"], len(member_list)),
        Row("registry", "创益汇类别", ARTICLE["alliance_categories"], e["alliance_categories"], len(categories)),
        Row("venture", "公益创投届数", ARTICLE["venture_rounds"], e["venture_rounds"], venture["rounds"]),
        Row(
            "venture",
            "培育社会组织",
            ARTICLE["social_orgs_cultivated"],
            e["social_orgs_cultivated"],
            venture["social_orgs_cultivated"],
        ),
        Row(
            "venture",
            "培育社区社会组织",
            ARTICLE["community_orgs_cultivated"],
            e["community_orgs_cultivated"],
            venture["community_orgs_cultivated"],
        ),
        Row("venture", "其中已登记注册", "20余家", e["community_orgs_graduated"], venture["community_orgs_graduated"]),
        Row("procurement", "购买服务项目", "230余项", e["projects"], procurement["projects"]),
        Row("procurement", "承接组织", "80余家", e["undertakers"], procurement["undertaking_orgs"]),
        Row("procurement", "合同金额 (元)", "2000余万元", f"{e['contract_value_cny']:.2f}", f"{value:.2f}"),
        Row(
            "procurement",
            "受益人次",
            ARTICLE["beneficiary_person_times"],
            e["beneficiary_person_times"],
            procurement.get("beneficiary_person_times"),
        ),
    ]
    raw = {
        "registry": {
            "by_year": by_year,
            "party_coverage": coverage,
            "support": support,
            "street_platforms": len(streets),
        },
        "venture": venture,
        "procurement": procurement,
        "notify": notices,
    }
    return rows, raw


def growth(e: dict[str, object]) -> Decimal:
    a, b = Decimal(str(e["orgs_2007"])), Decimal(str(e["orgs_now"]))
    return (b - a) / a * 100


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object, width: int, *, right: bool = True) -> str:
    text = str(value)
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


def render(rows: list[Row], raw: dict[str, Any], seconds: float, calls: int) -> str:
    """The figures side by side: the article's, the scaled story's, and what the services report."""
    width = max(_width(r.label) for r in rows) + 2
    head = _cell("service", 12, right=False) + _cell("figure", width, right=False)
    lines = ["", head + _cell("article", 12) + _cell("expected", 14) + _cell("system", 14), "-" * (12 + width + 44)]
    for r in rows:
        lines.append(
            _cell(r.service, 12, right=False)
            + _cell(r.label, width, right=False)
            + _cell(r.article, 12)
            + _cell(r.expected, 14)
            + _cell(r.actual, 14)
            + ("  ok" if r.ok else "  ≠ differs")
        )
    notices = dict(raw["notify"])
    lines += ["", f"notify: notices sent (from {notices.pop('source')}):"]
    lines += [f"  {k}: {v}" for k, v in notices.items()]
    support, coverage = raw["registry"]["support"], raw["registry"]["party_coverage"]
    lines += [
        "",
        f"registry heard of {support.get('grants', {}).get('count')} venture grants and "
        f"{support.get('contracts', {}).get('count')} procurement contracts (from their events)",
        f"party coverage: {coverage['covered_orgs']} of {coverage['active_orgs']} active organisations "
        f"(filed community groups included) in {coverage['branches']} branches",
        f"{calls} HTTP calls in {seconds:.0f} s; chapters (s, venture and procurement overlap): {raw.get('phases')}",
    ]
    if raw.get("backlog"):
        lines.append(f"still being consumed when the figures were read (queue: events): {raw['backlog']}")
    return "\n".join(lines)
