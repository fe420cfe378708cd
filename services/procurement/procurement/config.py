"""Settings of the procurement service, from PROCUREMENT_* environment variables."""

from decimal import Decimal
from pathlib import Path

from pydantic import AliasChoices, AnyHttpUrl, Field
from pydantic_settings import SettingsConfigDict

from procurement.domain.model import DEFAULT_EXCLUDED_PURCHASES, Rules
from shared import districts
from shared.service import ServiceSettings
from shared.workdays import CalendarSettings


class Settings(ServiceSettings, CalendarSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", extra="ignore")

    database_url: str = "postgresql://procurement:procurement-dev-password@127.0.0.1:5432/procurement"
    amqp_url: str = "amqp://procurement:procurement-dev-password@127.0.0.1:5672/"
    http_port: int = 8003
    # POST /projects/historical takes up to 2,000 records of about 0.4 KB (up to 2 KB at their
    # longest fields); every other route keeps the kit's `max_body_bytes`.
    historical_max_body_bytes: int = 4 * 1024 * 1024

    announcement_workdays: int = 5
    objection_workdays: int = 5
    pass_mark: Decimal = Decimal("60")
    max_term_months: int = 12
    max_multi_year_term_months: int = 36
    # Comma-separated keywords of excluded purchases (MoF Order 102): hiring staff, labour dispatch…
    excluded_purchases: str = ",".join(DEFAULT_EXCLUDED_PURCHASES)
    ocid_prefix: str = "ocds-sogc01"
    # The OCDS packages' publicationPolicy: where the centre publishes what it discloses, when and
    # how (an http(s) URL of the operator's); omitted from the packages until set.
    ocds_publication_policy_url: AnyHttpUrl | None = None
    # The district systems that may publish demands, and for whom (the file provisioning reads).
    district_systems_file: Path = Field(
        default_factory=districts.systems_file,
        validation_alias=AliasChoices("procurement_district_systems_file", districts.ENV.lower()),
    )

    def rules(self) -> Rules:
        return Rules(
            announcement_workdays=self.announcement_workdays,
            objection_workdays=self.objection_workdays,
            pass_mark=self.pass_mark,
            max_term_months=self.max_term_months,
            max_multi_year_term_months=self.max_multi_year_term_months,
            excluded_purchases=tuple(w.strip() for w in self.excluded_purchases.split(",") if w.strip()),
        )

    def district_systems(self) -> districts.DistrictSystems:
        return districts.load(self.district_systems_file)
