"""The whole system as separate processes, for cross-service tests, fault injection and the
benchmark: fresh databases `<service>_<suffix>`, the vhost `sogc_system`, each service on
its own port, logs in files; any service can be SIGKILLed and restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ops.tokens import development_issuer_env
from testkit import PORT_OFFSET, fresh_database, namespaced

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "venture", "procurement", "notify", "console")
ADMIN_DSN = os.environ.get("PROVISION_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
VHOST = namespaced("sogc_system")
ADMIN_AMQP_URL = f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
# Provisioned vhosts a System may run on; separate ones let suites run side by side.
SYSTEM_VHOSTS = tuple(namespaced(v) for v in ("sogc_system", "sogc_demo", "sogc_security"))


def present() -> list[str]:
    return [s for s in SERVICES if (ROOT / "services" / s / "pyproject.toml").exists()]


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dsn(self) -> str:
        return self.env[f"{self.name.upper()}_DATABASE_URL"]

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.name], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
                try:
                    if (await client.get(f"{self.url}/ready", timeout=2)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not ready after {timeout}s; see {self.log_path}")
                await asyncio.sleep(0.2)


@dataclass
class System:
    """All services (or some) running as processes against fresh databases."""

    suffix: str = "sys"
    base_port: int = 18000
    vhost: str = VHOST
    log_dir: Path = field(default_factory=lambda: ROOT / "var" / "system-logs")
    extra_env: Mapping[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    demo_mode: bool = False  # a district admin may move the services' clocks (flows and the demo need it)

    def __post_init__(self) -> None:
        self.base_port += PORT_OFFSET

    async def start(self, names: list[str] | None = None) -> System:
        names = names or present()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        await purge_vhost(self.vhost)
        for i, name in enumerate(SERVICES):
            if name not in names:
                continue
            dsn = await fresh_database(f"{name}_{self.suffix}", name)
            up = name.upper()
            env = {
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                f"{up}_DATABASE_URL": dsn,
                f"{up}_AMQP_URL": f"amqp://{name}:{name}-dev-password@127.0.0.1:5672/{self.vhost}",
                f"{up}_HTTP_PORT": str(self.base_port + i + 1),
                f"{up}_ENVIRONMENT": "development",
                f"{up}_OUTBOX_POLL_INTERVAL": "0.5",
                f"{up}_DEMO_MODE": "true" if self.demo_mode else "false",
                **self.extra_env,
            }
            env.update(development_issuer_env(name, env))  # unless extra_env names another issuer
            if name == "console":  # its pages over plain http, its links to where it really listens
                env.setdefault("CONSOLE_SECURE_COOKIES", "false")
                env.setdefault("CONSOLE_PUBLIC_BASE_URL", f"http://127.0.0.1:{self.base_port + i + 1}")
            log_path = self.log_dir / f"{name}.log"
            log_path.write_bytes(b"")
            self.services[name] = ServiceProcess(name, self.base_port + i + 1, env, log_path)
        for svc in self.services.values():
            svc.start()
        # Five interpreters importing at once on a busy two-core machine take more than a minute.
        await asyncio.gather(*(svc.wait_ready(timeout=180) for svc in self.services.values()))
        return self

    async def restart(self, name: str) -> None:
        svc = self.services[name]
        svc.stop()
        svc.start()
        await svc.wait_ready()

    def stop(self) -> None:
        for svc in self.services.values():
            svc.stop()

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]


def admin_amqp_url(vhost: str = VHOST) -> str:
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


async def purge_vhost(vhost: str = VHOST) -> None:
    """Delete every queue of the vhost but the unrouted parking lot, so a run starts empty; the
    archive and the history streams start a new epoch with the fresh databases (ops/archive.py)."""
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "--no-table-headers", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    import aio_pika

    conn = await aio_pika.connect(admin_amqp_url(vhost))
    try:
        channel = await conn.channel()
        for name in out.decode().split():
            if name != "events.unrouted":
                await channel.queue_delete(name)
    finally:
        await conn.close()
    from ops.archive import reset_archive

    await reset_archive(admin_amqp_url(vhost), "fresh databases for a test system")
