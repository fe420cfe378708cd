"""Reconciliation after a fault-injection run: from the databases and the broker, account for
every accepted command, every outbox row, every consumed event and every poison message."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import asyncpg

from bench.drivers import DISTRICT_SOURCE, admin_url
from ops.system import ADMIN_DSN, System


@dataclass
class Poison:
    message_id: str
    routing_key: str
    kind: str


@dataclass
class Ledger:
    """What the test did: the commands the system accepted and the poison it was fed."""

    run: int
    demands: dict[str, str] = field(default_factory=dict)  # demand_ref -> event_id (confirmed by the broker)
    demand_unconfirmed: set[str] = field(default_factory=set)
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {org_id, code, kind}
    names: dict[str, str] = field(default_factory=dict)  # org_id -> name after the last accepted update
    refused: Counter[str] = field(default_factory=Counter)
    poison: list[Poison] = field(default_factory=list)
    external: list[tuple[str, str]] = field(default_factory=list)  # (event_id, routing_key) not from an outbox
    counts: Counter[str] = field(default_factory=Counter)
    # Dead letters and unrouted messages read (and acked) so far: a later reconciliation still sees them.
    parked: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))


async def _queues(vhost: str) -> dict[str, int]:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages", "--no-table-headers",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    result = {}
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            result[parts[0]] = int(parts[1])
    return result


def subscriptions(queues: dict[str, int], services: list[str]) -> dict[str, list[str]]:
    """routing key -> the services consuming it, read from the queue names `<service>.<routing key>`."""
    subs: dict[str, list[str]] = defaultdict(list)
    for q in queues:
        for s in services:
            if q.startswith(f"{s}.") and q != f"{s}.dlq":
                subs[q[len(s) + 1 :]].append(s)
    return subs


async def _admin(system: System, service: str) -> asyncpg.Connection:
    """A superuser connection to the service's database (the service role may not be enough)."""
    db = system[service].dsn.rsplit("/", 1)[1]
    return await asyncpg.connect(ADMIN_DSN.rsplit("/", 1)[0] + "/" + db)


async def _depths(vhost: str, names: list[str]) -> dict[str, int]:
    """Ready messages per queue by passive declare: cheap, unlike a rabbitmqctl call per poll."""
    conn = await aio_pika.connect(admin_url(vhost))
    try:
        out = {}
        for name in names:
            channel = await conn.channel()
            try:
                q = await channel.declare_queue(name, passive=True)
                out[name] = int(q.declaration_result.message_count or 0)
            except aio_pika.exceptions.ChannelClosed:
                out[name] = 0  # gone: nothing waits in it
            finally:
                if not channel.is_closed:
                    await channel.close()
        return out
    finally:
        await conn.close()


async def drain(system: System, vhost: str, *, timeout: float = 240.0) -> float:
    """Wait until every outbox is empty and every consumer queue is empty, three times in a row."""
    started = time.monotonic()
    names = [q for q in await _queues(vhost) if not q.endswith(".dlq") and q != "events.unrouted"]
    names = [q for q in names if any(q.startswith(f"{s}.") for s in system.services)]
    calm = 0
    while True:
        pending = 0
        for name in system.services:
            conn = await _admin(system, name)
            try:
                pending += int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            finally:
                await conn.close()
        busy = {q: n for q, n in (await _depths(vhost, names)).items() if n}
        calm = calm + 1 if pending == 0 and not busy else 0
        if calm >= 3:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            print(f"drain timed out: outbox pending={pending}, busy queues={busy}")
            return time.monotonic() - started
        await asyncio.sleep(1.0)


async def _read_parked(ledger: Ledger, vhost: str, names: list[str]) -> None:
    """Move what sits in the dead-letter queues and events.unrouted into the ledger (ack them)."""
    conn = await aio_pika.connect(admin_url(vhost))
    try:
        channel = await conn.channel()
        for qname in names:
            try:
                queue = await channel.get_queue(qname, ensure=True)
            except aio_pika.exceptions.ChannelClosed:
                channel = await conn.channel()
                continue
            while (msg := await queue.get(no_ack=False, fail=False)) is not None:
                headers = dict(msg.headers or {})
                ledger.parked[qname][msg.message_id or f"no-id-{len(ledger.parked[qname])}"] = {
                    "reason": str(headers.get("x-error-reason", "")),
                    "routing_key": str(headers.get("x-original-routing-key", msg.routing_key or "")),
                    "size": len(msg.body),
                }
                await msg.ack()
    finally:
        await conn.close()


