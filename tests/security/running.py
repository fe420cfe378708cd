"""A service run as its own process (uvicorn on a test port) against a fresh database, for the fuzzer.

The fuzzer's HTTP client is synchronous (requests), so the service runs in another process, exactly
as deployed; its log file keeps the traceback of any 5xx.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from testkit import AMQP_HOST, PORT_OFFSET, TEST_VHOST, fresh_database, purge_queues

ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = ROOT / "var" / "security-logs"
FUZZ_PORTS = {n: 18601 + i + PORT_OFFSET for i, n in enumerate(("registry", "venture", "procurement", "notify"))}


@dataclass
class Running:
    name: str
    url: str
    log_path: Path
    proc: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start(names: list[str], *, suffix: str = "fuzz") -> dict[str, Running]:
    """Start `python -m <name>` for each name on its fuzz port with a fresh `<name>_<suffix>` database
    (the service's queues purged first); return once every one answers /ready."""

    async def prepare() -> list[str]:
        await asyncio.gather(*(purge_queues(f"{n}.") for n in names))
        return list(await asyncio.gather(*(fresh_database(f"{n}_{suffix}", n) for n in names)))

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    running: dict[str, Running] = {}
    for name, dsn in zip(names, asyncio.run(prepare()), strict=True):
        port, up = FUZZ_PORTS[name], name.upper()
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            f"{up}_DATABASE_URL": dsn,
            f"{up}_AMQP_URL": f"amqp://{name}:{name}-dev-password@{AMQP_HOST}/{TEST_VHOST}",
            f"{up}_HTTP_PORT": str(port),
            f"{up}_HTTP_HOST": "127.0.0.1",
            f"{up}_ENVIRONMENT": "development",
            f"{up}_DB_POOL_SIZE": "4",  # connection slots are shared with everyone's test runs
        }
        log_path = LOG_DIR / f"{name}-{suffix}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", name], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        running[name] = Running(name, f"http://127.0.0.1:{port}", log_path, proc)
    deadline = time.monotonic() + 120
    waiting = set(running)
    try:
        while waiting:
            for name in sorted(waiting):
                r = running[name]
                if r.proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {r.proc.returncode}:\n{r.log_tail()}")
                try:
                    if httpx.get(f"{r.url}/ready", timeout=2).status_code == 200:
                        waiting.discard(name)
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after 120 s: {sorted(waiting)}")
            time.sleep(0.2)
    except BaseException:
        for r in running.values():
            r.stop()
        raise
    return running
