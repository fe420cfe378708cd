"""Settings common to every service, and the production check that refuses development secrets.

Tokens (shared/auth/verify.py): `<SERVICE>_AUTH_ISSUER`, `<SERVICE>_AUTH_AUDIENCE` and exactly one of
`<SERVICE>_AUTH_JWKS_URL` or `<SERVICE>_AUTH_JWKS_FILE`; `<SERVICE>_AUTH_CLAIMS` maps an external
issuer's claims. In development, with neither key source set, the development ring's JWKS file
(`var/issuer-keys/jwks.json`, made by `make provision`) is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import logging as kit_logging
from shared.auth import AUDIENCE, DEV_ISSUER, DEV_JWKS_FILE, DEV_KID_PREFIX, ClaimMap
from shared.clock import DISTRICT_ZONE


class ServiceSettings(BaseSettings):
    """Settings common to every service; each subclass sets its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # Who issues the tokens this service trusts, and where its public keys are (one of url/file).
    auth_issuer: str = DEV_ISSUER
    auth_audience: str = AUDIENCE
    auth_jwks_url: str | None = None
    auth_jwks_file: Path | None = None
    auth_claims: ClaimMap | None = None  # JSON: another issuer's claim names (shared/auth/verify.py)
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # The address clients reach this service at, listed first among the OpenAPI document's
    # `servers` (a deployment's own, e.g. https://sogc.example.gov.cn/procurement).
    public_url: str | None = None
    prefetch_count: int = 64
    db_pool_size: int = 10
    outbox_batch_size: int = 500
    outbox_poll_interval: float = 1.0
    retry_delay: float = 1.0
    log_level: str = "INFO"
    log_json: bool = True
    # The district's time zone: "today" for use cases and the demo clock (shared/clock.py).
    timezone: str = DISTRICT_ZONE.key
    # Demo mode: a district admin may move the service's clock (PUT /clock, X-Demo-Today).
    # Explicit and off by default, even in development; refused in production.
    demo_mode: bool = False
    # The largest request body a route reads unless the app names a larger limit for it
    # (`http_app(body_limits=…)`): the largest JSON body of any route is about 200 KB (5,000 ids).
    max_body_bytes: int = Field(default=1024 * 1024, ge=0)

    @field_validator("auth_jwks_url", "auth_jwks_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # Compose renders an unset choice as an empty value

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if self.auth_jwks_url and self.auth_jwks_file:
            url, file = self.env_name("auth_jwks_url"), self.env_name("auth_jwks_file")
            raise ValueError(f"{url} 与 {file} 只能设置其一（签发方公钥的来源）")
        if not (self.auth_jwks_url or self.auth_jwks_file) and self.environment == "development":
            self.auth_jwks_file = DEV_JWKS_FILE
        return self

    def check_production(self) -> None:
        """Refuse empty or development secrets in production mode, naming the variables to set."""
        if self.environment != "production":
            return
        problems = []
        problems.extend(self._token_problems())
        for name in ("database_url", "amqp_url"):
            if why := _credential_problem(getattr(self, name)):
                problems.append(f"{self.env_name(name)}（{why}）")
        if self.demo_mode:
            problems.append(f"{self.env_name('demo_mode')}=false（演示模式允许区级管理员改动系统日期）")
        if problems:
            raise RuntimeError("生产模式下拒绝启动，请设置：" + "；".join(problems))

    def _token_problems(self) -> list[str]:
        problems = []
        if not self.auth_issuer or self.auth_issuer == DEV_ISSUER:
            problems.append(f"{self.env_name('auth_issuer')}（为空或是开发用的签发方）")
        if not (self.auth_jwks_url or self.auth_jwks_file):
            problems.append(
                f"{self.env_name('auth_jwks_url')} 或 {self.env_name('auth_jwks_file')}（签发方公钥的来源）"
            )
        if self.auth_jwks_file is not None and (why := _jwks_file_problem(self.auth_jwks_file)):
            problems.append(f"{self.env_name('auth_jwks_file')}（{why}）")
        if self.auth_jwks_url and urlsplit(self.auth_jwks_url).scheme not in ("http", "https"):
            problems.append(f"{self.env_name('auth_jwks_url')}（不是 http(s) 地址）")
        return problems

    def env_name(self, field: str) -> str:
        """The environment variable that sets `field` (its prefix is the service's)."""
        return f"{self.model_config.get('env_prefix', '')}{field}".upper()


def _credential_problem(url: str) -> str | None:
    """Why a connection URL's credential is not fit for production, or None."""
    parts = urlsplit(url)
    if not parts.password:  # Compose renders an unset password as `user:@host`
        return "密码为空"
    if "-dev-password" in parts.password or (parts.username, parts.password) == ("guest", "guest"):
        return "使用开发用的凭据"
    return None


def _jwks_file_problem(path: Path) -> str | None:
    """Why a JWKS file is not fit for production, or None."""
    if path.resolve() == DEV_JWKS_FILE.resolve():
        return "是开发密钥环的公钥文件"
    try:
        keys = json.loads(path.read_text()).get("keys")
    except (OSError, ValueError, AttributeError):
        return "无法读取或不是 JWKS 文件"
    if not isinstance(keys, list) or not keys:
        return "不含任何公钥"
    if any(isinstance(k, dict) and str(k.get("kid", "")).startswith(DEV_KID_PREFIX) for k in keys):
        return f"含开发密钥（kid 以 {DEV_KID_PREFIX} 开头）"
    return None


def configure_logging(settings: ServiceSettings, name: str) -> None:
    kit_logging.configure(name, level=settings.log_level, json=settings.log_json)
