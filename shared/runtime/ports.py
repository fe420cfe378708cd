"""What the runtime's HTTP parts need of a service, so they depend on this and not on `Service`."""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg

from shared.runtime.broker import BrokerConnection
from shared.runtime.revocation import DisabledAccounts
from shared.runtime.settings import ServiceSettings


class RunningService(Protocol):
    name: str
    settings: ServiceSettings
    pool: asyncpg.Pool | None
    amqp: BrokerConnection
    disabled_accounts: DisabledAccounts

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def readiness(self) -> dict[str, Any]: ...
