"""The console's service: the kit's runtime plus what signing in needs — the password hasher, the
issuer's key ring, the limits on failures and where one-time links point."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

import structlog

from console import subscribers
from console.adapters import RingMinter, ThreadedPasswords
from console.config import Settings
from console.domain.passwords import Hasher
from console.handlers.accounts import Links
from console.handlers.signin import Limits
from console.store import Stores, stores
from shared.auth.keys import KeyRing
from shared.clock import Now, real_now
from shared.service import Service

MIGRATIONS = Path(__file__).parent / "migrations"
HOUSEKEEPING_SECONDS = 600.0
log = structlog.get_logger("console.service")


class ConsoleService(Service[Stores]):
    def __init__(self, settings: Settings, clock: Now = real_now) -> None:
        # The ring first: its public JWKS file is what the console's own token checks read.
        self.ring = KeyRing.ensure(settings.keys_dir, development=settings.environment != "production")
        super().__init__("console", settings, migrations=MIGRATIONS, stores=stores)
        self.console_settings = settings
        self.clock = clock
        self.passwords = ThreadedPasswords(
            Hasher(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)
        )
        if settings.environment == "production" and self.ring.development:
            raise RuntimeError(f"生产模式下拒绝启动：{settings.env_name('keys_dir')} 中是开发用的签名密钥")
        self.minter = RingMinter(self.ring, issuer=settings.issuer.rstrip("/"))
        self.limits = Limits(
            lockout_failures=settings.lockout_failures,
            lockout=timedelta(minutes=settings.lockout_minutes),
            ip_failures=settings.ip_failures,
            ip_window=timedelta(minutes=settings.ip_window_minutes),
            session=timedelta(hours=settings.session_hours),
        )
        self.links = Links(
            base_url=settings.base_url,
            invitation_valid=timedelta(days=settings.invitation_days),
            reset_valid=timedelta(hours=settings.reset_hours),
        )
        subscribers.register(self.consumers, lambda: self.links, lambda: self.clock())

    async def start(self) -> None:
        await super().start()
        self._housekeeping = asyncio.create_task(self._keep_house(), name="console-housekeeping")

    async def stop(self) -> None:
        task = getattr(self, "_housekeeping", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await super().stop()

    async def keep_house(self) -> None:
        """Forget expired sessions and sign-in failures older than the per-address window."""
        now = self.clock()
        async with self.unit_of_work() as uow:
            await uow.stores.sessions.purge_expired(now)
            await uow.stores.sessions.forget_failures_before(now - self.limits.ip_window)

    async def _keep_house(self) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            try:
                await self.keep_house()
            except Exception as exc:  # the database may be away; the next round tries again
                log.warning("housekeeping_failed", error=str(exc))

    @property
    def access_ttl(self) -> int:
        return self.console_settings.access_token_minutes * 60
