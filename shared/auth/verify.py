"""Verifying bearer tokens with the issuer's public keys (JWKS), never with a shared secret.

A service trusts one issuer (`<SERVICE>_AUTH_ISSUER`) and one audience (`<SERVICE>_AUTH_AUDIENCE`,
default `sogc`) and reads the issuer's public keys from exactly one of:

- `<SERVICE>_AUTH_JWKS_URL`: fetched with httpx and cached (refreshed after `max_age`); a token
  with a key id the cache lacks makes the verifier fetch again at once — at most once a second,
  concurrent requests sharing one fetch — so a key rotation under load fails no request; a key id
  still unknown after that fetch is refused. A failed refresh keeps the keys already known.
- `<SERVICE>_AUTH_JWKS_FILE`: a JWKS file (air-gapped deployments), read again when it changes.

Only ES256 is accepted (the `alg` header is checked before any key is looked up, so `none` and
HS256-with-the-public-key-as-secret never reach a key). Tokens must carry `iss`, `aud`, `exp`,
`iat` and `sub` and the claims their role needs. In production, keys and tokens of a development
key ring (key id prefix `dev-`) are refused.

`<SERVICE>_AUTH_CLAIMS` maps another issuer's claims to ours (interop with an external OIDC
issuer, e.g. a district's unified identity platform): JSON naming, for each of our claims, the
issuer's claim (a dotted path reaches into nested objects), and optionally `roles`, a map from
the issuer's role values to ours. A role claim holding a list must map to exactly one of our
roles. Example:

    {"sub": "preferred_username", "role": "realm_access.roles", "street": "district.street",
     "roles": {"gov-district-admin": "district_admin", "gov-street": "street_officer"}}
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import httpx
import jwt
import structlog
from pydantic import BaseModel, ConfigDict, Field

from shared.auth.keys import ALGORITHM, DEV_KID_PREFIX
from shared.auth.principal import Principal, Role

log = structlog.get_logger("shared.auth")

ACCEPTED_ALGORITHMS = (ALGORITHM,)
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud")


class ClaimMap(BaseModel):
    """Which claim of the issuer's tokens holds each of ours; `roles` maps the issuer's role values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sub: str = "sub"
    role: str = "role"
    street: str = "street"
    org_id: str = "org_id"
    purchaser: str = "purchaser"
    community: str = "community"
    roles: dict[str, Role] = Field(default_factory=dict)

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        sub = _claim(claims, self.sub)
        if sub in (None, ""):
            raise jwt.MissingRequiredClaimError(self.sub)
        role = self._role(_claim(claims, self.role))
        street, community = _text(claims, self.street), _text(claims, self.community)
        purchaser = _text(claims, self.purchaser)
        raw_org = _text(claims, self.org_id)
        org_id = UUID(raw_org) if raw_org else None
        if role is Role.STREET_OFFICER and not street:
            raise jwt.InvalidTokenError("a street_officer token needs a street claim")
        if role is Role.ORG and org_id is None:
            raise jwt.InvalidTokenError("an org token needs an org_id claim")
        if role is Role.DISTRICT_DEPARTMENT and not purchaser:
            raise jwt.InvalidTokenError("a district_department token needs a purchaser claim")
        if role is Role.COMMUNITY_WORKER and not (street and community):
            raise jwt.InvalidTokenError("a community_worker token needs street and community claims")
        return Principal(
            sub=str(sub), role=role, street=street, org_id=org_id, purchaser=purchaser, community=community
        )

    def _role(self, value: Any) -> Role:
        if value is None:
            raise jwt.MissingRequiredClaimError(self.role)
        values = value if isinstance(value, list) else [value]
        found = {r for v in values if isinstance(v, str) and (r := self._one_role(v)) is not None}
        if len(found) != 1:
            raise jwt.InvalidTokenError(f"claim {self.role!r} must name exactly one known role")
        return found.pop()

    def _one_role(self, value: str) -> Role | None:
        if self.roles:
            return self.roles.get(value)
        try:
            return Role(value)
        except ValueError:
            return None


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _text(claims: Mapping[str, Any], path: str) -> str | None:
    value = _claim(claims, path)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise jwt.InvalidTokenError(f"claim {path!r} must be a string")
    return str(value)


def usable_keys(jwks: Any, *, refuse_prefix: str | None = None) -> dict[str, jwt.PyJWK]:
    """The ES256 signing keys of a JWKS document by key id; anything else is left out."""
    keys: dict[str, jwt.PyJWK] = {}
    if not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list):
        raise ValueError("not a JWKS document (no `keys` list)")
    for jwk in jwks["keys"]:
        if not isinstance(jwk, Mapping):
            continue
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid or "d" in jwk:  # a private key never belongs in a JWKS
            continue
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or jwk.get("alg", ALGORITHM) != ALGORITHM:
            continue
        if jwk.get("use", "sig") != "sig":
            continue
        if refuse_prefix and kid.startswith(refuse_prefix):
            log.warning("jwks_development_key_ignored", kid=kid)
            continue
        try:
            keys[kid] = jwt.PyJWK(dict(jwk), algorithm=ALGORITHM)
        except jwt.PyJWTError:
            continue
    return keys


class KeySource(Protocol):
    async def key(self, kid: str) -> jwt.PyJWK | None: ...


class StaticJwks:
    """Keys given once (tests, or a ring's public keys in the same process)."""

    def __init__(self, jwks: Mapping[str, Any], *, refuse_prefix: str | None = None) -> None:
        self._keys = usable_keys(jwks, refuse_prefix=refuse_prefix)

    async def key(self, kid: str) -> jwt.PyJWK | None:
        return self._keys.get(kid)


