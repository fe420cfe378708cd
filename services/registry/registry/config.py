"""Settings of the registry service, from REGISTRY_* environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.service import ServiceSettings
from shared.workdays import CalendarSettings


class Settings(ServiceSettings, CalendarSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore")

    database_url: str = "postgresql://registry:registry-dev-password@127.0.0.1:5432/registry"
    amqp_url: str = "amqp://registry:registry-dev-password@127.0.0.1:5672/"
    http_port: int = 8001
    # A roster upload (the whole multipart body); the CLI's direct mode has no limit.
    import_max_bytes: int = 64 * 1024 * 1024
