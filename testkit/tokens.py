"""Tokens a service must refuse, for the attack tests every service runs against its own app.

Each is built against the development issuer (the key ring `testkit.http.token` signs with), so a
service configured for development would accept it but for the one thing wrong with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jwt
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth import AUDIENCE, DEV_ISSUER, KeyRing, Role, mint
from testkit.http import dev_ring


@cache
def _impostor_key() -> ec.EllipticCurvePrivateKey:
    """A P-256 key nobody published: what an attacker signs with."""
    return ec.generate_private_key(ec.SECP256R1())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(role: Role | str = Role.DISTRICT_ADMIN, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": DEV_ISSUER,
        "aud": AUDIENCE,
        "sub": "mallory",
        "role": str(role),
        "iat": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def _unsigned(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    if key is None:
        return f"{head}.{body}."
    return f"{head}.{body}.{_b64(hmac.new(key, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


def forged_token(role: Role | str = Role.DISTRICT_ADMIN, **claims: Any) -> dict[str, str]:
    """Authorization header for a token signed by another key under the issuer's active key id."""
    kid = dev_ring().active_kid
    return _bearer(jwt.encode(_claims(role, **claims), _impostor_key(), algorithm="ES256", headers={"kid": kid}))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def attack_tokens() -> dict[str, dict[str, str]]:
    """Authorization headers a service must answer with 401, by name (a district admin's, unless
    the name says otherwise)."""
    ring = dev_ring()
    kid = ring.active_kid
    key = ring._keys[kid].private  # the issuer's own key, for tokens whose claims are wrong

    def signed(**over: Any) -> dict[str, str]:
        return _bearer(jwt.encode(_claims(**over), key, algorithm="ES256", headers={"kid": kid}))

    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_jwk = json.dumps(ring.public_jwks()["keys"][0]).encode()
    return {
        "alg-none": _bearer(_unsigned({"alg": "none", "typ": "JWT", "kid": kid}, _claims(), None)),
        "hs256-public-key-pem-as-secret": _bearer(_unsigned({"alg": "HS256", "kid": kid}, _claims(), public_pem)),
        "hs256-public-jwk-as-secret": _bearer(_unsigned({"alg": "HS256", "kid": kid}, _claims(), public_jwk)),
        "unknown-kid": _bearer(
            jwt.encode(_claims(), _impostor_key(), algorithm="ES256", headers={"kid": "no-such-key"})
        ),
        "same-kid-other-key": forged_token(),
        "wrong-issuer": signed(iss="https://evil.example"),
        "wrong-audience": signed(aud="another-system"),
        "expired": signed(exp=int(time.time()) - 30, iat=int(time.time()) - 630),
        "missing-exp": signed(exp=None),
        "missing-iss": signed(iss=None),
        "missing-aud": signed(aud=None),
        "missing-sub": signed(sub=None),
        "missing-role": signed(role=None),
        "street-officer-without-street": signed(role="street_officer"),
        "org-without-org-id": signed(role="org"),
    }


# The attacks by name, in the order the services' parametrised tests list them.
ATTACKS = (
    "alg-none",
    "hs256-public-key-pem-as-secret",
    "hs256-public-jwk-as-secret",
    "unknown-kid",
    "same-kid-other-key",
    "wrong-issuer",
    "wrong-audience",
    "expired",
    "missing-exp",
    "missing-iss",
    "missing-aud",
    "missing-sub",
    "missing-role",
    "street-officer-without-street",
    "org-without-org-id",
)

# A production deployment's issuer in the tests (any address but the development one).
PRODUCTION_ISSUER = "https://console.district.example"


def production_ring(directory: Path) -> tuple[KeyRing, Path]:
    """A production issuer's key ring (key ids without the `dev-` prefix) in `directory`, and the
    JWKS file a service of that deployment reads."""
    ring = KeyRing.ensure(directory / "issuer-keys")
    return ring, ring.write_public_jwks(directory / "jwks.json")


def production_token(ring: KeyRing, role: Role | str = Role.DISTRICT_ADMIN, **claims: Any) -> dict[str, str]:
    """Authorization header for a token of the production issuer of `production_ring`."""
    return _bearer(mint(ring, issuer=PRODUCTION_ISSUER, sub="prod-admin", role=role, ttl_seconds=600, **claims))


@asynccontextmanager
async def running(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` running in-process with its real lifespan (pool, broker, relay)."""
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        await app.state.service.wait_ready(timeout=120)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client:
            yield client


def demo_token(*, issuer: str = DEV_ISSUER, role: Role | str = Role.DISTRICT_ADMIN, **claims: Any) -> dict[str, str]:
    """Authorization header for a token of the development key ring (the demo's), naming `issuer`."""
    return _bearer(mint(dev_ring(), issuer=issuer, sub="demo-admin", role=role, ttl_seconds=600, **claims))
