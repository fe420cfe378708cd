"""Rows that cannot be read are row errors in the report, and every import is recorded — also one
that fails part-way after earlier batches committed."""

from __future__ import annotations

import csv
import io
import json

import httpx

import registry.importer.batch as batch
from testkit import token

from .helpers import new_code

ADMIN = token("district_admin", sub="alice")
HEADER = ["名称", "类型", "统一社会信用代码", "登记日期", "街道", "备注"]  # 备注 is not a roster column


def roster(n: int, odd: dict[int, list[str]] | None = None) -> bytes:
    """n valid organisations from spreadsheet row 2 on; `odd` replaces some rows by raw cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in range(2, n + 2):
        cells = ["东城区导入测试组织" + str(row), "民非", new_code("52"), "2012-03-04", "东四", ""]
        writer.writerow((odd or {}).get(row, cells))
    return out.getvalue().encode("utf-8")


async def upload(client: httpx.AsyncClient, data: bytes) -> httpx.Response:
    return await client.post("/imports", files={"file": ("roster.csv", data, "text/csv")}, headers=ADMIN)


async def test_a_cell_over_the_csv_field_limit_in_a_later_batch_is_a_row_error_and_the_import_is_recorded(client, db):
    limit = csv.field_size_limit()
    huge = ["东城区超长备注组织", "民非", new_code("52"), "2012-03-04", "东四", "备" * (limit + 1)]
    data = roster(2500, {2400: huge})  # row 2,400 is in the second batch of 2,000

    response = await upload(client, data)

    assert response.status_code == 200, response.text[:500]
    report = response.json()
    assert (report["total_rows"], report["imported"], report["rejected_count"]) == (2500, 2499, 1)
    (rejected,) = report["rejected"]
    assert (rejected["row"], rejected["field"]) == (2400, "(row)")
    assert f"{limit:,} 个字符的上限" in rejected["reason"]
    assert await db.fetchval("SELECT count(*) FROM orgs") == 2499
    assert await db.fetchval("SELECT count(*) FROM orgs WHERE name = '东城区导入测试组织2401'") == 1  # read on
    record = await db.fetchrow("SELECT status, failure, total_rows, imported, rejected FROM imports")
    assert (record["status"], record["failure"], record["total_rows"], record["imported"]) == (
        "completed",
        None,
        2500,
        2499,
    )
    assert [r["row"] for r in json.loads(record["rejected"])] == [2400]


async def test_a_nul_character_in_a_cell_is_a_row_error_not_a_failed_batch(client, db):
    nul = ["东城区\x00空字符组织", "民非", new_code("52"), "2012-03-04", "东四", ""]
    response = await upload(client, roster(5, {4: nul}))
    assert response.status_code == 200, response.text
    assert [(r["row"], r["field"]) for r in response.json()["rejected"]] == [(4, "(row)")]
    assert "空字符" in response.json()["rejected"][0]["reason"]
    assert await db.fetchval("SELECT count(*) FROM orgs") == 4


async def test_a_header_over_the_field_limit_is_reported_on_row_1(client, db):
    data = ("名称," + "类" * (csv.field_size_limit() + 1) + "\n东四文体协会,社团\n").encode()
    response = await upload(client, data)
    assert response.status_code == 200, response.text[:300]
    assert [(r["row"], r["field"]) for r in response.json()["rejected"]] == [(1, "(file)")]
    assert await db.fetchval("SELECT count(*) FROM imports") == 1


async def test_an_import_failing_after_its_first_batch_committed_is_recorded_as_failed_with_the_reason(
    client, db, monkeypatch
):
    real_commit = batch.commit_new
    calls = 0

    async def failing_second_batch(store, new, *, actor):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("磁盘已满 (simulated)")
        return await real_commit(store, new, actor=actor)

    monkeypatch.setattr(batch, "commit_new", failing_second_batch)
    app = client._transport.app  # the registry under test, answering errors as a server would
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as server:
        response = await upload(server, roster(2500))

    assert response.status_code == 500
    assert await db.fetchval("SELECT count(*) FROM orgs") == 2000  # the first batch stays, with its events
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'registry.org_registered.v1'") == 2000
    record = await db.fetchrow("SELECT status, failure, total_rows, imported, finished_at FROM imports")
    assert record is not None, "a failed import must be recorded too"
    assert (record["status"], record["imported"], record["total_rows"]) == ("failed", 2000, 2500)
    assert record["failure"] == "RuntimeError: 磁盘已满 (simulated)" and record["finished_at"] is not None
