"""Steps of a person's way through the console pages, over HTTP with cookies."""

from __future__ import annotations

import re
from typing import Any

import httpx

from console.domain import totp
from console.domain.accounts import Grant, Profile
from console.handlers import accounts as cases
from shared.auth import Role

PASSWORD = "Lanterns-2026"


def browser(app: Any, ip: str = "127.0.0.1", base_url: str = "http://console.test") -> httpx.AsyncClient:
    """A client that keeps cookies, as one person's browser (its own peer address)."""
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


async def invite(app: Any, login: str, roles: list[Grant] | None = None, email: str | None = None) -> str:
    """An invitation as staff make it; returns the one-time link's secret."""
    service = app.state.service
    async with service.unit_of_work() as uow:
        _, events = await cases.invite(
            uow.stores.accounts,
            Profile(login, f"用户{login}", email or f"{login}@example.org"),
            roles or [Grant(Role.REVIEWER)],
            actor="tester",
            now=service.clock(),
            links=service.links,
        )
        uow.emit(events)
    return str(events[0].invitation_url).rsplit("/", 1)[1]


async def set_password(client: httpx.AsyncClient, secret: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get(f"/password/{secret}")
    assert page.status_code == 200, page.text
    return await client.post(
        f"/password/{secret}", data={"csrf_token": csrf_of(page.text), "password": password, "confirm": password}
    )


async def sign_in(client: httpx.AsyncClient, login: str, password: str = PASSWORD, next: str = "") -> httpx.Response:
    page = await client.get("/sign-in")
    return await client.post(
        "/sign-in", data={"csrf_token": csrf_of(page.text), "login": login, "password": password, "next": next}
    )


async def person(app: Any, client: httpx.AsyncClient, login: str, roles: list[Grant] | None = None) -> None:
    """An active account signed in on `client` (without a second factor)."""
    await set_password(client, await invite(app, login, roles))
    answer = await sign_in(client, login)
    assert answer.status_code == 303 and answer.headers["location"] == "/account", answer.text


async def enrol(client: httpx.AsyncClient, clock: Any) -> tuple[str, list[str]]:
    """Set up TOTP on the signed-in (or enrolling) session; returns the secret and recovery codes."""
    page = await client.get("/account/totp")
    assert page.status_code == 200, page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    done = await client.post(
        "/account/totp", data={"csrf_token": csrf_of(page.text), "code": totp.code_at(secret, clock())}
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    return secret, codes


async def admin(app: Any, client: httpx.AsyncClient, clock: Any, login: str = "alice") -> str:
    """A district admin signed in with TOTP on `client`; returns the TOTP secret."""
    await set_password(client, await invite(app, login, [Grant(Role.DISTRICT_ADMIN)]))
    answer = await sign_in(client, login)
    assert answer.headers["location"].startswith("/account/totp"), answer.text
    secret, codes = await enrol(client, clock)
    assert len(codes) == 10
    return secret
