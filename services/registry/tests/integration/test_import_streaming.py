"""The HTTP import streams the upload: Starlette spools a large file to disk, the route reads it
from there row by row (never `UploadFile.read()` as a whole), and the report is the same as for a
small file. The upload's size is limited at the edge (`import_max_bytes`): over it, and without a
token, the upload is refused before it is read."""

from __future__ import annotations

import csv
import io
from contextlib import asynccontextmanager

import asyncpg
import fastapi
import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser

import registry.api.imports as imports_route
from registry.app import create_app
from registry.importer import batch
from testkit import send_until_answered, served, token

from .helpers import new_code

ADMIN = token("district_admin", sub="alice")
HEADER = ["名称", "类型", "统一社会信用代码", "登记日期", "街道", "备注"]  # 备注 is not a roster column: ignored


def big_roster(n: int, *, padding: int) -> tuple[bytes, dict[str, str]]:
    """n organisations (row r = spreadsheet row r), each with `padding` characters of an ignored
    column; a bad checksum on row 3, row 2 's code again on row 2503, an unknown street on 4001."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    codes: dict[str, str] = {}
    for row in range(2, n + 2):
        code = new_code("52")
        street = "东四"
        if row == 3:
            code = code[:17] + ("0" if code[17] != "0" else "1")
        if row == 2503:
            code = codes["2"]
        if row == 4001:
            street = "火星街道"
        codes[str(row)] = code
        writer.writerow([f"流式导入测试组织{row}", "民非", code, "2012-03-04", street, "备" * padding])
    return out.getvalue().encode("utf-8"), codes


@pytest.fixture
def spy_on_upload(monkeypatch):
    """Fails the test if the route reads the upload whole; records what the importer was given."""

    async def whole_read(self, size: int = -1) -> bytes:
        raise AssertionError("the route must not read the upload into memory")

    monkeypatch.setattr(UploadFile, "read", whole_read)
    monkeypatch.setattr(fastapi.UploadFile, "read", whole_read)
    given: list[object] = []
    real = imports_route.import_roster

    async def recording(transaction, source, **kwargs):
        given.append(source)
        return await real(transaction, source, **kwargs)

    monkeypatch.setattr(imports_route, "import_roster", recording)
    return given


async def test_an_upload_larger_than_the_in_memory_spool_is_streamed_and_reported_row_by_row(client, db, spy_on_upload):
    data, codes = big_roster(4500, padding=100)
    assert len(data) > 1.5 * MultiPartParser.spool_max_size  # Starlette rolls it over to a temporary file

    response = await client.post("/imports", files={"file": ("big.csv", data, "text/csv")}, headers=ADMIN)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["total_rows"], report["imported"], report["rejected_count"]) == (4500, 4497, 3)
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [
        (3, "credit_code"),
        (2503, "credit_code"),
        (4001, "street"),
    ]
    assert "第 2 行" in report["rejected"][1]["reason"]
    assert "火星街道" in report["rejected"][2]["reason"]
    # The importer read the spooled file itself (on disk, not in memory), not bytes.
    (source,) = spy_on_upload
    assert not isinstance(source, bytes) and getattr(source, "_rolled", False) is True
    # Every org is written with its history and exactly one OrgRegistered in the outbox.
    assert await db.fetchval("SELECT count(*) FROM orgs") == 4497
    assert await db.fetchval("SELECT count(*) FROM org_history") == 4497
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'registry.org_registered.v1'") == 4497
    orgs = {(str(r["org_id"]), r["credit_code"], r["name"]) for r in await db.fetch("SELECT * FROM orgs")}
    events = [
        tuple(r)
        for r in await db.fetch(
            """SELECT payload->'org'->>'org_id', payload->'org'->>'credit_code', payload->'org'->>'name'
               FROM outbox WHERE routing_key = 'registry.org_registered.v1'"""
        )
    ]
    assert len(set(events)) == len(events) and set(events) == orgs  # one event per org, with its data
    assert await db.fetchval("SELECT credit_code FROM orgs WHERE name = '流式导入测试组织4501'") == codes["4501"]
    audit = await db.fetchrow("SELECT filename, total_rows, imported FROM imports")
    assert (audit["filename"], audit["total_rows"], audit["imported"]) == ("big.csv", 4500, 4497)


@asynccontextmanager
async def registry_with(settings, **changes):
    """The registry app with some settings changed, running with its lifespan."""
    app = create_app(settings.model_copy(update=changes))
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service.wait_ready()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry.test") as c:
            yield c


async def test_an_upload_over_the_import_limit_is_a_413_before_it_is_read_and_one_at_the_limit_is_imported(
    settings, spy_on_upload
):
    data, _ = big_roster(300, padding=4000)
    multipart = httpx.Request("POST", "http://registry.test/imports", files={"file": ("big.csv", data, "text/csv")})
    body, content_type = multipart.read(), multipart.headers["content-type"]
    headers = {**ADMIN, "content-type": content_type}
    async with registry_with(settings, import_max_bytes=len(body) - 1) as client:
        over = await client.post("/imports", content=body, headers=headers)
        assert over.status_code == 413, over.text
        assert over.json()["detail"].startswith("请求体超过此接口") and over.headers["connection"] == "close"
        assert spy_on_upload == []  # refused before the importer saw it
    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM orgs") == 0
        assert await conn.fetchval("SELECT count(*) FROM imports") == 0
    finally:
        await conn.close()
    async with registry_with(settings, import_max_bytes=len(body)) as client:  # exactly at the limit
        at = await client.post("/imports", content=body, headers=headers)
        assert at.status_code == 200, at.text
        assert (at.json()["imported"], at.json()["rejected_count"]) == (299, 1)
    # JSON routes keep the kit's 1 MB: the import's limit is the import route's alone.
    async with registry_with(settings, import_max_bytes=len(body)) as client:
        huge = await client.post("/orgs", json={"name": "x" * (1024 * 1024)}, headers=ADMIN)
        assert huge.status_code == 413 and "1 MB" in huge.json()["detail"]


def multipart_head(*lines: str, length: int) -> str:
    return "\r\n".join(
        [
            "POST /imports HTTP/1.1",
            "Host: registry",
            "Content-Type: multipart/form-data; boundary=sogc",
            f"Content-Length: {length}",
            *lines,
            "",
            "",
        ]
    )


FIRST_PART = b'--sogc\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n\r\n' + b"x" * 16000


async def test_over_a_real_socket_a_10_gb_upload_is_refused_after_its_first_16_kb(settings, spy_on_upload):
    async with served(create_app(settings)) as port:
        anonymous = await send_until_answered(port, multipart_head(length=10 * 1024**3), [FIRST_PART])
        bearer = ADMIN["Authorization"]
        too_big = await send_until_answered(
            port, multipart_head(f"Authorization: {bearer}", length=settings.import_max_bytes + 1), [FIRST_PART]
        )
    assert (anonymous.status, anonymous.sent, anonymous.closed) == (401, len(FIRST_PART), True)
    assert (too_big.status, too_big.sent, too_big.closed) == (413, len(FIRST_PART), True)
    assert "64 MB" in too_big.body.decode()
    assert spy_on_upload == []


async def test_an_import_leaves_the_garbage_collector_as_it_found_it(client):
    # The import freezes the objects that exist when it starts (see batch._lighter_collections).
    before = batch.gc.get_freeze_count(), batch.gc.get_threshold()
    data, _ = big_roster(50, padding=0)
    response = await client.post("/imports", files={"file": ("small.csv", data, "text/csv")}, headers=ADMIN)
    assert response.status_code == 200 and response.json()["imported"] == 49
    assert (batch.gc.get_freeze_count(), batch.gc.get_threshold()) == before


async def test_names_with_backslashes_quotes_and_commas_survive_the_copy(client, db):
    name = '东城"引号"\\反斜杠,逗号\\N协会'
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["名称", "类型", "统一社会信用代码", "登记日期"])
    writer.writerow([name, "民非", new_code("52"), "2012-03-04"])
    response = await client.post(
        "/imports", files={"file": ("r.csv", out.getvalue().encode("utf-8"), "text/csv")}, headers=ADMIN
    )
    assert response.status_code == 200 and response.json()["imported"] == 1, response.text
    assert await db.fetchval("SELECT name FROM orgs") == name
    event_name = "SELECT payload->'org'->>'name' FROM outbox WHERE routing_key = 'registry.org_registered.v1'"
    assert await db.fetchval(event_name) == name
    assert await db.fetchval("SELECT detail->>'credit_code' FROM org_history") is not None
