"""HTTP in tests: a caller's token, an app on a real socket, and a raw client that streams a body."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from shared.auth import DEV_ISSUER, DEV_KEYS_DIR, KeyRing, Role, mint
from testkit.waiting import eventually


def token(
    role: Role | str,
    *,
    sub: str = "tester",
    street: str | None = None,
    org_id: Any = None,
    purchaser: str | None = None,
    community: str | None = None,
    ttl_seconds: int = 3600,
) -> dict[str, str]:
    """Authorization header for a role, signed by the development issuer's key ring (`var/issuer-keys/`,
    created here if `make provision` has not made it yet)."""
    return {
        "Authorization": "Bearer "
        + mint(
            dev_ring(),
            issuer=DEV_ISSUER,
            sub=sub,
            role=role,
            street=street,
            org_id=org_id,
            purchaser=purchaser,
            community=community,
            ttl_seconds=ttl_seconds,
        )
    }


@cache
def dev_ring() -> KeyRing:
    """The development key ring, as the development issuer (the console) signs with it."""
    return KeyRing.ensure(DEV_KEYS_DIR, development=True)


@asynccontextmanager
async def served(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "on", http: Literal["httptools", "h11"] = "httptools"
) -> AsyncIterator[int]:
    """`app` served by uvicorn in this process on a free port of 127.0.0.1, for tests that need a
    real socket (what a client sees, not what an ASGI transport shows); yields the port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan=lifespan, http=http, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: asyncio.sleep(0, result=server.started or task.done()), timeout=60)
        if task.done():
            task.result()  # raises why it did not start
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class RawAnswer:
    """A server's answer to a raw request, and how much of the body the client had sent by then."""

    status: int
    headers: dict[str, str]
    body: bytes
    sent: int
    closed: bool


async def send_until_answered(port: int, head: str, body: Iterable[bytes], *, timeout: float = 10.0) -> RawAnswer:
    """Send a request's head, then its body piece by piece, and stop sending as soon as the server
    answers (as a client streaming a large upload would); fails if no answer comes within `timeout`
    of the last piece sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode())
        await writer.drain()
        answer = asyncio.create_task(reader.readuntil(b"\r\n\r\n"))
        sent = 0
        for piece in body:
            if answer.done():
                break
            try:
                writer.write(piece)
                await writer.drain()
            except ConnectionError:  # the server answered and closed meanwhile
                break
            sent += len(piece)
            await asyncio.wait({answer}, timeout=0.01)  # the server (same event loop) gets its turn
        raw = await asyncio.wait_for(answer, timeout)
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines if ":" in h)}
        content = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), timeout)
        try:  # uvicorn keeps an idle connection open for 5 s: an earlier end is the server closing it
            closed = await asyncio.wait_for(reader.read(1), 1.0) == b""
        except ConnectionError:
            closed = True
        except TimeoutError:
            closed = False
        return RawAnswer(int(status_line.split()[1]), headers, content, sent, closed)
    finally:
        writer.close()
