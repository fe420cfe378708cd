"""Settings of the venture service, from VENTURE_* environment variables."""

from pydantic_settings import SettingsConfigDict

from shared.service import ServiceSettings
from shared.workdays import CalendarSettings


class Settings(ServiceSettings, CalendarSettings):
    model_config = SettingsConfigDict(env_prefix="VENTURE_", extra="ignore")

    database_url: str = "postgresql://venture:venture-dev-password@127.0.0.1:5432/venture"
    amqp_url: str = "amqp://venture:venture-dev-password@127.0.0.1:5672/"
    http_port: int = 8002
    # Who funds the grants, as the 360Giving export names it.
    funder_id: str = "CN-DC-SOGC"
    funder_name: str = "东城区社会组织指导服务中心"
