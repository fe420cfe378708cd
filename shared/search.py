"""Free-text search: the caller's text matched literally, and a bounded `q` query parameter.

In a LIKE pattern `%` and `_` are wildcards and `\\` escapes: a `q` of `%` passed straight in
matches every row (and `%a%a%…` makes each comparison costlier). Patterns are built here with
those characters escaped, for SQL that says `ILIKE $n ESCAPE '\\'`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from fastapi import Query
from fastapi.exceptions import RequestValidationError

from shared.errors import DomainError

# Names are at most 200 characters; nobody types more than a fragment of one. Each row costs
# about as many comparisons as the pattern has characters (registry, 100,000 orgs: 100 characters
# 154 ms, 50 characters 98 ms).
MAX_SEARCH_CHARS = 50
LIKE_ESCAPE = "\\"
# A search scans the table (a trigram index would slow the bulk import and cannot serve the one-
# and two-character queries Chinese names get); PostgreSQL cancels one that runs longer than this.
SEARCH_TIMEOUT_MS = 3000


class SearchTimeout(DomainError):
    """PostgreSQL cancelled a search that ran past its time budget."""

    status_code = 503
    code = "search_timeout"


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards and the escape character taken literally."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def contains(text: str) -> str:
    """A pattern matching `text` anywhere in a value."""
    return f"%{escape_like(text)}%"


def starts_with(text: str) -> str:
    """A pattern matching values that begin with `text`."""
    return f"{escape_like(text)}%"


@asynccontextmanager
async def bounded(conn: asyncpg.Connection, *, timeout_ms: int = SEARCH_TIMEOUT_MS) -> AsyncIterator[None]:
    """A read-only transaction whose statements PostgreSQL cancels after `timeout_ms`.

    `SET LOCAL` ends with the transaction: pooled connections skip the reset query
    (`shared.db.create_pool`), so a session-wide setting would outlive the request."""
    try:
        async with conn.transaction(readonly=True):
            await conn.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            yield
    except asyncpg.QueryCanceledError as exc:
        raise SearchTimeout(f"搜索超过 {timeout_ms / 1000:g} 秒未完成，请加上类型、街道等条件缩小范围后重试") from exc


def search_text(description: str, *, max_chars: int = MAX_SEARCH_CHARS) -> Callable[..., str | None]:
    """A dependency reading `q`: None when absent or empty, a 422 on `q` when longer than `max_chars`."""

    def q_param(
        q: str | None = Query(default=None, description=description, json_schema_extra={"maxLength": max_chars}),
    ) -> str | None:
        if q is not None and len(q) > max_chars:
            raise RequestValidationError(
                [
                    {
                        "type": "string_too_long",
                        "loc": ("query", "q"),
                        "msg": f"搜索词最多 {max_chars} 个字符，请缩短后再搜索",
                        "input": q,
                        "ctx": {"max_length": max_chars},
                    }
                ]
            )
        return q or None

    return q_param


__all__ = [
    "LIKE_ESCAPE",
    "MAX_SEARCH_CHARS",
    "SEARCH_TIMEOUT_MS",
    "SearchTimeout",
    "bounded",
    "contains",
    "escape_like",
    "search_text",
    "starts_with",
]
