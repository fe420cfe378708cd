"""The staff pages: the list of accounts (filter in the URL; htmx swaps the table), inviting a
person, and one account with its audit and the actions on it. District admins only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse

from console.access import check_manages_accounts, check_not_self
from console.api.common import (
    Visitor,
    check_csrf,
    client_ip,
    now_of,
    problem,
    redirect,
    render,
    service_of,
    visitor,
)
from console.domain.accounts import Grant, Profile, Status
from console.handlers import accounts as cases
from shared.auth import Role
from shared.errors import DomainError, Invalid, NotFound
from shared.reference import STREETS

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]


def _grant(role: str, street: str, community: str, purchaser: str, org_id: str) -> Grant:
    org: UUID | None = None
    if role == Role.ORG.value:
        try:
            org = UUID(org_id.strip())
        except ValueError:
            raise Invalid("org_id", "组织编号格式不正确") from None
    return Grant.of(role, street=street, community=community, purchaser=purchaser, org_id=org)


def _grants(
    form_roles: list[str], streets: list[str], communities: list[str], purchasers: list[str], orgs: list[str]
) -> list[Grant]:
    """Rows of the roles table; a row without a role is left out."""

    def at(values: list[str], i: int) -> str:
        return values[i] if i < len(values) else ""

    return [
        _grant(role, at(streets, i), at(communities, i), at(purchasers, i), at(orgs, i))
        for i, role in enumerate(form_roles)
        if role
    ]


def _form_context(**extra: object) -> dict[str, object]:
    return {"streets": STREETS, "roles": [r for r in Role], **extra}


@router.get("/accounts", response_class=HTMLResponse)
async def accounts_list(request: Request, who: Who, q: str = "", status: str = "") -> Response:
    if not who.signed_in:
        return redirect("/sign-in?next=/staff/accounts")
    try:
        check_manages_accounts(who.principal)
    except DomainError as exc:
        return problem(request, who, exc)
    status = status if status in {s.value for s in Status} else ""
    async with service_of(request).reading() as stores:
        rows = await stores.accounts.listing(text=q.strip()[:100] or None, status=status or None)
    template = "staff/accounts_table.html" if request.headers.get("hx-request") else "staff/accounts.html"
    return render(request, who, template, {"rows": rows, "q": q, "status": status})


@router.get("/accounts/new", response_class=HTMLResponse)
async def new_account(request: Request, who: Who) -> Response:
    if not who.signed_in:
        return redirect("/sign-in?next=/staff/accounts/new")
    try:
        check_manages_accounts(who.principal)
    except DomainError as exc:
        return problem(request, who, exc)
    return render(request, who, "staff/new.html", _form_context(form={}))


@router.post("/accounts", response_class=HTMLResponse)
async def invite(
    request: Request,
    who: Who,
    login: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=300)] = "",
    phone: Annotated[str, Form(max_length=60)] = "",
    role: Annotated[list[str] | None, Form()] = None,
    street: Annotated[list[str] | None, Form()] = None,
    community: Annotated[list[str] | None, Form()] = None,
    purchaser: Annotated[list[str] | None, Form()] = None,
    org_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"login": login, "display_name": display_name, "email": email, "phone": phone}
    service = service_of(request)
    try:
        await check_csrf(request, who)
        check_manages_accounts(who.principal)
        assert who.principal is not None
        grants = _grants(role or [], street or [], community or [], purchaser or [], org_id or [])
        async with service.unit_of_work() as uow:
            account, events = await cases.invite(
                uow.stores.accounts,
                Profile(login, display_name, email, phone),
                grants,
                actor=who.principal.sub,
                now=now_of(request),
                links=service.links,
                ip=client_ip(request),
            )
            uow.emit(events)
    except DomainError as exc:
        if exc.code in ("csrf", "forbidden"):
            return problem(request, who, exc)
        field = getattr(exc, "field", "")
        return render(
            request,
            who,
            "staff/new.html",
            _form_context(form=form, error=exc.message, field=field),
            status_code=exc.status_code,
        )
    return redirect(f"/staff/accounts/{account.account_id}?done=invited")


async def _account_page(
    request: Request, who: Who, account_id: UUID, *, status_code: int = 200, **extra: object
) -> Response:
    async with service_of(request).reading() as stores:
        account = await stores.accounts.get(account_id)
        if account is None:
            return problem(request, who, NotFound("账号不存在"))
        audit = await stores.accounts.audit_of(account_id)
        sessions = await stores.sessions.count_of_account(account_id, now_of(request))
    return render(
        request,
        who,
        "staff/account.html",
        _form_context(account=account, audit=audit, sessions=sessions, **extra),
        status_code=status_code,
    )


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
async def account_page(request: Request, who: Who, account_id: UUID, done: str = "") -> Response:
    if not who.signed_in:
        return redirect(f"/sign-in?next=/staff/accounts/{account_id}")
    try:
        check_manages_accounts(who.principal)
    except DomainError as exc:
        return problem(request, who, exc)
    return await _account_page(request, who, account_id, done=done)


async def _act(
    request: Request, who: Visitor, account_id: UUID, action: str, reason: str = "", grants: list[Grant] | None = None
) -> Response:
    service = service_of(request)
    try:
        await check_csrf(request, who)
        check_manages_accounts(who.principal)
        principal = who.principal
        assert principal is not None
        async with service.unit_of_work() as uow:
            target = await uow.stores.accounts.get(account_id)
            if target is None:
                raise NotFound("账号不存在")
            now, ip, actor = now_of(request), client_ip(request), principal.sub
            if action == "disable":
                check_not_self(principal, target.login, "停用")
                events = await cases.disable(
                    uow.stores.accounts, uow.stores.sessions, account_id, reason, actor=actor, now=now, ip=ip
                )
            elif action == "enable":
                events = await cases.enable(uow.stores.accounts, account_id, actor=actor, now=now, ip=ip)
            elif action == "reset":
                events = await cases.reset_password(
                    uow.stores.accounts, account_id, actor=actor, now=now, links=service.links, ip=ip
                )
            else:
                check_not_self(principal, target.login, "修改角色：")
                events = await cases.change_roles(
                    uow.stores.accounts, uow.stores.sessions, account_id, grants or [], actor=actor, now=now, ip=ip
                )
            uow.emit(events)
    except DomainError as exc:
        if exc.code in ("csrf", "forbidden", "not_found"):
            return problem(request, who, exc)
        return await _account_page(
            request, who, account_id, status_code=exc.status_code, error=exc.message, action=action
        )
    return redirect(f"/staff/accounts/{account_id}?done={action}")


@router.post("/accounts/{account_id}/disable", response_class=HTMLResponse)
async def disable(
    request: Request, who: Who, account_id: UUID, reason: Annotated[str, Form(max_length=600)] = ""
) -> Response:
    return await _act(request, who, account_id, "disable", reason=reason)


@router.post("/accounts/{account_id}/enable", response_class=HTMLResponse)
async def enable(request: Request, who: Who, account_id: UUID) -> Response:
    return await _act(request, who, account_id, "enable")


@router.post("/accounts/{account_id}/reset", response_class=HTMLResponse)
async def reset(request: Request, who: Who, account_id: UUID) -> Response:
    return await _act(request, who, account_id, "reset")


@router.post("/accounts/{account_id}/roles", response_class=HTMLResponse)
async def roles(
    request: Request,
    who: Who,
    account_id: UUID,
    role: Annotated[list[str] | None, Form()] = None,
    street: Annotated[list[str] | None, Form()] = None,
    community: Annotated[list[str] | None, Form()] = None,
    purchaser: Annotated[list[str] | None, Form()] = None,
    org_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        await check_csrf(request, who)
        check_manages_accounts(who.principal)
    except DomainError as exc:
        return problem(request, who, exc)
    try:
        grants = _grants(role or [], street or [], community or [], purchaser or [], org_id or [])
    except DomainError as exc:
        return await _account_page(
            request, who, account_id, status_code=exc.status_code, error=exc.message, action="roles"
        )
    return await _act(request, who, account_id, "roles", grants=grants)
