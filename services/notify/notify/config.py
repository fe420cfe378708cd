"""Settings of the notify service, from NOTIFY_* environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.service import ServiceSettings

DEV_WEBHOOK_SECRET = "dev-only-webhook-secret-change-me-0123456789"


class Settings(ServiceSettings):
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

    webhook_secret: str = DEV_WEBHOOK_SECRET
    webhook_timeout: float = 10.0
    # Organisations choose their webhook URLs: in production refuse loopback/private targets
    # (the broker's management port, the database) unless the operator allows them.
    webhook_allow_private: bool | None = None

    # Deliveries: attempt n (1-based) failing waits base * 2**(n-1) seconds, capped.
    max_attempts: int = 6
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    worker_poll_interval: float = 1.0
    worker_batch_size: int = 20
    worker_lease_seconds: float = 120.0

    # Reminders fire at this local (Asia/Shanghai) hour on their day.
    reminder_hour: int = 9
    extra_holidays: str = ""
    extra_workdays: str = ""

    public_base_url: str = "http://127.0.0.1:8004"

    def check_production(self) -> None:
        super().check_production()
        if self.environment == "production" and (
            self.webhook_secret == DEV_WEBHOOK_SECRET or len(self.webhook_secret) < 32
        ):
            raise RuntimeError("refusing to start in production mode: webhook_secret is the development secret")
