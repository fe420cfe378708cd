"""The article, replayed: drive the running system as its users would and compare its figures.

python -m ops.demo                 # against `make run` (ports 8001-8004, vhost /)
python -m ops.demo --scale 0.1     # a tenth of the story (tests)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from ops.demo import community
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
    """How many HTTP calls the story makes (for the progress bar)."""
    venture = sum(
        20
        + 2 * len(r.applications)
        + 3 * sum(a.outcome != "screened_out" for a in r.applications)
        + 9 * sum(a.outcome == "funded" for a in r.applications)
        for r in plan.rounds
    )
    projects = sum(26 + 5 * len(p.competitors) for p in plan.projects)
    party = 6 * len(plan.branches)  # forming, then attaching the later-registered year by year
    graduations = sum(1 for o in plan.orgs if o.graduation)
    programmes = community.build(plan.scale)
    extra = 4 * sum(programmes.items) + 3 * sum(programmes.groups) + 50
    return len(plan.orgs) + venture + projects + party + len(plan.alliance) + graduations + 10 + extra


class _Phases:
    """Wall-clock time of each chapter (they overlap: venture and procurement run side by side)."""

    def __init__(self, bar: tqdm) -> None:  # type: ignore[type-arg]
        self.bar = bar
        self.seconds: dict[str, float] = {}
        self.running: list[str] = []

    async def __call__(self, name: str, work: Awaitable[None]) -> None:
        started = time.monotonic()
        self.running.append(name)
        self.bar.set_description(" + ".join(self.running))
        try:
            await work
        finally:
            self.running.remove(name)
            self.bar.set_description(" + ".join(self.running) or "done")
            self.seconds[name] = time.monotonic() - started


async def run(
    endpoints: Endpoints, *, scale: float = 1.0, seed: int = 2007, concurrency: int = 24, progress: bool = True
) -> Result:
    """Replay the story against the running system and read back every service's figures."""
    plan = build(scale, seed)
    started = time.monotonic()
    bar = tqdm(total=estimate_calls(plan), unit="call", disable=not progress, dynamic_ncols=True)
    api = Api(endpoints, concurrency=concurrency, tick=bar.update)
    phase = _Phases(bar)
    try:
        story = Story(api, plan)
        await story.check_fresh()
        await phase("registry", story.registry())

        async def cultivation() -> None:
            # Venture's demo clock is one per service, so its rounds go year by year; the
            # registry's graduations and party branches follow the rounds they depend on.
            await phase("venture", story.venture())
            await phase("graduation", story.graduations())
            await phase("party+alliance", story.party_and_alliance())

        async def purchase() -> None:
            async with District(endpoints) as district:
                await phase("procurement", story.procurement(district))

        # Purchased services (per-request demo dates) run beside the venture rounds.
        await asyncio.gather(cultivation(), purchase())
        # The community programmes (issue 17): 五色土's claiming, 崇外's street rounds.
        programmes = community.CommunityChapter(api, plan, story.ids, community.build(scale, seed))
        await phase("community", programmes.run())
        lag: dict[str, int] = {}

        async def settling() -> None:
            lag.update(await settle(api, plan))

        await phase("events settle", settling())
        bar.total = bar.n
        bar.refresh()
        rows, raw = await collect(api, plan)
        community_rows, raw["community"] = await programmes.figures()
        rows += community_rows
    finally:
        bar.close()
        await api.close()
    seconds = time.monotonic() - started
    raw["phases"] = {k: round(v, 1) for k, v in phase.seconds.items()}
    raw["backlog"] = lag
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
    parser.add_argument("--concurrency", type=int, default=24, help="HTTP requests in flight")
    args = parser.parse_args(argv)
    endpoints = Endpoints(args.registry, args.venture, args.procurement, args.notify, args.amqp, args.amqp_user)
    try:
        result = asyncio.run(run(endpoints, scale=args.scale, seed=args.seed, concurrency=args.concurrency))
    except NotFresh as exc:
        print(f"ops.demo: {exc}")
        return 2
    print(result.text)
    return 0 if result.ok else 1
