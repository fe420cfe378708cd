"""structlog JSON logging: one line per fact, with the bound correlation id."""

from __future__ import annotations

import logging
import sys

import orjson
import structlog


def configure(service: str, *, level: str = "INFO", json: bool = True, cache: bool = True) -> None:
    """Route structlog and stdlib logging to stdout as JSON lines tagged with the service.

    `cache=False` (test sessions) assembles a logger at every use, so a later change of level
    reaches every logger, also those used before it."""
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer()
    )
    # The kit's own lines (one or more per message consumed) take structlog's fast path:
    # orjson rendering straight to bytes on stdout, each line flushed as it is written.
    structlog.configure(
        processors=[*processors, structlog.processors.JSONRenderer(serializer=_orjson) if json else renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.BytesLoggerFactory(sys.stdout.buffer) if json else structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=cache,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries log through stdlib logging (uvicorn, faststream): render those as JSON too.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                *processors,
                structlog.stdlib.add_logger_name,
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for noisy in ("aiormq", "aio_pika"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _orjson(obj: object, **kwargs: object) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS, **kwargs)  # type: ignore[arg-type]


def get(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
