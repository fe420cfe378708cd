"""The HTTP edge of every service app: what no route should read is refused before it is read.

A pure ASGI middleware (`RequestEdge`, installed by `Service.http_app`) watches the request body:

- Each route may read at most its limit — the app's `max_body_bytes`, or a larger one named for a
  route (registry's roster import). A body declared larger (Content-Length) is refused when the
  route first asks for it, before a byte is read; a chunked one as soon as its running total
  passes the limit. Either is a 413 with the limit in the message.
- A route that needs a bearer token (its dependencies include `current_principal`) gets no body
  from a caller without a valid one: the token is checked when the route first asks for the body
  (FastAPI reads the body before it solves dependencies, so without this a 10 GB upload without
  a token was spooled to disk before its 401).
- A response to a request whose body was not read to its end says `Connection: close`: uvicorn
  then closes the connection instead of reading and discarding the rest of the body.

The checks hook the body's `receive`, not the routing: the route is known by then
(`scope["route"]`), and a route that never reads a body costs nothing. Not Starlette's
`RequestBodyLimitMiddleware` (FastAPI's `max_body_size`): it checks the size before anyone checks
the token, and when a declared size is over it replaces whatever the app answers — a 401 too —
with an English plain-text 413, which is not the kit's error shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException, status
from fastapi.dependencies.models import Dependant
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import authenticate, bearer_token, current_principal

MiB = 1024 * 1024


def _size(limit: int) -> str:
    return f"{limit / MiB:g} MB" if limit >= MiB else f"{limit / 1024:g} KB" if limit >= 1024 else f"{limit} 字节"


class BodyTooLarge(HTTPException):
    """A body over the route's limit: a 413 in the shape of every other HTTP error."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, detail=f"请求体超过此接口 {_size(limit)} 的上限，未予处理")


def _needs_token(dependant: Dependant) -> bool:
    return any(d.call is current_principal or _needs_token(d) for d in dependant.dependencies)


class RequestEdge:
    """Body size limits and token-before-body for one app (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, route_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.route_limits = dict(route_limits or {})
        self._token_routes: dict[int, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _RequestBody(self, scope, receive)
        await self.app(scope, body.receive, body.send_closing_if_unread(send))

    def limit_for(self, route: Any) -> int:
        return self.route_limits.get(getattr(route, "path", ""), self.max_body_bytes)

    def needs_token(self, route: Any) -> bool:
        """Whether the route refuses callers without a valid bearer token (cached per route)."""
        known = self._token_routes.get(id(route))
        if known is None:
            dependant = getattr(route, "dependant", None)
            known = self._token_routes[id(route)] = dependant is not None and _needs_token(dependant)
        return known


class _RequestBody:
    """One request's body as the route reads it, checked on the way in."""

    def __init__(self, edge: RequestEdge, scope: Scope, receive: Receive) -> None:
        self.edge, self.scope, self._receive = edge, scope, receive
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        self.declared = int(length) if length and length.isdigit() else None
        self.expects_body = bool(self.declared) or "transfer-encoding" in headers
        self.received = 0
        self.complete = not self.expects_body
        self.limit: int | None = None

    async def receive(self) -> Message:
        if self.limit is None:
            await self._admit()
        assert self.limit is not None
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.complete = not message.get("more_body", False)
            if self.received > self.limit:
                raise BodyTooLarge(self.limit)
        return message

    async def _admit(self) -> None:
        """The first read: the route is known; refuse before reading if the caller or size is wrong."""
        route = self.scope.get("route")
        self.limit = self.edge.limit_for(route)
        if self.expects_body and route is not None and self.edge.needs_token(route):
            await authenticate(self.scope["app"].state.token_verifier, bearer_token(Headers(scope=self.scope)))
        if self.declared is not None and self.declared > self.limit:
            raise BodyTooLarge(self.limit)

    def send_closing_if_unread(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and not self.complete:
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        return sending


__all__ = ["BodyTooLarge", "MiB", "RequestEdge"]
