"""The consumers' one error policy: which failures are worth a retry (the message is requeued)
and which are not (the message is dead-lettered at once with the reason)."""

from __future__ import annotations

import asyncio

import asyncpg


class PermanentError(Exception):
    """Retrying cannot help: the message goes to the dead-letter queue with this reason."""


class TransientError(Exception):
    """Retrying may help (a dependency is down): the message is requeued."""


TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a connection whose backend was terminated mid-transaction
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.AdminShutdownError,
)
# SQLSTATE classes that say "the server, not the message": connection exception, insufficient
# resources, operator intervention (shutdown, restart, cancelled statement).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the same message later may succeed."""
    if isinstance(exc, TRANSIENT):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        if state[:2] in _TRANSIENT_SQLSTATE_CLASSES:
            return True
        # A database refusing connections for a while (ALLOW_CONNECTIONS false, being dropped).
        if state == "55000" and "not currently accepting connections" in str(exc):
            return True
    return False


def describe(exc: BaseException) -> str:
    """The reason a dead letter carries for `exc`."""
    return f"{type(exc).__name__}: {exc}"


__all__ = ["TRANSIENT", "PermanentError", "TransientError", "describe", "is_transient"]
