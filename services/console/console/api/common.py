"""What every page shares: the service, templates, the visitor's session from its cookie, CSRF
tokens bound to a cookie, safe `next=` targets, and the answers pages give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from console.access import may_manage_accounts
from console.domain.accounts import ACTION_NAMES, ROLE_NAMES, STATUS_NAMES, Account, Status
from console.domain.secrets import csrf_ok, csrf_token, digest, new_secret
from console.service import ConsoleService
from console.store.sessions import Session
from shared.auth import Principal
from shared.clock import DISTRICT_ZONE
from shared.errors import DomainError, Forbidden

SESSION_COOKIE = "sogc_session"
VISITOR_COOKIE = "sogc_visitor"  # binds an anonymous visitor's CSRF token (sign-in, set-password forms)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
TEMPLATES.env.globals.update(
    ROLE_NAMES=ROLE_NAMES, STATUS_NAMES=STATUS_NAMES, ACTION_NAMES=ACTION_NAMES, Status=Status, ZONE=DISTRICT_ZONE
)


def service_of(request: Request) -> ConsoleService:
    service: ConsoleService = request.app.state.service
    return service


def now_of(request: Request) -> datetime:
    return service_of(request).clock()


def client_ip(request: Request) -> str:
    """The peer's address (a proxy in front sets its own; X-Forwarded-For is not trusted)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Visitor:
    """Who is at the page: a session (possibly half-way through signing in) and its account, or nobody."""

    cookie: str | None
    session: Session | None
    account: Account | None

    @property
    def signed_in(self) -> bool:
        return self.session is not None and self.session.stage == "full" and self.account is not None

    @property
    def session_hash(self) -> bytes | None:
        return digest(self.cookie) if self.cookie and self.session else None

    @property
    def principal(self) -> Principal | None:
        """The signed-in person in their acting role."""
        if not self.signed_in or self.account is None or self.session is None or not self.account.roles:
            return None
        g = self.account.roles[min(self.session.acting_role, len(self.account.roles) - 1)]
        return Principal(
            sub=self.account.login,
            role=g.role,
            street=g.street,
            org_id=g.org_id,
            purchaser=g.purchaser,
            community=g.community,
        )


async def visitor(request: Request) -> Visitor:
    """The visitor of this request, from the session cookie (a disabled account has no session)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 100:
        return Visitor(None, None, None)
    service = service_of(request)
    async with service.reading() as stores:
        session = await stores.sessions.get(digest(cookie), service.clock())
        account = await stores.accounts.get(session.account_id) if session else None
    if session is None or account is None or account.status is not Status.ACTIVE:
        return Visitor(cookie, None, None)
    return Visitor(cookie, session, account)


def csrf_binding(request: Request, who: Visitor) -> str | None:
    """The cookie value a CSRF token is bound to: the session's, else the anonymous visitor's."""
    if who.session is not None and who.cookie:
        return who.cookie
    return request.cookies.get(VISITOR_COOKIE)


async def check_csrf(request: Request, who: Visitor) -> None:
    """Every state-changing request carries the token of its page (form field or X-CSRF-Token header)."""
    presented = request.headers.get("x-csrf-token")
    if presented is None:
        form = await request.form()
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else None
    if not csrf_ok(service_of(request).console_settings.csrf_secret, csrf_binding(request, who), presented):
        raise Forbidden("页面已过期或请求来源无法确认（CSRF 校验失败），请刷新页面后重试", code="csrf")


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    settings = service_of(request).console_settings
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, secure=settings.secure_cookies, samesite="lax", path="/"
    )


def render(
    request: Request, who: Visitor, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """A page with the visitor's CSRF token; an anonymous visitor gets the cookie it is bound to."""
    fresh = None
    binding = csrf_binding(request, who)
    if binding is None:
        binding = fresh = new_secret()
    settings = service_of(request).console_settings
    principal = who.principal
    ctx = {
        "request": request,
        "csrf": csrf_token(settings.csrf_secret, binding),
        "who": who,
        "me": who.account if who.signed_in else None,
        "principal": principal,
        "staff": may_manage_accounts(principal),
        "development": settings.environment == "development",
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code)
    if fresh is not None:
        set_cookie(response, request, VISITOR_COOKIE, fresh)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def problem(request: Request, who: Visitor, exc: DomainError) -> HTMLResponse:
    """A refused request as a page (or the htmx fragment of one), in the users' words."""
    return render(request, who, "error.html", {"message": exc.message}, status_code=exc.status_code)