class JwksFile:
    """A JWKS file, read again when it changes (checked on an unknown key id, or every few seconds)."""

    def __init__(self, path: str | os.PathLike[str], *, refuse_prefix: str | None = None, recheck: float = 5.0) -> None:
        self.path, self.refuse_prefix, self.recheck = Path(path), refuse_prefix, recheck
        self._keys: dict[str, jwt.PyJWK] = {}
        self._stamp: tuple[int, int] | None = None
        self._checked = float("-inf")

    async def key(self, kid: str) -> jwt.PyJWK | None:
        if kid not in self._keys or time.monotonic() - self._checked > self.recheck:
            self._refresh()
        return self._keys.get(kid)

    def _refresh(self) -> None:
        self._checked = time.monotonic()
        try:
            st = self.path.stat()
        except FileNotFoundError:
            log.error("jwks_file_missing", path=str(self.path))
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._keys = usable_keys(json.loads(self.path.read_text()), refuse_prefix=self.refuse_prefix)
            self._stamp = stamp


class JwksUrl:
    """The issuer's JWKS endpoint: cached for `max_age`, fetched again at once for an unknown key id
    but at most once every `min_interval` seconds (concurrent requests wait for one fetch)."""

    def __init__(
        self,
        url: str,
        *,
        refuse_prefix: str | None = None,
        max_age: float = 300.0,
        min_interval: float = 1.0,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url, self.refuse_prefix = url, refuse_prefix
        self.max_age, self.min_interval, self.timeout = max_age, min_interval, timeout
        self._transport = transport
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._generation = 0
        self._locks: dict[int, asyncio.Lock] = {}
        self.fetches = 0

    async def key(self, kid: str) -> jwt.PyJWK | None:
        if kid in self._keys and not self._stale():
            return self._keys[kid]
        seen = self._generation
        async with self._lock():
            if kid in self._keys and not self._stale():
                return self._keys[kid]
            if self._generation != seen and kid not in self._keys:
                return None  # fetched while this request waited, and the key is still not there
            if self._fetched_at is not None:
                wait = self.min_interval - (time.monotonic() - self._fetched_at)
                if wait > 0:
                    await asyncio.sleep(wait)
            await self._fetch()
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self.max_age

    def _lock(self) -> asyncio.Lock:
        # One lock per event loop: tests may drive one app from several loops.
        loop = id(asyncio.get_running_loop())
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=self.timeout) as client:
                response = await client.get(self.url, headers={"Accept": "application/json"})
                response.raise_for_status()
                self._keys = usable_keys(response.json(), refuse_prefix=self.refuse_prefix)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks_fetch_failed", url=self.url, error=str(exc), known_keys=len(self._keys))
        finally:
            self._fetched_at = time.monotonic()
            self._generation += 1


class AuthSettings(Protocol):
    """What `TokenVerifier.from_settings` reads (shared/runtime/settings.py's ServiceSettings)."""

    @property
    def environment(self) -> str: ...
    @property
    def auth_issuer(self) -> str: ...
    @property
    def auth_audience(self) -> str: ...
    @property
    def auth_jwks_url(self) -> str | None: ...
    @property
    def auth_jwks_file(self) -> Path | None: ...
    @property
    def auth_claims(self) -> ClaimMap | None: ...


class TokenVerifier:
    """Checks a bearer token against the issuer's public keys and reads its principal."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        claims: ClaimMap | None = None,
        production: bool = False,
        leeway: float = 0,
    ) -> None:
        self.keys, self.issuer, self.audience = keys, issuer, audience
        self.claims = claims or ClaimMap()
        self.refuse_prefix = DEV_KID_PREFIX if production else None
        self.leeway = leeway

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> TokenVerifier:
        production = settings.environment == "production"
        refuse = DEV_KID_PREFIX if production else None
        source: KeySource
        if settings.auth_jwks_url:
            source = JwksUrl(settings.auth_jwks_url, refuse_prefix=refuse)
        elif settings.auth_jwks_file:
            source = JwksFile(settings.auth_jwks_file, refuse_prefix=refuse)
        else:
            raise ValueError("no issuer keys: set AUTH_JWKS_URL or AUTH_JWKS_FILE")
        return cls(
            source,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            claims=settings.auth_claims,
            production=production,
        )

    async def verify(self, token: str) -> Principal:
        """The token's principal; raises `jwt.InvalidTokenError` (or ValueError) when it is not good."""
        header = jwt.get_unverified_header(token)
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ACCEPTED_ALGORITHMS:
            raise jwt.InvalidAlgorithmError(
                f"algorithm {alg!r} is not accepted (only {', '.join(ACCEPTED_ALGORITHMS)})"
            )
        if not isinstance(kid, str) or not kid:
            raise jwt.InvalidTokenError("the token names no key (kid)")
        if self.refuse_prefix and kid.startswith(self.refuse_prefix):
            raise jwt.InvalidTokenError("a development key's token is refused in production")
        key = await self.keys.key(kid)
        if key is None:
            raise jwt.InvalidTokenError(f"unknown key {kid[:64]!r}")
        claims = jwt.decode(
            token,
            key.key,
            algorithms=list(ACCEPTED_ALGORITHMS),
            audience=self.audience,
            issuer=self.issuer,
            leeway=self.leeway,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        return self.claims.principal(claims)
