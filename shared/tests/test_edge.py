"""The HTTP edge: bodies over a route's limit are 413 and bodies without a valid token are 401, both
before the body is read; public routes keep working."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from shared.auth import Principal, Role, require
from shared.edge import MiB
from shared.service import Service, ServiceSettings
from testkit import forged_token, send_until_answered, served, token

from .conftest import EMPTY_MIGRATIONS

ADMIN = token("district_admin", sub="alice")
FORGED = forged_token("district_admin", sub="mallory")
EXPIRED = token("district_admin", sub="alice", ttl_seconds=-60)
LIMIT = 64 * 1024
BIG_LIMIT = 256 * 1024


class Note(BaseModel):
    text: str


def kit_app(**settings: Any) -> Any:
    """A service app with a token-guarded write, a public write and a route with a larger limit;
    the service is not started: the edge needs neither database nor broker."""
    router = APIRouter()

    @router.post("/notes")
    async def add_note(note: Note, who: Principal = Depends(require(Role.DISTRICT_ADMIN))) -> dict[str, int]:
        return {"chars": len(note.text)}

    @router.post("/public/echo")
    async def echo(note: Note) -> dict[str, int]:
        return {"chars": len(note.text)}

    @router.post("/bulk")
    async def bulk(note: Note, who: Principal = Depends(require(Role.DISTRICT_ADMIN))) -> dict[str, int]:
        return {"chars": len(note.text)}

    service = Service("kit", ServiceSettings(max_body_bytes=LIMIT, **settings), migrations=EMPTY_MIGRATIONS)
    return service.http_app(title="kit", description="kit", routers=[router], body_limits={"/bulk": BIG_LIMIT})


def note_of(size: int) -> bytes:
    return json.dumps({"text": "x" * (size - 12)}).encode()  # {"text": "…"} is 12 bytes around the text


class Upload:
    """An ASGI request whose body is handed out on demand, counting what the app pulled."""

    def __init__(self, path: str, headers: dict[str, str], body: bytes, *, declare: int | None, piece: int = 16384):
        self.pieces = [body[i : i + piece] for i in range(0, len(body), piece)] or [b""]
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        raw.append((b"content-type", b"application/json"))
        raw.append(
            (b"content-length", str(declare).encode()) if declare is not None else (b"transfer-encoding", b"chunked")
        )
        self.scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
                      "headers": raw, "http_version": "1.1", "scheme": "http", "server": ("kit", 80),
                      "client": ("127.0.0.1", 5000), "root_path": ""}  # fmt: skip
        self.pulled = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        piece = self.pieces[self.pulled] if self.pulled < len(self.pieces) else b""
        self.pulled += 1
        return {"type": "http.request", "body": piece, "more_body": self.pulled < len(self.pieces)}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    async def run(self, app: Any) -> tuple[int, dict[str, str], Any]:
        await app(self.scope, self.receive, self.send)
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        headers = {k.decode(): v.decode() for k, v in start["headers"]}
        body = b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")
        return start["status"], headers, json.loads(body)


@pytest.mark.parametrize(
    ("who", "detail"),
    [
        ({}, "authentication required"),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "authentication required"),
        (FORGED, "invalid token: Signature verification failed"),
        (EXPIRED, "invalid token: Signature has expired"),
    ],
    ids=["none", "basic", "forged", "expired"],
)
async def test_a_body_without_a_valid_token_is_a_401_before_any_of_it_is_read(who, detail):
    upload = Upload("/notes", who, note_of(LIMIT - 1), declare=10 * 1024**3)  # declares 10 GB
    status, headers, body = await upload.run(kit_app())
    assert (status, body) == (401, {"detail": detail})
    assert upload.pulled == 0  # not one piece of the body was asked for
    assert headers["www-authenticate"] == "Bearer" and headers["connection"] == "close"


async def test_a_declared_body_over_the_limit_is_a_413_in_chinese_before_any_of_it_is_read():
    upload = Upload("/notes", ADMIN, note_of(LIMIT + 1), declare=LIMIT + 1)
    status, headers, body = await upload.run(kit_app())
    assert status == 413 and upload.pulled == 0
    assert body["detail"] == "请求体超过此接口 64 KB 的上限，未予处理" and headers["connection"] == "close"


async def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit():
    upload = Upload("/notes", ADMIN, note_of(4 * LIMIT), declare=None, piece=16384)
    status, _, body = await upload.run(kit_app())
    assert status == 413, body
    assert upload.pulled == LIMIT // 16384 + 1  # the piece that crossed the limit, not one more
    assert len(upload.pieces) == 16


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
async def test_bodies_within_the_limit_and_a_larger_limit_for_a_named_route_pass(declare):
    for path, size in [("/notes", LIMIT), ("/bulk", BIG_LIMIT)]:
        upload = Upload(path, ADMIN, note_of(size), declare=size if declare else None)
        status, headers, body = await upload.run(kit_app())
        assert (status, body) == (200, {"chars": size - 12})
        assert "connection" not in headers  # read to its end: the connection may stay open
    over = Upload("/bulk", ADMIN, note_of(BIG_LIMIT + 1), declare=BIG_LIMIT + 1)
    status, _, body = await over.run(kit_app())
    assert status == 413 and "256 KB" in body["detail"] and over.pulled == 0


async def test_public_routes_take_bodies_without_a_token_and_keep_the_limit():
    status, _, body = await Upload("/public/echo", {}, note_of(100), declare=100).run(kit_app())
    assert (status, body) == (200, {"chars": 88})
    over = Upload("/public/echo", {}, note_of(LIMIT + 1), declare=LIMIT + 1)
    assert (await over.run(kit_app()))[0] == 413 and over.pulled == 0


async def test_health_docs_and_unknown_paths_are_untouched():
    app = kit_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/docs")).status_code == 200
        assert (await client.post("/nowhere", content=b"x" * 100)).status_code == 404
        # A route that needs a token but gets no body still answers 401 through its dependency.
        assert (await client.post("/notes")).status_code == 401


def test_a_limit_for_a_path_no_route_has_is_refused_when_the_app_is_built():
    service = Service("kit", ServiceSettings(), migrations=EMPTY_MIGRATIONS)
    with pytest.raises(ValueError, match="/imprts"):
        service.http_app(title="kit", description="kit", body_limits={"/imprts": MiB})


# --- through a real server: what a client streaming a large body sees --------------------------


def head(path: str, *lines: str) -> str:
    return "\r\n".join([f"POST {path} HTTP/1.1", "Host: kit", "Content-Type: application/json", *lines, "", ""])


def chunked(pieces: int, size: int = 16384) -> list[bytes]:
    return [f"{size:x}\r\n".encode() + b"x" * size + b"\r\n" for _ in range(pieces)]


@pytest.mark.parametrize("http", ["httptools", "h11"])
async def test_a_10_gb_upload_without_a_token_is_answered_401_after_its_first_16_kb(http):
    async with served(kit_app(), lifespan="off", http=http) as port:
        answer = await send_until_answered(port, head("/notes", "Content-Length: 10737418240"), [b"x" * 16384])
    assert answer.status == 401 and answer.sent == 16384
    assert answer.closed  # the server does not stay to drain the other 10 GB


@pytest.mark.parametrize("http", ["httptools", "h11"])
async def test_a_chunked_upload_over_the_limit_is_answered_413_while_the_client_is_still_sending(http):
    bearer = ADMIN["Authorization"]
    async with served(kit_app(), lifespan="off", http=http) as port:
        answer = await send_until_answered(
            port, head("/notes", f"Authorization: {bearer}", "Transfer-Encoding: chunked"), chunked(640)
        )  # 10 MB offered
    assert answer.status == 413, answer.body
    assert answer.sent < LIMIT + 256 * 1024  # the limit and what the server buffers ahead, not 10 MB
    assert "64 KB" in json.loads(answer.body)["detail"] and answer.closed
