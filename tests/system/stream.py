"""A paced stream of mixed work for the fault-injection tests: district demands published as
the district system, registry commands over HTTP (registrations, filings, profile updates)
and, optionally, poison messages."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench.drivers import Commands, Publisher, admin_url, demand, district_url, new_code
from tests.system.reconcile import Ledger, Poison

MIX = (("demand", 0.55), ("register", 0.25), ("file", 0.08), ("update", 0.12))


@dataclass
class StreamResult:
    items: int
    seconds: float
    fault: str
    publish_retries: int
    unknown_outcomes: int

    def print(self, title: str) -> None:
        print(
            f"\n== {title}: {self.items} items in {self.seconds:.1f} s ({self.items / self.seconds:.0f}/s); "
            f"fault: {self.fault}; unconfirmed publishes retried: {self.publish_retries}; "
            f"HTTP commands with an unknown outcome: {self.unknown_outcomes}"
        )


class Stream:
    def __init__(self, ledger: Ledger, registry_url: str, vhost: str, *, seed: int = 7) -> None:
        self.ledger, self.registry_url, self.vhost = ledger, registry_url, vhost
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
        self.idle_orgs: list[str] = []  # registered org ids with no update in flight
        self.recent_demands: list[dict[str, Any]] = []

    async def run(
        self,
        n: int,
        *,
        rate: float,
        fault: Callable[[], Awaitable[str]] | None = None,
        fault_at: float = 0.25,
        poison_every: int = 0,
        workers: int = 24,
    ) -> StreamResult:
        """Release `n` items at `rate`/s to `workers`; start `fault` after `fault_at` of the stream."""
        queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue()
        fault_text = "none"
        async with (
            httpx.AsyncClient(base_url=self.registry_url) as client,
            Publisher(district_url(self.vhost)) as district,
            Publisher(admin_url(self.vhost)) as admin,
        ):
            commands = Commands(client)

            async def worker() -> None:
                while (item := await queue.get()) is not None:
                    await self._one(item, commands, district, admin)

            tasks = [asyncio.create_task(worker()) for _ in range(workers)]
            fault_task: asyncio.Task[str] | None = None
            started = time.monotonic()
            for i in range(n):
                await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
                if fault is not None and fault_task is None and i >= n * fault_at:
                    fault_task = asyncio.create_task(fault())
                kind = "poison" if poison_every and i % poison_every == poison_every - 1 else self._pick()
                queue.put_nowait((i, kind))
            for _ in tasks:
                queue.put_nowait(None)
            await asyncio.gather(*tasks)
            if fault_task is not None:
                fault_text = await fault_task
            elapsed = time.monotonic() - started
            return StreamResult(n, elapsed, fault_text, district.retries + admin.retries, commands.unknown_outcomes)

    def _pick(self) -> str:
        x, acc = self.rng.random(), 0.0
        for kind, share in MIX:
            acc += share
            if x < acc:
                return kind
        return MIX[0][0]

    async def _one(self, item: tuple[int, str], commands: Commands, district: Publisher, admin: Publisher) -> None:
        _i, kind = item
        led = self.ledger
        serial = led.counts["serial"] = led.counts["serial"] + 1
        if kind == "update" and not self.idle_orgs:
            kind = "register"
        if kind == "demand":
            ref = f"R{led.run}-{serial:06d}"
            body = demand(ref, title=f"居家养老助餐服务 {serial}")
            led.demand_unconfirmed.add(ref)
            await district.publish_demand(body)
            led.demand_unconfirmed.discard(ref)
            led.demands[ref] = body["event_id"]
            led.external.append((body["event_id"], "district.demand_published.v1"))
            self.recent_demands.append(body)
        elif kind == "register":
            name = f"系统测试组织-R{led.run}-{serial:06d}"
            out = await commands.register(name, new_code(led.run, serial))
            self._record(name, out, "registered")
        elif kind == "file":
            name = f"系统测试互助队-R{led.run}-{serial:06d}"
            out = await commands.file(name)
            self._record(name, out, "filed")
        elif kind == "update":
            org_id = self.idle_orgs.pop(self.rng.randrange(len(self.idle_orgs)))
            old = next(n for n, o in led.orgs.items() if o["org_id"] == org_id)
            new = f"{old.split('（')[0]}（更名{serial}）"
            out = await commands.update_profile(org_id, name=new)
            if out.accepted:
                led.names[org_id] = new
                led.counts["updates"] += 1
            else:
                led.refused[f"update {out.status}"] += 1
            self.idle_orgs.append(org_id)
        else:
            await self._poison(serial, district, admin)

    def _record(self, name: str, out: Any, kind: str) -> None:
        if out.accepted:
            self.ledger.orgs[name] = {"org_id": out.body["org_id"], "kind": kind}
            if kind == "registered":
                self.idle_orgs.append(out.body["org_id"])
        else:
            self.ledger.refused[f"{kind} {out.status}"] += 1

    async def _poison(self, serial: int, district: Publisher, admin: Publisher) -> None:
        """One of the poison kinds, round-robin."""
        kinds = ["malformed_json", "wrong_schema", "wrong_schema_registry", "unknown_version", "not_utf8", "huge"]
        kind = kinds[serial % len(kinds)]
        mid = str(uuid.uuid4())
        if kind == "malformed_json":
            key, body, pub = "district.demand_published.v1", b'{"event_id": "x", "demand_ref": ', district
        elif kind == "wrong_schema":
            bad = demand(f"P{self.ledger.run}-{serial}", budget_cny="lots", purchaser={"code": 7})
            key, body, pub = "district.demand_published.v1", json.dumps(bad).encode(), district
        elif kind == "wrong_schema_registry":
            bad = {"event_id": mid, "occurred_at": "yesterday", "org": {"org_id": "not-a-uuid"}}
            key, body, pub = "registry.org_registered.v1", json.dumps(bad).encode(), admin
        elif kind == "unknown_version":
            key, body, pub = "registry.org_registered.v99", json.dumps({"event_id": mid}).encode(), admin
        elif kind == "not_utf8":
            key, body, pub = "district.demand_published.v1", b"\xff\xfe\x00garbage\x81", district
        else:  # 900 KB of JSON that is no demand: under the broker's 1 MiB limit, over the contract's 64 KiB
            key, body, pub = "district.demand_published.v1", json.dumps({"blob": "字" * 150_000}).encode(), district
        await pub.publish(body, key, message_id=mid)
        self.ledger.poison.append(Poison(mid, key, kind))
