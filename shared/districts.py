"""The district systems that may publish demands (ops/district-systems.toml): each one a
RabbitMQ user whose name is the `source_system` of its demands, and the purchasers it may
publish demands for. Provisioning creates the users from it; procurement checks every demand
against it (docs/architecture.md §4: a district system is who its broker login says it is)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.district import DISTRICT_SYSTEM_NAME, PurchaserKind
from shared.reference import STREETS

ENV = "DISTRICT_SYSTEMS_FILE"
# The repository's file; a deployment that installs `shared` elsewhere names its own in ENV.
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "ops" / "district-systems.toml"


class AuthorisedPurchaser(BaseModel):
    """A purchaser a system may publish demands for, as it must be named in them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    kind: PurchaserKind
    street_code: str | None = None

    @model_validator(mode="after")
    def _street_office_names_its_street(self) -> AuthorisedPurchaser:
        if self.kind is PurchaserKind.STREET_OFFICE and self.street_code not in STREETS:
            raise ValueError(f"street office {self.code} needs street_code, one of the 17 street codes")
        if self.kind is PurchaserKind.DISTRICT_DEPARTMENT and self.street_code is not None:
            raise ValueError(f"district department {self.code} has no street_code")
        return self


class DistrictSystem(BaseModel):
    """One district system: its broker user (= source_system) and whom it may publish for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=f"^{DISTRICT_SYSTEM_NAME.pattern}$")
    title: str = ""
    purchasers: tuple[AuthorisedPurchaser, ...] = Field(min_length=1)

    def purchaser(self, code: str) -> AuthorisedPurchaser | None:
        return next((p for p in self.purchasers if p.code == code), None)


class DistrictSystems(BaseModel):
    """Every district system, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systems: tuple[DistrictSystem, ...] = ()

    @model_validator(mode="after")
    def _names_are_unique(self) -> DistrictSystems:
        names = [s.name for s in self.systems]
        if len(names) != len(set(names)):
            raise ValueError(f"a district system is listed twice: {sorted(names)}")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.systems)

    def get(self, name: str | None) -> DistrictSystem | None:
        return next((s for s in self.systems if s.name == name), None)


def systems_file() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_FILE)


def load(path: Path | None = None) -> DistrictSystems:
    """The district systems of `path` (default: DISTRICT_SYSTEMS_FILE, else the repository's)."""
    path = path or systems_file()
    with path.open("rb") as f:
        return DistrictSystems.model_validate(tomllib.load(f))
