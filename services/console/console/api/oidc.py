"""The issuer's OIDC-compatible endpoints: discovery, the public keys, and the token endpoint's
client-credentials grant for service accounts (the demo, the benchmark)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from console.api.common import service_of
from console.handlers import tokens

router = APIRouter(tags=["issuer"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.get("/.well-known/openid-configuration")
async def discovery(request: Request) -> dict[str, Any]:
    """The discovery document (OpenID Connect Discovery 1.0 §3)."""
    service = service_of(request)
    issuer = service.console_settings.issuer.rstrip("/")
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "token_endpoint": f"{issuer}/oauth/token",
        "authorization_endpoint": f"{issuer}/sign-in",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "claims_supported": [
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "jti",
            "role",
            "street",
            "community",
            "purchaser",
            "org_id",
            "name",
        ],
        "scopes_supported": ["openid"],
    }


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    """The public keys of every unretired signing key (the active one first); cached for a minute, so
    a rotation reaches verifiers quickly and a new key is published before it signs."""
    ring = service_of(request).ring
    ring.reload_if_changed()
    return JSONResponse(ring.public_jwks(), headers={"Cache-Control": "public, max-age=60"})


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="sogc"'
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, secret


@router.post("/oauth/token")
async def token(
    request: Request,
    grant_type: Annotated[str, Form(max_length=100)] = "",
    client_id: Annotated[str, Form(max_length=200)] = "",
    client_secret: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    """RFC 6749 §4.4: a service account's access token for its one role."""
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", "仅支持 client_credentials")
    basic = _basic(request)
    if basic is not None:
        client_id, client_secret = basic
    service = service_of(request)
    async with service.reading() as stores:
        issued = await tokens.for_client(
            stores.sessions,
            service.passwords,
            client_id,
            client_secret,
            minter=service.minter,
            ttl_seconds=service.access_ttl,
        )
    if issued is None:
        return _oauth_error("invalid_client", "客户端认证失败", status=401)
    return JSONResponse(issued.oauth(), headers=NO_STORE)
