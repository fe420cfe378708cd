"""Settings of the notify service, from NOTIFY_* environment variables."""

import base64
import binascii

from pydantic import field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.service import ServiceSettings
from shared.workdays import CalendarSettings

# 32 bytes, base64url: encrypts the organisations' webhook signing secrets at rest (development only).
DEV_WEBHOOK_KEY_ENCRYPTION_KEY = "ZGV2LW9ubHktd2ViaG9vay1rZXlzLWNoYW5nZS1tZSE="


class Settings(ServiceSettings, CalendarSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    database_url: str = "postgresql://notify:notify-dev-password@127.0.0.1:5432/notify"
    amqp_url: str = "amqp://notify:notify-dev-password@127.0.0.1:5672/"
    http_port: int = 8004

    # Rules: the defaults ship with the service; an operator file overrides them per event type.
    rules_file: str | None = None

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "notify@sogc.dongcheng.local"
    mail_from_name: str = "东城区社会组织指导服务中心"

    # Organisations choose their webhook URLs: only globally routable addresses are dialled, in
    # every mode. Private receivers (a district intranet, a test receiver on 127.0.0.1) only when
    # named here: comma-separated CIDRs or host names, e.g. "10.8.0.0/16, hooks.intranet".
    webhook_private_allowlist: str = ""
    # What is read of a receiver's answer (only its status matters); the rest is not read.
    webhook_max_response_bytes: int = 65536
    # Each organisation signs with its own secret; a replaced one still signs for this long.
    webhook_key_grace_hours: float = 72.0
    webhook_key_encryption_key: str = DEV_WEBHOOK_KEY_ENCRYPTION_KEY

    # Deliveries: attempt n (1-based) failing waits base * 2**(n-1) seconds, capped.
    max_attempts: int = 6
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    # One attempt (connect, send, answer) of any channel ends by this deadline, whatever the other
    # side does; up to `worker_concurrency` attempts run at once, none waiting for another.
    delivery_deadline_seconds: float = 30.0
    worker_concurrency: int = 20
    worker_poll_interval: float = 1.0
    worker_lease_seconds: float = 120.0

    # Reminders fire at this local (Asia/Shanghai) hour on their day.
    reminder_hour: int = 9

    public_base_url: str = "http://127.0.0.1:8004"

    @field_validator("webhook_key_encryption_key")
    @classmethod
    def _thirty_two_bytes(cls, value: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(value.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError("webhook_key_encryption_key 须为 base64url 编码的 32 字节密钥")
        return value

    @model_validator(mode="after")
    def _deadline_within_lease(self) -> "Settings":
        # A lease running out while its attempt is still going would let another worker send again.
        if self.delivery_deadline_seconds >= self.worker_lease_seconds:
            raise ValueError("delivery_deadline_seconds 须短于 worker_lease_seconds（租约到期时投递不得仍在进行）")
        return self

    def check_production(self) -> None:
        super().check_production()
        if self.environment == "production" and self.webhook_key_encryption_key == DEV_WEBHOOK_KEY_ENCRYPTION_KEY:
            name = self.env_name("webhook_key_encryption_key")
            raise RuntimeError(f"生产模式下拒绝启动，请设置：{name}（使用开发用的密钥）")
