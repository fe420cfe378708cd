"""The system benchmark: the four services as processes against the raw aio-pika baseline, in
one run on the same broker and database server.

    .venv/bin/python -m bench.system            # or: make bench
    .venv/bin/python -m bench.system --runs 1 --demands 500 --orgs 200 --import-rows 0   # quick look

Measured, each the median of `--runs` runs:
  raw        bench/raw.py: publish with confirms → quorum queue → consume with ack, one hop
  demands    a district system publishes demands at full speed; end to end = publish start →
             procurement accepted it → notify wrote the district system's in-app notice
  orgs       registrations over HTTP (16 in flight) to registry; end to end = request start →
             the org is in venture's and notify's read models (the later of the two)
  *@100/s    the same, paced at 100 per second (`--paced-rate` for another pace)
then each service's peak RSS (VmHWM) and one bulk import of `--import-rows` organisations
through registry's HTTP CSV import. Latencies come from the databases' commit-time clocks
(same machine), throughput = messages / (last arrival − first send).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx

from bench import cpu
from bench.drivers import ADMIN, Publisher, admin_url, demand, district_url
from bench.raw import one_hop
from ops.system import ADMIN_DSN, ROOT, VHOST, System

TARGETS = {"ratio": 0.4, "p99_at_100_ms": 100.0, "rss_mb": 150.0, "import_s": 60.0}


@dataclass
class Measure:
    name: str
    messages: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


async def _db(system: System, service: str) -> asyncpg.Connection:
    db = system[service].dsn.rsplit("/", 1)[1]
    return await asyncpg.connect(ADMIN_DSN.rsplit("/", 1)[0] + "/" + db)


async def _until(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the system did not finish in time")
        await asyncio.sleep(0.5)  # arrival times come from the rows, not from this poll


async def _max_outbox_id(system: System, service: str) -> int:
    conn = await _db(system, service)
    try:
        return int(await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox"))
    finally:
        await conn.close()


async def quiet(system: System) -> None:
    """Wait until no outbox has pending rows and no consumer queue has messages waiting, so one
    measurement does not overlap the next (work left in a queue would be paid by the next phase)."""
    from ops.status import _queue, _service_config

    conns = [await _db(system, s) for s in system.services]
    queues = [name for s in system.services for name in _service_config(s)[1]]
    amqp = await aio_pika.connect(admin_url(VHOST))
    try:

        async def empty() -> bool:
            for c in conns:
                if await c.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                    return False
            for name in queues:
                if (await _queue(amqp, name)).messages:
                    return False
            return True

        await _until(empty, 900)
        await asyncio.sleep(1.0)
    finally:
        await amqp.close()
        for c in conns:
            await c.close()


async def demands(system: System, run: str, n: int, *, rate: float | None = None, window: int = 256) -> Measure:
    """District demands at full speed (`window` unconfirmed in flight) or paced at `rate`/s."""
    sent: dict[str, float] = {}
    sem = asyncio.Semaphore(window)
    # Polled while the phase runs: only this phase's outbox rows (the id range), so the
    # benchmark's own queries stay a small, constant load on PostgreSQL.
    first_id = await _max_outbox_id(system, "procurement")
    async with Publisher(district_url(VHOST)) as pub:

        async def send(i: int) -> None:
            async with sem:
                ref = f"{run}-{i:06d}"
                body = demand(ref)
                sent[ref] = time.time()
                await pub.publish_demand(body)

        started = time.perf_counter()
        tasks = []
        for i in range(n):
            if rate:
                await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(send(i)))
        await asyncio.gather(*tasks)
    notify, procurement = await _db(system, "notify"), await _db(system, "procurement")
    try:
        like = f"{run}-%"

        async def answers() -> list[asyncpg.Record]:
            return await procurement.fetch(
                """SELECT event_id, payload->>'demand_ref' AS ref FROM outbox
                   WHERE id > $2 AND routing_key = 'procurement.demand_accepted.v1'
                   AND payload->>'demand_ref' LIKE $1""",
                like,
                first_id,
            )

        async def all_noticed() -> bool:
            ids = [r["event_id"] for r in await answers()]
            if len(ids) < n:
                return False
            got = await notify.fetchval(
                """SELECT count(*) FROM notices WHERE source_id = ANY($1::uuid[])
                   AND recipient_kind = 'district_system' AND channel = 'inbox'""",
                ids,
            )
            return bool(got >= n)

        await _until(all_noticed, 600)
        ref_of = {r["event_id"]: r["ref"] for r in await answers()}
        rows = await notify.fetch(
            """SELECT source_id, created_at FROM notices WHERE source_id = ANY($1::uuid[])
               AND recipient_kind = 'district_system' AND channel = 'inbox'""",
            list(ref_of),
        )
    finally:
        await notify.close()
        await procurement.close()
    arrived = {ref_of[r["source_id"]]: r["created_at"].timestamp() for r in rows}
    lat = [(arrived[ref] - t) * 1000 for ref, t in sent.items()]
    return Measure("demands", n, max(arrived.values()) - min(sent.values()), lat)


async def orgs(system: System, run: str, n: int, *, rate: float | None = None, window: int = 16) -> Measure:
    """Registrations over HTTP; arrival = the later of venture's and notify's read-model write."""
    from registry.domain.uscc import make_code

    sent: dict[str, float] = {}
    sem = asyncio.Semaphore(window)
    async with httpx.AsyncClient(base_url=system["registry"].url, timeout=60) as client:

        async def register(i: int) -> None:
            async with sem:
                t = time.time()
                body = {
                    "name": f"基准组织-{run}-{i:06d}",
                    "org_type": "private_non_enterprise",
                    "credit_code": make_code("52", "110101", f"{_prefix(run)}{i:06d}"),
                    "registered_on": "2015-06-01",
                    "street_code": "110101006",
                    "domains": ["elder_care"],
                    "contact": {"name": "王敏", "email": "bench@example.org"},
                }
                r = await client.post("/orgs", json=body, headers=ADMIN)
                r.raise_for_status()
                sent[r.json()["org_id"]] = t

        started = time.perf_counter()
        tasks = []
        for i in range(n):
            if rate:
                await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(register(i)))
        await asyncio.gather(*tasks)
    venture, notify = await _db(system, "venture"), await _db(system, "notify")
    try:
        ids = list(sent)

        async def arrived_everywhere() -> bool:
            v = await venture.fetchval("SELECT count(*) FROM orgs WHERE org_id = ANY($1::uuid[])", ids)
            k = await notify.fetchval(
                "SELECT count(*) FROM directory WHERE kind = 'org' AND key = ANY($1::text[])", ids
            )
            return bool(v >= n and k >= n)

        await _until(arrived_everywhere, 600)
        v_at = {
            str(r["org_id"]): r["updated_at"].timestamp()
            for r in await venture.fetch("SELECT org_id, updated_at FROM orgs WHERE org_id = ANY($1::uuid[])", ids)
        }
        n_at = {
            r["key"]: r["updated_at"].timestamp()
            for r in await notify.fetch(
                "SELECT key, updated_at FROM directory WHERE kind = 'org' AND key = ANY($1::text[])", ids
            )
        }
    finally:
        await venture.close()
        await notify.close()
    arrived = {oid: max(v_at[oid], n_at[oid]) for oid in ids}
    lat = [(arrived[oid] - t) * 1000 for oid, t in sent.items()]
    return Measure("orgs", n, max(arrived.values()) - min(sent.values()), lat)


def _prefix(run: str) -> str:
    """Two digits that differ between the phases of one benchmark (credit codes must be unique)."""
    return f"{_PREFIXES.setdefault(run, len(_PREFIXES) + 10):02d}"


_PREFIXES: dict[str, int] = {}


def peak_rss_mb(system: System) -> dict[str, float]:
    """Each service process's peak resident set (VmHWM) since it started."""
    out = {}
    for name, svc in system.services.items():
        assert svc.proc is not None
        status = Path(f"/proc/{svc.proc.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        out[name] = kb / 1024
    return out


def roster(n: int, run: str) -> bytes:
    from registry.domain.uscc import make_code
    from shared.reference import STREETS

    streets = list(STREETS.values())
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["名称", "类型", "统一社会信用代码", "登记日期", "街道", "业务领域"])
    for i in range(n):
        code = make_code("53", "110101", f"{_prefix(run)}{i:06d}")
        w.writerow([f"导入组织-{run}-{i:06d}", "基金会", code, "2015-06-01", streets[i % 17], "为老服务"])
    return buf.getvalue().encode()


