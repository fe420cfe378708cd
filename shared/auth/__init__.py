"""Bearer-token authentication and role checks as FastAPI dependencies, and token minting.

Roles (docs/architecture.md §4): district_admin, street_officer (claim `street`), reviewer, monitor,
org (claim `org_id`), district_department (claim `purchaser`), community_worker (claims `street`
and `community`). Tokens are ES256 JWTs signed by the issuer (the console) with a private key only
it holds (`shared.auth.keys.KeyRing`); services verify them with the issuer's public keys
(`shared.auth.verify.TokenVerifier`) and cannot mint one. Operators mint with the issuer's key
directory: `python -m ops.tokens mint --role … --sub …`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol
from uuid import UUID

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from shared.auth.keys import ALGORITHM, DEV_KEYS_DIR, DEV_KID_PREFIX, KeyRing
from shared.auth.principal import Principal, Role
from shared.auth.verify import ClaimMap, JwksFile, JwksUrl, StaticJwks, TokenVerifier

AUDIENCE = "sogc"
# The development issuer: the console on its `make run` port.
DEV_ISSUER = "http://127.0.0.1:8005"
DEV_JWKS_FILE = DEV_KEYS_DIR / "jwks.json"
DEV_JWKS_URL = f"{DEV_ISSUER}/.well-known/jwks.json"


def mint(
    ring: KeyRing,
    *,
    issuer: str,
    audience: str = AUDIENCE,
    sub: str,
    role: Role | str,
    street: str | None = None,
    org_id: UUID | str | None = None,
    purchaser: str | None = None,
    community: str | None = None,
    ttl_seconds: int,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """A token for one role, signed with the ring's active key: `iss`, `sub`, `aud`, `exp`, `iat`,
    `jti` and the role's claims (`extra` adds others, never replacing these)."""
    now = int(time.time())
    claims: dict[str, Any] = dict(extra or {})
    claims.update(
        {
            "iss": issuer,
            "sub": sub,
            "aud": audience,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()),
            "role": str(Role(role)),
        }
    )
    for name, value in (("street", street), ("org_id", org_id), ("purchaser", purchaser), ("community", community)):
        if value:
            claims[name] = str(value)
    return ring.sign(claims)


_bearer = HTTPBearer(auto_error=False)


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The credentials of an `Authorization: Bearer …` header, read as `HTTPBearer` reads them."""
    scheme, credentials = get_authorization_scheme_param(headers.get("authorization"))
    return credentials if scheme.lower() == "bearer" and credentials else None


def _unauthenticated(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def verify_or_401(verifier: TokenVerifier, token: str) -> Principal:
    try:
        return await verifier.verify(token)
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise _unauthenticated(f"invalid token: {exc}") from exc


async def authenticate(verifier: TokenVerifier, token: str | None) -> Principal:
    """The caller of a route that needs a token; a 401 without one or with a bad one."""
    if token is None:
        raise _unauthenticated("authentication required")
    return await verify_or_401(verifier, token)


class DisabledSubjects(Protocol):
    async def named(self, subject: str) -> bool: ...


async def _not_disabled(request: Request, principal: Principal) -> Principal:
    """The caller, unless the console has disabled its account (shared/runtime/revocation.py):
    then its token is no longer good, however long it still has to live."""
    accounts: DisabledSubjects | None = getattr(request.app.state, "disabled_accounts", None)
    if accounts is not None and await accounts.named(principal.sub):
        raise _unauthenticated("账号已停用：此令牌不再有效")
    return principal


async def optional_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal | None:
    """The caller, or None for an anonymous (public) request; a bad token is still a 401."""
    if credentials is None:
        return None
    return await _not_disabled(request, await verify_or_401(_verifier(request), credentials.credentials))


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The caller of a route that needs a token (the HTTP edge checks the same before a body is read)."""
    principal = await authenticate(_verifier(request), None if credentials is None else credentials.credentials)
    return await _not_disabled(request, principal)


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold one of `roles` (401 without a token, 403 otherwise)."""
    allowed = frozenset(roles)

    async def check(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role} may not do this; allowed: {', '.join(sorted(allowed))}",
            )
        return principal

    return check


def forbid(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=message)


__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "DEV_ISSUER",
    "DEV_JWKS_FILE",
    "DEV_JWKS_URL",
    "DEV_KEYS_DIR",
    "DEV_KID_PREFIX",
    "ClaimMap",
    "JwksFile",
    "JwksUrl",
    "KeyRing",
    "Principal",
    "Role",
    "StaticJwks",
    "TokenVerifier",
    "authenticate",
    "bearer_token",
    "current_principal",
    "forbid",
    "mint",
    "optional_principal",
    "require",
    "verify_or_401",
]
