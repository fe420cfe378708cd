"""How a service's process starts: `python -m <service>` (and the `sogc-<service>` script) run
`serve` with the service's name, app factory and settings class; the one image recipe,
`ops/service.Dockerfile`, runs that module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import uvicorn

from shared.service import ServiceSettings, configure_logging

S = TypeVar("S", bound=ServiceSettings)


def serve(name: str, create_app: Callable[[S], Any], settings: Callable[[], S]) -> None:
    """Read the settings from the environment, configure logging, and serve the app until stopped."""
    values = settings()
    configure_logging(values, name)
    uvicorn.run(create_app(values), host=values.http_host, port=values.http_port, log_config=None)


__all__ = ["serve"]
