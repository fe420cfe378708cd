"""Settings of the console, from CONSOLE_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.auth import DEV_ISSUER, DEV_JWKS_FILE
from shared.service import ServiceSettings

DEV_CSRF_SECRET = "console-dev-csrf-secret-change-me-0123456789"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    database_url: str = "postgresql://console:console-dev-password@127.0.0.1:5432/console"
    amqp_url: str = "amqp://console:console-dev-password@127.0.0.1:5672/"
    http_port: int = 8005
    # The issuer: its URL is `iss` of every token and the base of the links it e-mails.
    issuer: str = "http://127.0.0.1:8005"
    public_base_url: str = ""  # where people reach the pages, if not the issuer's URL
    keys_dir: Path = Path("var/issuer-keys")
    access_token_minutes: int = Field(default=10, ge=1, le=60)
    # Sessions: cookies are Secure unless local http says otherwise (development only).
    secure_cookies: bool = True
    session_hours: int = Field(default=8, ge=1)
    csrf_secret: str = DEV_CSRF_SECRET
    invitation_days: int = Field(default=7, ge=1)
    reset_hours: int = Field(default=24, ge=1)
    # Sign-in failures: an account locks after `lockout_failures` for `lockout_minutes`; an address
    # with `ip_failures` within `ip_window_minutes` is refused (429) until the window passes.
    lockout_failures: int = 5
    lockout_minutes: int = 15
    ip_failures: int = 30
    ip_window_minutes: int = 10
    # Argon2id cost (argon2-cffi's RFC 9106 low-memory profile by default).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Development only: the mail catcher's messages (.eml files), shown on /dev/mail.
    dev_maildir: Path = Path("var/mail")

    @model_validator(mode="after")
    def _trusts_itself(self) -> Self:
        """Unless told otherwise, the console verifies bearer tokens of its own issuing, with its own ring's keys."""
        if self.auth_issuer == DEV_ISSUER:
            self.auth_issuer = self.issuer.rstrip("/")
        if self.auth_jwks_url is None and self.auth_jwks_file in (None, DEV_JWKS_FILE):
            self.auth_jwks_file = self.keys_dir / "jwks.json"
        return self

    @property
    def base_url(self) -> str:
        return (self.public_base_url or self.issuer).rstrip("/")

    def check_production(self) -> None:
        super().check_production()
        if self.environment != "production":
            return
        problems = []
        if self.csrf_secret == DEV_CSRF_SECRET or len(self.csrf_secret) < 32:
            problems.append(f"{self.env_name('csrf_secret')}（为空、是开发密钥或短于 32 个字符）")
        if not self.secure_cookies:
            problems.append(f"{self.env_name('secure_cookies')}=true（生产环境的会话 Cookie 必须带 Secure）")
        if not self.issuer.startswith("https://"):
            problems.append(f"{self.env_name('issuer')}（生产环境的签发方地址必须是 https://）")
        if problems:
            raise RuntimeError("生产模式下拒绝启动，请设置：" + "；".join(problems))
