"""The one composition root: wires settings, the kit's runtime, consumers, pages and static assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from console import api
from console.config import Settings
from console.service import ConsoleService
from shared.clock import Now, real_now

STATIC = Path(__file__).parent / "static"
# No inline script or style anywhere (htmx's indicator styles are off, see base.html); no frame may
# hold a page (clickjacking); no Referer leaves a page (a one-time link's URL is a secret).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
    " frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def build_service(settings: Settings, clock: Now = real_now) -> ConsoleService:
    """The service with its consumers registered (also used by provisioning to declare queues)."""
    return ConsoleService(settings, clock)


def create_app(settings: Settings | None = None, *, clock: Now = real_now) -> FastAPI:
    settings = settings or Settings()
    service = build_service(settings, clock)
    routers = [*api.routers, *(api.development_routers if settings.environment == "development" else [])]
    app = service.http_app(
        title="东城区社会组织指导服务中心 控制台 Console",
        description="Accounts, sign-in and the token issuer (OIDC discovery, JWKS, client credentials).",
        routers=routers,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app