@dataclass
class Report:
    counts: dict[str, int]
    problems: list[str]

    def print(self, title: str) -> None:
        print(f"\n== reconciliation: {title}")
        width = max(len(k) for k in self.counts)
        for k, v in self.counts.items():
            print(f"   {k:<{width}}  {v:>8}")
        print(f"   {'unaccounted / problems':<{width}}  {len(self.problems):>8}")
        for p in self.problems[:40]:
            print(f"   ! {p}")


async def reconcile(system: System, ledger: Ledger, vhost: str) -> Report:
    services = list(system.services)
    drained = await drain(system, vhost)
    queues = await _queues(vhost)
    subs = subscriptions(queues, services)
    await _read_parked(ledger, vhost, [f"{s}.dlq" for s in services] + ["events.unrouted"])
    counts: dict[str, int] = {"drain seconds": round(drained)}
    problems: list[str] = []

    conns = {s: await _admin(system, s) for s in services}
    try:
        # 1. every outbox row published
        outbox: dict[str, list[asyncpg.Record]] = {}
        for s, c in conns.items():
            outbox[s] = await c.fetch("SELECT event_id, routing_key, published_at FROM outbox")
            unpublished = sum(1 for r in outbox[s] if r["published_at"] is None)
            counts[f"outbox rows {s}"] = len(outbox[s])
            if unpublished:
                problems.append(f"{s}: {unpublished} outbox rows never published")

        # 2. every published event in each subscribed consumer's inbox
        inbox = {
            s: {
                (str(r["event_id"]), r["routing_key"]) for r in await c.fetch("SELECT event_id, routing_key FROM inbox")
            }
            for s, c in conns.items()
        }
        produced = [(str(r["event_id"]), r["routing_key"]) for rows in outbox.values() for r in rows]
        expected = missing = 0
        missing_by: Counter[str] = Counter()
        for event_id, key in produced + ledger.external:
            for consumer in subs.get(key, []):
                expected += 1
                if (event_id, key) not in inbox[consumer]:
                    missing += 1
                    missing_by[f"{key} -> {consumer}"] += 1
        counts["event deliveries expected"] = expected
        counts["event deliveries in inboxes"] = expected - missing
        for what, n in missing_by.most_common():
            problems.append(f"{n} events {what} not in the consumer's inbox")

        # 3. accepted demands: exactly one demand, one answer, the notices
        p = conns["procurement"]
        rows = await p.fetch("SELECT demand_ref, count(*) AS n FROM demands WHERE source_system = $1 GROUP BY 1",
                             DISTRICT_SOURCE)  # fmt: skip
        present = {r["demand_ref"]: r["n"] for r in rows}
        answers = Counter(
            r["ref"]
            for r in await p.fetch(
                """SELECT payload->>'demand_ref' AS ref FROM outbox
                   WHERE routing_key = 'procurement.demand_accepted.v1' AND payload->>'source_system' = $1""",
                DISTRICT_SOURCE,
            )
        )
        mine = [ref for ref in ledger.demands]
        counts["demands accepted by the broker"] = len(mine)
        counts["demands stored once"] = sum(1 for ref in mine if present.get(ref) == 1)
        counts["demands answered once"] = sum(1 for ref in mine if answers.get(ref) == 1)
        for ref in mine:
            if present.get(ref) != 1 or answers.get(ref) != 1:
                problems.append(f"demand {ref}: stored {present.get(ref, 0)}x, answered {answers.get(ref, 0)}x")
        extra = [ref for ref in present if ref.startswith(f"R{ledger.run}-") and ref not in ledger.demands]
        extra = [ref for ref in extra if ref not in ledger.demand_unconfirmed]
        if extra:
            problems.append(f"{len(extra)} demands stored that nobody published: {extra[:5]}")
        notices = await conns["notify"].fetchval(
            """SELECT count(DISTINCT n.source_id) FROM notices n
               WHERE n.routing_key = 'procurement.demand_accepted.v1' AND n.recipient_kind = 'district_system'
                 AND n.recipient_key = $1 AND n.channel = 'inbox'""",
            DISTRICT_SOURCE,
        )
        answered = sum(1 for v in answers.values() if v)
        counts["demand answers notified (in-app)"] = int(notices)
        if notices < answered:
            problems.append(f"{answered - notices} demand answers without an in-app notice")

        # 4. accepted registry commands: each org once, its last change applied, read models current
        registry = {
            r["name"]: r
            for r in await conns["registry"].fetch(
                "SELECT org_id, name, version, credit_code FROM orgs WHERE name LIKE $1", f"系统测试%-R{ledger.run}-%"
            )
        }
        by_id = {str(r["org_id"]): r for r in registry.values()}
        counts["orgs accepted"] = len(ledger.orgs)
        dupes = await conns["registry"].fetch(
            "SELECT name, count(*) AS n FROM orgs WHERE name LIKE $1 GROUP BY 1 HAVING count(*) > 1",
            f"%-R{ledger.run}-%",
        )
        for r in dupes:
            problems.append(f"org {r['name']} exists {r['n']} times")
        accepted_ids = {o["org_id"] for o in ledger.orgs.values()}
        for name, o in ledger.orgs.items():
            final = ledger.names.get(o["org_id"], name)
            row = by_id.get(o["org_id"])
            if row is None:
                problems.append(f"org {name} accepted but absent")
            elif row["name"] != final:
                problems.append(f"org {name}: name {row['name']!r}, last accepted change {final!r}")
        stray = [r["name"] for r in registry.values() if str(r["org_id"]) not in accepted_ids]
        if stray:
            problems.append(f"{len(stray)} orgs exist that no accepted command created: {stray[:5]}")
        counts["profile updates accepted"] = ledger.counts["updates"]
        versions = {oid: r["version"] for oid, r in by_id.items()}
        models = {
            "venture": "SELECT org_id::text AS id, version FROM orgs",
            "procurement": "SELECT org_id::text AS id, version FROM orgs",
            "notify": "SELECT key AS id, version FROM directory WHERE kind = 'org'",
        }
        for s, sql in models.items():
            seen = {r["id"]: r["version"] for r in await conns[s].fetch(sql)}
            current = sum(1 for oid, v in versions.items() if seen.get(oid) == v)
            counts[f"orgs current in {s}"] = current
            if current != len(versions):
                behind = [oid for oid, v in versions.items() if seen.get(oid) != v]
                problems.append(f"{s}: {len(behind)} orgs missing or at an old version, e.g. {behind[:3]}")

        # 5. poison: each copy dead-lettered with a reason, answered, or parked as unrouted
        rejected = {r["message_id"] for r in await p.fetch("SELECT message_id FROM rejected_messages")}
        poison_ids = {x.message_id for x in ledger.poison}
        accounted = 0
        for x in ledger.poison:
            consumers = subs.get(x.routing_key, [])
            if not consumers:
                ok = x.message_id in ledger.parked["events.unrouted"]
                where = "events.unrouted"
            else:
                ok, where = True, ""
                for s in consumers:
                    dl = ledger.parked[f"{s}.dlq"].get(x.message_id)
                    if (dl and dl["reason"]) or (s == "procurement" and x.message_id in rejected):
                        continue
                    ok, where = False, s
            accounted += ok
            if not ok:
                problems.append(f"poison {x.kind} {x.message_id} ({x.routing_key}) not accounted for at {where}")
        counts["poison messages sent"] = len(ledger.poison)
        counts["poison messages accounted"] = accounted
        counts["poison answered by procurement"] = len(poison_ids & rejected)
        for q, msgs in ledger.parked.items():
            counts[f"parked in {q}"] = len(msgs)
            if q == "events.unrouted":
                continue
            legit = {mid: m for mid, m in msgs.items() if mid not in poison_ids}
            for mid, m in list(legit.items())[:10]:
                problems.append(f"{q}: dead letter {mid} ({m['routing_key']}) is not poison: {m['reason'][:200]}")
            if len(legit) > 10:
                problems.append(f"{q}: {len(legit) - 10} more dead letters that are not poison")
    finally:
        for c in conns.values():
            await c.close()
    return Report(counts, problems)


def dumps(report: Report) -> str:
    return json.dumps({"counts": report.counts, "problems": report.problems}, ensure_ascii=False, indent=1)
