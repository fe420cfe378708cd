"""Bearer-JWT authentication and role checks as FastAPI dependencies, and token minting.

Roles (docs/architecture.md §4): district_admin, street_officer (claim `street`), reviewer, monitor,
org (claim `org_id`). Tokens are HS256, signed with the secret every service shares, and
carry the audience `sogc`; expired, wrongly signed, wrong-audience and unsigned tokens fail.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

AUDIENCE = "sogc"
ISSUER = "sogc-guidance-centre"
ALGORITHM = "HS256"
DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    STREET_OFFICER = "street_officer"
    REVIEWER = "reviewer"
    MONITOR = "monitor"
    ORG = "org"
    DISTRICT_DEPARTMENT = "district_department"  # claim `purchaser`: a purchasing department's code
    COMMUNITY_WORKER = "community_worker"  # claims `street` and `community`: a community platform


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject, role and the scope the role is limited to."""

    sub: str
    role: Role
    street: str | None = None
    org_id: UUID | None = None
    purchaser: str | None = None
    community: str | None = None

    def is_admin(self) -> bool:
        return self.role is Role.DISTRICT_ADMIN


class TokenVerifier:
    def __init__(self, secret: str, *, audience: str = AUDIENCE) -> None:
        self.secret, self.audience = secret, audience

    def verify(self, token: str) -> Principal:
        claims = jwt.decode(
            token,
            self.secret,
            algorithms=[ALGORITHM],
            audience=self.audience,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
        role = Role(claims["role"])
        street = claims.get("street")
        org_id = UUID(claims["org_id"]) if claims.get("org_id") else None
        if role is Role.STREET_OFFICER and not street:
            raise jwt.InvalidTokenError("a street_officer token needs a street claim")
        if role is Role.ORG and org_id is None:
            raise jwt.InvalidTokenError("an org token needs an org_id claim")
        purchaser, community = claims.get("purchaser"), claims.get("community")
        if role is Role.DISTRICT_DEPARTMENT and not purchaser:
            raise jwt.InvalidTokenError("a district_department token needs a purchaser claim")
        if role is Role.COMMUNITY_WORKER and not (street and community):
            raise jwt.InvalidTokenError("a community_worker token needs street and community claims")
        return Principal(
            sub=str(claims["sub"]), role=role, street=street, org_id=org_id, purchaser=purchaser, community=community
        )


def mint(
    secret: str,
    *,
    sub: str,
    role: Role | str,
    street: str | None = None,
    org_id: UUID | str | None = None,
    purchaser: str | None = None,
    community: str | None = None,
    ttl_seconds: int = 8 * 3600,
    audience: str = AUDIENCE,
) -> str:
    """A signed token for a role, as an operator hands out."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": sub,
        "role": str(Role(role)),
        "iss": ISSUER,
        "aud": audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if street:
        claims["street"] = street
    if org_id:
        claims["org_id"] = str(org_id)
    if purchaser:
        claims["purchaser"] = purchaser
    if community:
        claims["community"] = community
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


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


def verify_or_401(verifier: TokenVerifier, token: str) -> Principal:
    try:
        return verifier.verify(token)
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise _unauthenticated(f"invalid token: {exc}") from exc


def authenticate(verifier: TokenVerifier, token: str | None) -> Principal:
    """The caller of a route that needs a token; a 401 without one or with a bad one."""
    if token is None:
        raise _unauthenticated("authentication required")
    return verify_or_401(verifier, token)


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
    return await _not_disabled(request, verify_or_401(_verifier(request), credentials.credentials))


async def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The caller of a route that needs a token (the HTTP edge checks the same before a body is read)."""
    principal = authenticate(_verifier(request), None if credentials is None else credentials.credentials)
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint a bearer token for a role (operators only).")
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--sub", required=True, help="who the token is for, e.g. a staff login")
    parser.add_argument("--street", help="street code, for street_officer")
    parser.add_argument("--org-id", help="organisation id, for org")
    parser.add_argument("--purchaser", help="purchaser code, for district_department")
    parser.add_argument("--community", help="community name, for community_worker (with --street)")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    args = parser.parse_args()
    secret = os.environ.get("JWT_SECRET", DEV_SECRET)
    print(
        mint(
            secret,
            sub=args.sub,
            role=args.role,
            street=args.street,
            org_id=args.org_id,
            purchaser=args.purchaser,
            community=args.community,
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
