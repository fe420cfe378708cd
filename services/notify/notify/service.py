"""Notify's service: the kit's runtime plus the delivery/reminder worker and notify's consumers."""

from __future__ import annotations

from pathlib import Path

from notify import handlers, rules, subscribers
from notify.adapters.channels import ChannelSender
from notify.adapters.targets import TargetPolicy
from notify.config import Settings
from notify.rendering import Renderer
from notify.store import Stores, stores
from notify.worker import Worker
from shared.clock import Now, real_now
from shared.service import Service

MIGRATIONS = Path(__file__).parent / "migrations"


class NotifyService(Service[Stores]):
    """The kit's runtime plus the delivery/reminder worker, started and stopped with it."""

    def __init__(self, settings: Settings, clock: Now = real_now) -> None:
        super().__init__("notify", settings, migrations=MIGRATIONS, stores=stores)
        self.notify_settings = settings
        self.kit = handlers.Toolkit(
            rules=rules.load(settings.rules_file),
            renderer=Renderer(),
            calendar=settings.calendar(),
            reminder_hour=settings.reminder_hour,
            targets=TargetPolicy.parse(settings.webhook_private_allowlist),
        )
        self.clock = clock
        self.sender = ChannelSender(settings)
        self.worker = Worker(self, self.kit, self.sender, settings, clock=lambda: self.clock())
        subscribers.register(self.consumers, self.kit, lambda: self.clock())

    async def start(self) -> None:
        await super().start()
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
        await self.sender.aclose()
        await super().stop()
