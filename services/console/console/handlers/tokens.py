"""Access tokens: for a signed-in person's acting role (short-lived, renewed by the page while the
session lives), and for service accounts through the client-credentials grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.accounts import Grant, Status
from console.handlers.ports import Accounts, Minter, Passwords, Sessions


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int
    role: str

    def oauth(self) -> dict[str, object]:
        """The token response of RFC 6749 §5.1."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.role,
        }


async def for_session(
    accounts: Accounts, sessions: Sessions, session_hash: bytes, *, now: datetime, minter: Minter, ttl_seconds: int
) -> Issued | None:
    """A token for the session's acting role; None when the session is gone, not fully signed in,
    or its account is no longer active (a disabled account's tokens are not renewed)."""
    session = await sessions.get(session_hash, now)
    if session is None or session.stage != "full":
        return None
    account = await accounts.get(session.account_id)
    if account is None or account.status is not Status.ACTIVE or not account.roles:
        return None
    grant = account.roles[min(session.acting_role, len(account.roles) - 1)]
    token = minter.access_token(
        sub=account.login,
        grant=grant,
        ttl_seconds=ttl_seconds,
        extra={"name": account.display_name, "account_id": str(account.account_id)},
    )
    return Issued(token, ttl_seconds, grant.role.value)


async def for_client(
    sessions: Sessions, hashing: Passwords, client_id: str, secret: str, *, minter: Minter, ttl_seconds: int
) -> Issued | None:
    """The client-credentials grant: a service account's token for its one role; None if refused."""
    client = await sessions.client(client_id) if client_id else None
    right = await hashing.verify(client.secret_hash if client else None, secret)
    if client is None or not right or client.disabled:
        return None
    grant = Grant.from_json(client.grant)
    token = minter.access_token(
        sub=f"client:{client.client_id}",
        grant=grant,
        ttl_seconds=ttl_seconds,
        extra={"name": client.display_name, "client_id": client.client_id},
    )
    return Issued(token, ttl_seconds, grant.role.value)
