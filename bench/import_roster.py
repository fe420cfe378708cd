"""Benchmark: import a synthetic roster of N organisations straight into a throw-away database.

    .venv/bin/python -m bench.import_roster --rows 100000

Creates database `registry_bench` (dropped and recreated; the relay is not running, so the
events stay in its outbox and nothing reaches the broker), writes the CSV, runs the same
use case as the HTTP upload and the CLI's direct mode, and prints rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from registry.app import MIGRATIONS
from registry.domain.uscc import make_code
from registry.importer.batch import import_roster, pool_transaction
from shared import db
from shared.auth import Principal, Role
from shared.reference import STREETS
from testkit import fresh_database

STREET_NAMES = list(STREETS.values())
KINDS = [("社会团体", "51"), ("民办非企业单位", "52"), ("基金会", "53")]


def synthetic_roster(n: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["名称", "类型", "统一社会信用代码", "登记日期", "街道", "业务领域", "联系人", "电话"])
    for i in range(n):
        kind, category = KINDS[i % 3 if i % 10 == 0 else i % 2]
        w.writerow(
            [
                f"东城区合成组织{i:06d}",
                kind,
                make_code(category, "110101", f"MJ{i:06d}"),
                f"{1995 + i % 31}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                STREET_NAMES[i % 17],
                "为老服务、社区治理" if i % 2 else "文体",
                "张三",
                "010-6400" + f"{i % 10000:04d}",
            ]
        )
    return out.getvalue().encode("utf-8")


async def main(rows: int, batch_size: int) -> None:
    data = synthetic_roster(rows)
    dsn = await fresh_database("registry_bench", "registry")
    conn = await db.connect(dsn)
    await db.migrate(conn, [db.KIT_MIGRATIONS, MIGRATIONS])
    await conn.close()
    pool = await db.create_pool(dsn, min_size=4, max_size=4)
    try:
        held = [await pool.acquire() for _ in range(4)]
        backends = [await c.fetchval("SELECT pg_backend_pid()") for c in held]
        for c in held:
            await pool.release(c)
        pg_cpu_before = sum(_cpu_seconds(pid) for pid in backends)
        cpu_before = time.process_time()
        started = time.perf_counter()
        report = await import_roster(
            pool_transaction(pool),
            data,
            principal=Principal(sub="bench", role=Role.DISTRICT_ADMIN),
            now=datetime.now(UTC),
            batch_size=batch_size,
        )
        elapsed = time.perf_counter() - started
        py_cpu = time.process_time() - cpu_before
        pg_cpu = sum(_cpu_seconds(pid) for pid in backends) - pg_cpu_before
        async with pool.acquire() as c:
            orgs = await c.fetchval("SELECT count(*) FROM orgs")
            events = await c.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'registry.org_registered.v1'")
    finally:
        await pool.close()
    print(
        f"rows={report.total_rows} imported={report.imported} rejected={len(report.rejected)} "
        f"orgs={orgs} outbox_events={events} seconds={elapsed:.2f} rows_per_second={rows / elapsed:,.0f}\n"
        f"cpu: importer {py_cpu:.1f} s, postgres backends {pg_cpu:.1f} s "
        f"(on an idle 2-core machine the pipelined import needs about max of the two); "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a local process (a PostgreSQL backend), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.batch_size))
