"""My account: who I am, my roles and the one I act in, my password, my second factor, my sessions;
and the session's short-lived access token for the pages' calls to the services."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from console.api.common import (
    SESSION_COOKIE,
    Visitor,
    check_csrf,
    client_ip,
    now_of,
    problem,
    redirect,
    render,
    service_of,
    set_cookie,
    visitor,
)
from console.domain import totp
from console.domain.navigation import safe_next
from console.domain.secrets import digest
from console.handlers import signin, tokens
from shared.errors import DomainError, Invalid

router = APIRouter(tags=["account"], include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]


def _to_sign_in(request: Request) -> Response:
    return redirect(f"/sign-in?next={request.url.path}")


@router.get("/account", response_class=HTMLResponse)
async def my_account(request: Request, who: Who) -> Response:
    if not who.signed_in or who.account is None:
        return _to_sign_in(request)
    async with service_of(request).reading() as stores:
        codes_left = await stores.accounts.recovery_codes_left(who.account.account_id)
        sessions = await stores.sessions.count_of_account(who.account.account_id, now_of(request))
    return render(request, who, "account.html", {"codes_left": codes_left, "sessions": sessions})


@router.post("/account/acting-role")
async def acting_role(request: Request, who: Who, role: Annotated[int, Form(ge=0, le=50)] = 0) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    if not who.signed_in or who.account is None or who.session_hash is None:
        return _to_sign_in(request)
    if role >= len(who.account.roles):
        return problem(request, who, Invalid("role", "没有这个角色"))
    async with service_of(request).unit_of_work() as uow:
        await uow.stores.sessions.set_acting_role(who.session_hash, role)
    return redirect("/account")


@router.post("/account/password")
async def change_password(
    request: Request,
    who: Who,
    current_password: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    if not who.signed_in or who.account is None or who.session is None:
        return _to_sign_in(request)
    service = service_of(request)
    try:
        if password != confirm:
            raise Invalid("confirm", "两次输入的新密码不一致")
        async with service.unit_of_work() as uow:
            secret = await signin.change_password(
                uow.stores.accounts,
                uow.stores.sessions,
                service.passwords,
                who.account.account_id,
                current_password,
                password,
                acting_role=who.session.acting_role,
                now=now_of(request),
                limits=service.limits,
                ip=client_ip(request),
            )
    except DomainError as exc:
        async with service.reading() as stores:
            codes_left = await stores.accounts.recovery_codes_left(who.account.account_id)
            sessions = await stores.sessions.count_of_account(who.account.account_id, now_of(request))
        return render(
            request,
            who,
            "account.html",
            {"password_error": exc.message, "codes_left": codes_left, "sessions": sessions},
            status_code=exc.status_code,
        )
    response = redirect("/account?changed=password")
    set_cookie(response, request, SESSION_COOKIE, secret, max_age=int(service.limits.session.total_seconds()))
    return response


@router.get("/account/totp", response_class=HTMLResponse)
async def totp_enrolment(request: Request, who: Who, next: str | None = None) -> Response:
    if who.session is None or who.account is None or who.session.stage not in ("enrol", "full"):
        return _to_sign_in(request)
    if who.account.totp_enabled:
        return redirect("/account")
    async with service_of(request).unit_of_work() as uow:
        secret = await signin.begin_enrolment(uow.stores.accounts, who.account.account_id)
    uri = totp.provisioning_uri(secret, who.account.login)
    qr = segno.make(uri, error="m").svg_inline(scale=5, title="两步验证二维码")
    return render(
        request,
        who,
        "totp_enrol.html",
        {"qr": qr, "secret": secret, "uri": uri, "next": safe_next(next), "required": who.session.stage == "enrol"},
    )


@router.post("/account/totp", response_class=HTMLResponse)
async def confirm_totp(
    request: Request,
    who: Who,
    code: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    if who.session_hash is None or who.account is None:
        return _to_sign_in(request)
    service = service_of(request)
    try:
        async with service.unit_of_work() as uow:
            secret, codes = await signin.confirm_enrolment(
                uow.stores.accounts,
                uow.stores.sessions,
                who.session_hash,
                code,
                ip=client_ip(request),
                now=now_of(request),
                limits=service.limits,
            )
    except DomainError as exc:
        async with service.reading() as stores:
            account = await stores.accounts.get(who.account.account_id)
        totp_secret = account.totp_secret if account and account.totp_secret else ""
        uri = totp.provisioning_uri(totp_secret, who.account.login)
        qr = segno.make(uri, error="m").svg_inline(scale=5, title="两步验证二维码")
        return render(
            request,
            who,
            "totp_enrol.html",
            {
                "qr": qr,
                "secret": totp_secret,
                "uri": uri,
                "next": safe_next(next),
                "error": exc.message,
                "required": who.session is not None and who.session.stage == "enrol",
            },
            status_code=exc.status_code,
        )
    fresh = await visitor_after(request, secret)
    response = render(request, fresh, "recovery_codes.html", {"codes": codes, "next": safe_next(next)})
    set_cookie(response, request, SESSION_COOKIE, secret, max_age=int(service.limits.session.total_seconds()))
    return response


async def visitor_after(request: Request, secret: str) -> Visitor:
    """The visitor under a session id issued during this request (for the page answering it)."""
    service = service_of(request)
    async with service.reading() as stores:
        session = await stores.sessions.get(digest(secret), now_of(request))
        account = await stores.accounts.get(session.account_id) if session else None
    return Visitor(secret, session, account)


@router.post("/session/token")
async def session_token(request: Request, who: Who) -> Response:
    """A short-lived access token for the session's acting role (X-CSRF-Token header required)."""
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
    if who.session_hash is None:
        return JSONResponse({"detail": "未登录"}, status_code=401)
    service = service_of(request)
    async with service.reading() as stores:
        issued = await tokens.for_session(
            stores.accounts,
            stores.sessions,
            who.session_hash,
            now=now_of(request),
            minter=service.minter,
            ttl_seconds=service.access_ttl,
        )
    if issued is None:
        return JSONResponse({"detail": "未登录或账号已停用"}, status_code=401)
    return JSONResponse(issued.oauth(), headers={"Cache-Control": "no-store"})
