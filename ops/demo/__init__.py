"""The article, replayed: drive the running system as its users would and compare its figures.

python -m ops.demo                 # against `make run` (ports 8001-8004, vhost /)
python -m ops.demo --scale 0.1     # a tenth of the story (tests)
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from ops.demo.client import Api, District, Endpoints
from ops.demo.figures import Row, collect, render, settle
from ops.demo.plan import Plan, build
from ops.demo.story import NotFresh, Story

__all__ = ["Endpoints", "NotFresh", "Result", "run"]


@dataclass
class Result:
    plan: Plan
    rows: list[Row]
    raw: dict[str, Any]
    seconds: float
    calls: int
    text: str = field(default="")

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)


def estimate_calls(plan: Plan) -> int:
    """Roughly how many HTTP calls the story makes (for the progress bar)."""
    orgs = len(plan.orgs)
    venture = sum(
        12 + len(r.applications) * 6 + 10 * sum(a.outcome == "funded" for a in r.applications) for r in plan.rounds
    )
    projects = sum(16 + 4 * len(p.competitors) + 4 * len(p.competitors) for p in plan.projects) + len(plan.projects)
    return orgs + venture + projects + len(plan.branches) * 5 + len(plan.alliance) + 30


async def run(
    endpoints: Endpoints, *, scale: float = 1.0, seed: int = 2007, concurrency: int = 12, progress: bool = True
) -> Result:
    plan = build(scale, seed)
    started = time.monotonic()
    bar = tqdm(total=estimate_calls(plan), unit="call", disable=not progress, dynamic_ncols=True)
    api = Api(endpoints, concurrency=concurrency, tick=bar.update)
    try:
        story = Story(api, plan)
        await story.check_fresh()
        bar.set_description("registry: roster, platforms")
        await story.registry()
        bar.set_description("venture: six rounds")
        await story.venture()
        bar.set_description("registry: graduations, party, alliance")
        await story.graduations()
        await story.party_and_alliance()
        bar.set_description("procurement: 10 steps")
        async with District(endpoints) as district:
            await story.procurement(district)
        bar.set_description("waiting for events to settle")
        await settle(api, plan)
        bar.total = bar.n
        bar.set_description("done")
        bar.refresh()
        rows, raw = await collect(api, plan)
    finally:
        bar.close()
        await api.close()
    seconds = time.monotonic() - started
    result = Result(plan, rows, raw, seconds, api.calls)
    result.text = render(rows, dict(raw), seconds, api.calls)
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m ops.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=env("DEMO_REGISTRY_URL", "http://127.0.0.1:8001"))
    parser.add_argument("--venture", default=env("DEMO_VENTURE_URL", "http://127.0.0.1:8002"))
    parser.add_argument("--procurement", default=env("DEMO_PROCUREMENT_URL", "http://127.0.0.1:8003"))
    parser.add_argument("--notify", default=env("DEMO_NOTIFY_URL", "http://127.0.0.1:8004"))
    parser.add_argument(
        "--amqp",
        default=env("DEMO_AMQP_URL", "amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/"),
        help="a district system's RabbitMQ login (it may publish district.* only)",
    )
    parser.add_argument("--amqp-user", default=env("DEMO_AMQP_USER", "district-demo"))
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the story (1.0 = the article)")
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--concurrency", type=int, default=12, help="HTTP requests in flight")
    args = parser.parse_args(argv)
    endpoints = Endpoints(args.registry, args.venture, args.procurement, args.notify, args.amqp, args.amqp_user)
    try:
        result = asyncio.run(run(endpoints, scale=args.scale, seed=args.seed, concurrency=args.concurrency))
    except NotFresh as exc:
        print(f"ops.demo: {exc}")
        return 2
    print(result.text)
    return 0 if result.ok else 1
