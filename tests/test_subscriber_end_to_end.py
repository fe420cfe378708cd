"""A new subscribing system joins with nothing but the documentation (docs/events.md) and the
example client (examples/subscriber_client.py): its provisioned broker user, its own queue bound to
the keys the docs list for it, its history from the beginning of the epoch, then live events,
deduplicated by event_id — and its totals equal the services' own statistics. The same system is
refused when it binds a key it is not entitled to.

The story before it subscribes is the demo's (ops.demo at a small scale, through the running
services); the live part adds community platforms over HTTP."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from decimal import Decimal

import aiormq
import httpx
import pytest

from examples.subscriber_client import Subscriber
from ops.demo import Endpoints, run
from ops.system import ROOT, System, present
from testkit import namespaced, token

VHOST = namespaced("sogc_demo")
BASE_PORT = int(os.environ.get("SUBSCRIBER_TEST_BASE_PORT", "18300"))
USER = "district-dataplatform"
URL = f"amqp://{USER}:{USER}-dev-password@127.0.0.1:5672/{VHOST}"
ADMIN = token("district_admin", sub="alice")


def documented_keys(system: str) -> list[str]:
    """The keys docs/events.md lists for `system` in its table of subscribing systems."""
    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(f"| `{system}` |"))
    return re.findall(r"`([a-z_]+\.[a-z_]+\.v\d+)`", row)


@pytest.fixture(scope="module")
async def system() -> AsyncIterator[System]:
    if sorted(present()) != sorted(["registry", "venture", "procurement", "notify"]):
        pytest.skip(f"the proof needs all four services, found {present()}")
    running = System(
        suffix="subscriber",
        base_port=BASE_PORT,
        vhost=VHOST,
        log_dir=ROOT / "var" / "system-logs" / "subscriber",
        demo_mode=True,
    )
    try:
        await running.start()
        yield running
    finally:
        running.stop()


async def test_a_new_subscriber_rebuilds_the_services_totals_from_history_then_live_events(system):
    keys = documented_keys(USER)
    assert "procurement.project_signed.v1" in keys and "registry.platform_established.v1" in keys
    endpoints = Endpoints(
        registry=system["registry"].url,
        venture=system["venture"].url,
        procurement=system["procurement"].url,
        notify=system["notify"].url,
        amqp=f"amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/{VHOST}",
    )
    await run(endpoints, scale=0.1, progress=False)  # the years before the system subscribes

    # Not entitled: refused by the broker, whatever it tries.
    for key in ("registry.org_registered.v1", "console.account_invited.v1", "procurement.#", "#"):
        async with Subscriber(URL, USER, [key], queue="probe") as refused:
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await refused.bind()

    async with Subscriber(URL, USER, keys) as subscriber:
        await subscriber.bind()
        read = await subscriber.read_history()
        assert subscriber.epoch is not None, "the history begins with the archive's epoch marker"
        from_history = dict(subscriber.events)
        assert read == len(from_history) + 1 and subscriber.duplicates == 0

        async with httpx.AsyncClient(base_url=system["registry"].url, timeout=30) as registry:
            for name in ("北新桥社区服务站", "东四十条社区服务站"):
                made = await registry.post(
                    "/platforms/community", json={"street_code": "110101005", "name": name}, headers=ADMIN
                )
                assert made.status_code == 201, made.text
        live = 0
        while live < 2:  # the two platforms, after the live queue's copies of the history's tail
            await subscriber.consume_live(idle_seconds=3)
            live = len(subscriber.events) - len(from_history)
        assert live == 2

        # Reading the history again (from the start, as often as it likes) adds nothing: the same event_ids.
        subscriber.next_offset = None
        before = subscriber.duplicates
        await subscriber.read_history()
        assert subscriber.duplicates - before == len(from_history) + 2
        events = subscriber.events

    def of(key: str) -> list[dict]:  # type: ignore[type-arg]
        return [body for k, body in events.values() if k == key]

    cancelled = {e["project_id"] for e in of("procurement.project_cancelled.v1")}
    signed = [e for e in of("procurement.project_signed.v1") if e["project_id"] not in cancelled]
    async with httpx.AsyncClient(timeout=30) as http:
        stats = (await http.get(f"{system['procurement'].url}/statistics")).json()["total"]
        rounds = await http.get(f"{system['venture'].url}/rounds")
        platforms = await http.get(f"{system['registry'].url}/platforms", headers=ADMIN)
    assert signed and stats["projects"] == len(signed)
    assert Decimal(stats["contract_value_cny"]) == sum(Decimal(e["amount_cny"]) for e in signed)
    evaluated = of("procurement.project_evaluated.v1")
    assert stats["beneficiary_person_times"] == sum(e["beneficiary_person_times"] for e in evaluated)
    assert int(rounds.headers["X-Total-Count"]) == len(of("venture.round_opened.v1")) > 0
    assert int(platforms.headers["X-Total-Count"]) == len(of("registry.platform_established.v1")) >= 20
