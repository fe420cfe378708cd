"""Signing in (password, then the second factor), signing out, and setting a password through a
one-time link. Pages only map HTTP; the use cases decide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse

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
from console.domain.navigation import safe_next
from console.handlers import accounts as account_cases
from console.handlers import signin
from shared.errors import DomainError

router = APIRouter(tags=["sign-in"], include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]


def _signed_in(request: Request, secret: str, target: str) -> Response:
    response = redirect(target)
    set_cookie(
        response, request, SESSION_COOKIE, secret, max_age=int(service_of(request).limits.session.total_seconds())
    )
    return response


def _next_step(request: Request, outcome: signin.Outcome, target: str) -> Response:
    assert outcome.session is not None
    if outcome.stage == "password":
        return _signed_in(request, outcome.session, f"/sign-in/totp?next={target}")
    if outcome.stage == "enrol":
        return _signed_in(request, outcome.session, f"/account/totp?next={target}")
    return _signed_in(request, outcome.session, target)


@router.get("/")
async def home(who: Who) -> Response:
    return redirect("/account" if who.signed_in else "/sign-in")


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, who: Who, next: str | None = None, done: str | None = None) -> Response:
    if who.signed_in:
        return redirect(safe_next(next))
    return render(request, who, "sign_in.html", {"next": safe_next(next), "done": done})


@router.post("/sign-in")
async def sign_in(
    request: Request,
    who: Who,
    login: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    service, target = service_of(request), safe_next(next)
    async with service.unit_of_work() as uow:
        outcome = await signin.sign_in(
            uow.stores.accounts,
            uow.stores.sessions,
            service.passwords,
            login,
            password,
            ip=client_ip(request),
            now=now_of(request),
            limits=service.limits,
            previous=who.session_hash,
        )
    if not outcome.ok:
        return render(
            request,
            who,
            "sign_in.html",
            {"next": target, "error": outcome.message, "login": login},
            status_code=outcome.status,
        )
    return _next_step(request, outcome, target)


@router.get("/sign-in/totp", response_class=HTMLResponse)
async def totp_page(request: Request, who: Who, next: str | None = None) -> Response:
    if who.session is None or who.session.stage != "password":
        return redirect("/sign-in")
    return render(request, who, "sign_in_totp.html", {"next": safe_next(next)})


@router.post("/sign-in/totp")
async def totp_code(
    request: Request,
    who: Who,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    if who.session_hash is None:
        return redirect("/sign-in")
    service, target = service_of(request), safe_next(next)
    async with service.unit_of_work() as uow:
        outcome = await signin.second_factor(
            uow.stores.accounts,
            uow.stores.sessions,
            who.session_hash,
            code,
            ip=client_ip(request),
            now=now_of(request),
            limits=service.limits,
        )
    if not outcome.ok:
        if outcome.status in (423, 429) or outcome.message.startswith("请"):
            return render(
                request,
                Visitor(None, None, None),
                "sign_in.html",
                {"next": target, "error": outcome.message},
                status_code=outcome.status,
            )
        return render(
            request, who, "sign_in_totp.html", {"next": target, "error": outcome.message}, status_code=outcome.status
        )
    return _next_step(request, outcome, target)


@router.post("/sign-out")
async def sign_out(request: Request, who: Who) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    if who.session_hash is not None:
        async with service_of(request).unit_of_work() as uow:
            await uow.stores.sessions.delete(who.session_hash)
    response = redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/sign-out/everywhere")
async def sign_out_everywhere(request: Request, who: Who) -> Response:
    try:
        await check_csrf(request, who)
    except DomainError as exc:
        return problem(request, who, exc)
    if who.account is not None:
        async with service_of(request).unit_of_work() as uow:
            await signin.sign_out_everywhere(
                uow.stores.accounts,
                uow.stores.sessions,
                who.account.account_id,
                now=now_of(request),
                ip=client_ip(request),
            )
    response = redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/password/{secret}", response_class=HTMLResponse)
async def password_page(request: Request, who: Who, secret: str) -> Response:
    service = service_of(request)
    try:
        async with service.unit_of_work() as uow:
            account = await account_cases.open_link(uow.stores.accounts, secret[:100], now=now_of(request))
    except DomainError as exc:
        return problem(request, who, exc)
    return render(request, who, "set_password.html", {"account": account, "secret": secret})


@router.post("/password/{secret}")
async def set_password(
    request: Request,
    who: Who,
    secret: str,
    password: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    service = service_of(request)
    try:
        await check_csrf(request, who)
        async with service.unit_of_work() as uow:
            account = await account_cases.open_link(uow.stores.accounts, secret[:100], now=now_of(request))
    except DomainError as exc:
        return problem(request, who, exc)
    if password != confirm:
        return render(
            request,
            who,
            "set_password.html",
            {"account": account, "secret": secret, "error": "两次输入的密码不一致"},
            status_code=422,
        )
    try:
        async with service.unit_of_work() as uow:
            _, events = await account_cases.set_password(
                uow.stores.accounts,
                uow.stores.sessions,
                service.passwords,
                secret[:100],
                password,
                now=now_of(request),
                ip=client_ip(request),
            )
            uow.emit(events)
    except DomainError as exc:
        return render(
            request,
            who,
            "set_password.html",
            {"account": account, "secret": secret, "error": exc.message},
            status_code=exc.status_code,
        )
    response = redirect("/sign-in?done=password")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