async def bulk_import(system: System, run: str, n: int) -> dict[str, Any]:
    data = roster(n, run)
    async with httpx.AsyncClient(base_url=system["registry"].url, timeout=900) as client:
        started = time.perf_counter()
        r = await client.post("/imports", files={"file": ("roster.csv", data, "text/csv")}, headers=ADMIN)
        seconds = time.perf_counter() - started
    r.raise_for_status()
    report = r.json()
    registry = await _db(system, "registry")
    try:
        t0 = time.perf_counter()

        async def relayed() -> bool:
            return not await registry.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")

        try:
            await _until(relayed, 900)
            relay_s: float | None = time.perf_counter() - t0
        except TimeoutError:
            relay_s = None
    finally:
        await registry.close()
    imported = report.get("imported", report.get("created"))
    return {"rows": n, "imported": imported, "seconds": seconds, "relay_extra_seconds": relay_s}


class MailSink:
    """An SMTP server on loopback that accepts and counts every message (aiosmtpd)."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.port, self.received = port, 0
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 accepted"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def _fmt(x: float | None, nd: int = 1) -> str:
    return "-" if x is None else f"{x:,.{nd}f}"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    # Notify's e-mail channel delivers to a real SMTP server, as in a deployment (Mailpit
    # there): without one, every e-mail notice would be retried with backoff through the run.
    mail = MailSink(args.base_port + 25)
    mail.start()
    system = System(
        suffix="sysbench",
        base_port=args.base_port,
        log_dir=ROOT / "var" / "system-logs" / "bench",
        extra_env={"NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": str(mail.port)},
    )
    try:
        await system.start()
    except BaseException:
        mail.stop()
        raise
    try:
        results, cpu_ms = await _phases(system, args)
        rss = peak_rss_mb(system)
        imp = await _imports(system, args)
        rss_after_import = peak_rss_mb(system)
    finally:
        system.stop()
        mail.stop()
    print(f"e-mails received by the SMTP sink: {mail.received:,}")
    summary = _report(args, results, cpu_ms, rss, rss_after_import, imp)
    if args.json:
        text = json.dumps(summary, ensure_ascii=False, indent=1, default=str)
        await asyncio.to_thread(Path(args.json).write_text, text)
    return summary


async def _phases(
    system: System, args: argparse.Namespace
) -> tuple[dict[str, list[Measure]], dict[str, list[dict[str, float]]]]:
    """Each run's six phases (raw, demands, orgs; at full speed and paced), with the CPU each
    process group spent per message."""
    results: dict[str, list[Measure]] = {}
    pace = f"@{args.paced_rate:g}/s"
    cpu_ms: dict[str, list[dict[str, float]]] = {}
    for k in range(args.runs):
        run = f"B{int(time.time()) % 100_000}{k}"
        print(f"-- run {k + 1}/{args.runs}", flush=True)
        phases: list[tuple[str, Any]] = [
            ("raw", lambda: one_hop(admin_url(VHOST), args.raw)),
            (f"raw{pace}", lambda: one_hop(admin_url(VHOST), args.paced, rate=args.paced_rate)),
            ("demands", lambda run=run: demands(system, run + "d", args.demands)),
            (f"demands{pace}", lambda run=run: demands(system, run + "p", args.paced, rate=args.paced_rate)),
            ("orgs", lambda run=run: orgs(system, run + "o", args.orgs)),
            (
                f"orgs{pace}",
                lambda run=run: orgs(system, run + "q", min(args.paced, args.orgs), rate=args.paced_rate),
            ),
        ]
        for name, phase in phases:
            before = cpu.snapshot(system)
            res = await phase()
            after = cpu.snapshot(system)
            m = res if isinstance(res, Measure) else Measure(name, res.messages, res.seconds, res.latencies_ms)
            m.name = name
            results.setdefault(name, []).append(m)
            cpu_ms.setdefault(name, []).append(cpu.per_message_ms(before, after, m.messages))
            print(f"   {name:<14} {m.rate:8.0f}/s  p50 {m.pct(50):7.1f}  p99 {m.pct(99):7.1f} ms", flush=True)
            await quiet(system)
    return results, cpu_ms


async def _imports(system: System, args: argparse.Namespace) -> dict[str, Any] | None:
    """The bulk imports; the median one (with every run's seconds), or None when none ran."""
    if not (args.import_rows and args.import_runs):
        return None
    imports = []
    for k in range(args.import_runs):
        imports.append(await bulk_import(system, f"B{int(time.time()) % 100_000}{k}", args.import_rows))
        print(f"   import {k + 1}/{args.import_runs}   {imports[-1]['seconds']:8.1f} s", flush=True)
        await quiet(system)  # the next import does not compete with this one's consumers
    imp = sorted(imports, key=lambda i: i["seconds"])[len(imports) // 2]  # the median run
    imp["all_seconds"] = [round(i["seconds"], 1) for i in imports]
    return imp


def _report(
    args: argparse.Namespace,
    results: dict[str, list[Measure]],
    cpu_ms: dict[str, list[dict[str, float]]],
    rss: dict[str, float],
    rss_after_import: dict[str, float],
    imp: dict[str, Any] | None,
) -> dict[str, Any]:
    """Print the medians, the CPU table, memory, the import and the targets; return them."""

    def med(name: str, f: Any) -> float:
        return statistics.median(f(m) for m in results[name])

    table: list[dict[str, Any]] = [
        {
            "what": name,
            "n": results[name][0].messages,
            "per_s": med(name, lambda m: m.rate),
            "p50_ms": med(name, lambda m: m.pct(50)),
            "p95_ms": med(name, lambda m: m.pct(95)),
            "p99_ms": med(name, lambda m: m.pct(99)),
        }
        for name in results
    ]
    raw_rate = med("raw", lambda m: m.rate)
    _print_rates(args, table, raw_rate)
    cpu_table = {
        name: {g: statistics.median(run[g] for run in runs) for g in cpu.GROUPS} for name, runs in cpu_ms.items()
    }
    print("\nCPU per message (ms, median), by process group — the cost behind each row:")
    print(f"{'what':<15}" + "".join(f"{g:>12}" for g in cpu.GROUPS) + f"{'total':>10}")
    for name, row in cpu_table.items():
        print(f"{name:<15}" + "".join(f"{row[g]:>12.2f}" for g in cpu.GROUPS) + f"{sum(row.values()):>10.2f}")
    print("\npeak RSS (MB):", ", ".join(f"{k} {v:.0f}" for k, v in rss.items()))
    if imp:
        print("peak RSS after the import (MB):", ", ".join(f"{k} {v:.0f}" for k, v in rss_after_import.items()))
        print(
            f"bulk import: {imp['rows']:,} rows, {imp['imported']} imported in {imp['seconds']:.1f} s "
            f"({imp['rows'] / imp['seconds']:,.0f} rows/s; median of {imp['all_seconds']} s); "
            f"outbox relayed {_fmt(imp['relay_extra_seconds'])} s later"
        )
    checks = _targets(args, {r["what"]: r for r in table}, raw_rate, rss_after_import, imp)
    print("\ntargets:", "; ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in checks.items()))
    return {
        "table": table,
        "cpu_ms_per_message": cpu_table,
        "rss_mb": rss,
        "rss_after_import_mb": rss_after_import,
        "import": imp,
        "targets": checks,
    }


def _print_rates(args: argparse.Namespace, table: list[dict[str, Any]], raw_rate: float) -> None:
    print(f"\nSystem benchmark — median of {args.runs} run(s), {datetime.now().isoformat(timespec='seconds')}")
    print(f"{'what':<15}{'n':>7}{'msg/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'÷ raw':>8}")
    for row in table:
        ratio = row["per_s"] / raw_rate if not row["what"].endswith("/s") else None
        print(
            f"{row['what']:<15}{row['n']:>7}{row['per_s']:>10,.0f}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}"
            f"{row['p99_ms']:>10.1f}{_fmt(ratio, 2):>8}"
        )


def _targets(
    args: argparse.Namespace,
    by: dict[str, dict[str, Any]],
    raw_rate: float,
    rss_after_import: dict[str, float],
    imp: dict[str, Any] | None,
) -> dict[str, bool]:
    checks = {
        "demand pipeline ≥ 0.4 × raw": by["demands"]["per_s"] >= TARGETS["ratio"] * raw_rate,
        "RSS ≤ 150 MB each": max(rss_after_import.values()) <= TARGETS["rss_mb"],
    }
    if args.paced_rate == 100:
        checks["p99 ≤ 100 ms at 100 demands/s"] = by["demands@100/s"]["p99_ms"] <= TARGETS["p99_at_100_ms"]
    if imp:
        # Scaled linearly when fewer rows were imported (a quick run): an estimate, said so.
        label = "import of 100,000 ≤ 60 s" + ("" if imp["rows"] == 100_000 else " (scaled)")
        checks[label] = imp["seconds"] * 100_000 / imp["rows"] <= TARGETS["import_s"]
    return checks


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--raw", type=int, default=5000, help="raw one-hop messages per run")
    parser.add_argument("--demands", type=int, default=2000, help="demands at full speed per run")
    parser.add_argument("--orgs", type=int, default=1000, help="registrations at full speed per run")
    parser.add_argument("--paced", type=int, default=1000, help="messages per paced phase")
    parser.add_argument("--paced-rate", type=float, default=100.0, help="messages per second in the paced phases")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=3, help="bulk imports (the median is reported)")
    parser.add_argument("--base-port", type=int, default=18800)
    parser.add_argument("--json", help="also write the figures to this file")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
