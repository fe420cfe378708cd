"""The importer's command line: direct-database mode and HTTP mode against a running service."""

from __future__ import annotations

import asyncio
import json
import socket
import sys

import asyncpg
import uvicorn

from registry.app import create_app
from testkit import eventually, token

from .helpers import new_code, roster_csv


def rows(n: int) -> list[dict[str, str]]:
    good = [
        {"name": f"前门文化协会{i}", "type": "社团", "code": new_code("51"), "date": "2011-09-01", "street": "前门"}
        for i in range(n)
    ]
    return [*good, {"name": "坏行", "type": "社团", "code": "123", "date": "2011-09-01"}]


async def run_cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "registry.importer", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_direct_database_mode_imports_and_writes_the_rejected_rows_file(settings, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(roster_csv(rows(5)))
    rejected = tmp_path / "rejected.csv"
    code, out, err = await run_cli(
        str(roster), "--database-url", settings.database_url, "--actor", "alice", "--rejected", str(rejected)
    )
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["total_rows"], summary["imported"], summary["rejected_count"]) == (6, 5, 1)
    assert "第 7 行 credit_code" in err
    assert rejected.read_text(encoding="utf-8-sig").splitlines()[1].startswith("7,credit_code,")
    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM orgs") == 5
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'registry.org_registered.v1'") == 5
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_http_mode_uploads_to_a_running_registry(settings, tmp_path):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: asyncio.sleep(0, result=server.started))
        await server.config.app.state.service.wait_ready()
        roster = tmp_path / "roster.csv"
        roster.write_bytes(roster_csv(rows(3)))
        admin = token("district_admin", sub="alice")["Authorization"].removeprefix("Bearer ")
        code, out, err = await run_cli(str(roster), "--url", f"http://127.0.0.1:{port}", "--token", admin, "--quiet")
        assert code == 0, err
        assert json.loads(out.strip().splitlines()[-1])["imported"] == 3
        reviewer = token("reviewer", sub="rita")["Authorization"].removeprefix("Bearer ")
        code, _, err = await run_cli(str(roster), "--url", f"http://127.0.0.1:{port}", "--token", reviewer, "--quiet")
        assert code != 0 and "403" in err
    finally:
        server.should_exit = True
        await serving
