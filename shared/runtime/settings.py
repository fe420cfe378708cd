"""Settings common to every service, and the production check that refuses development secrets."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import logging as kit_logging
from shared.auth import DEV_SECRET
from shared.clock import DISTRICT_ZONE


class ServiceSettings(BaseSettings):
    """Settings common to every service; each subclass sets its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    jwt_secret: str = DEV_SECRET
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

    def check_production(self) -> None:
        """Refuse empty or development secrets in production mode, naming the variables to set."""
        if self.environment != "production":
            return
        problems = []
        if self.jwt_secret == DEV_SECRET or len(self.jwt_secret) < 32:
            problems.append(f"{self.env_name('jwt_secret')}（为空、是开发密钥或短于 32 个字符）")
        for name in ("database_url", "amqp_url"):
            if why := _credential_problem(getattr(self, name)):
                problems.append(f"{self.env_name(name)}（{why}）")
        if self.demo_mode:
            problems.append(f"{self.env_name('demo_mode')}=false（演示模式允许区级管理员改动系统日期）")
        if problems:
            raise RuntimeError("生产模式下拒绝启动，请设置：" + "；".join(problems))

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


def configure_logging(settings: ServiceSettings, name: str) -> None:
    kit_logging.configure(name, level=settings.log_level, json=settings.log_json)
