"""Paged lists: every list endpoint takes `page` and `page_size` and says the total.

A route takes `paging: Paging` (a dependency) and returns `paging.of(items)` — the page cut
from the whole, ordered list — or, when it pages in SQL, its page after `paging.total(n)`.
The body stays the list it always was; the answer's headers carry the rest:

- `X-Total-Count`: how many items the whole list holds;
- `Link` (RFC 8288): `first`, `prev`, `next` and `last` pages, with the request's own filters.

Decorate the route with `responses=PAGED` so its OpenAPI document shows the parameters' meaning
and the headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page of the list, in the list's order",
        "headers": {
            "X-Total-Count": {
                "description": "How many items the whole list holds (all pages)",
                "schema": {"type": "integer", "minimum": 0},
            },
            "Link": {
                "description": "RFC 8288 links to the `first`, `prev`, `next` and `last` pages",
                "schema": {"type": "string"},
            },
        },
    }
}


class Paging:
    """The page a request asks for, and the headers its answer gets."""

    def __init__(
        self,
        request: Request,
        response: Response,
        page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
        page_size: Annotated[
            int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})")
        ] = DEFAULT_PAGE_SIZE,
    ) -> None:
        self.page, self.page_size = page, page_size
        self._request, self._response = request, response

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size

    def of(self, items: Sequence[T]) -> list[T]:
        """This page of the whole list `items`, with the total and links set."""
        self.total(len(items))
        return list(items[self.offset : self.offset + self.page_size])

    def total(self, count: int) -> None:
        """Set `X-Total-Count` and `Link` for a list of `count` items (when the route pages itself)."""
        self._response.headers["X-Total-Count"] = str(count)
        last = max(1, -(-count // self.page_size))
        links = [("first", 1), ("last", last)]
        if self.page > 1:
            links.append(("prev", min(self.page - 1, last)))
        if self.page < last:
            links.append(("next", self.page + 1))
        url = self._request.url
        self._response.headers["Link"] = ", ".join(
            f'<{url.include_query_params(page=n, page_size=self.page_size)}>; rel="{rel}"' for rel, n in links
        )


PagingDep = Annotated[Paging, Depends()]
