"""The systems that subscribe to the centre's events (ops/subscriber-systems.toml): each one a
read-only RabbitMQ user entitled to the routing keys listed for it (docs/subscribing.md)."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts import contract_events
from shared.contracts.district import DISTRICT_SYSTEM_NAME
from shared.contracts.personal_data import carries_personal_data, is_secret

ENV = "SUBSCRIBER_SYSTEMS_FILE"
DEFAULT_FILE = Path(__file__).resolve().parent / "subscriber-systems.toml"
# Names whose `<name>.*` queues or exchanges already belong to someone: the broker's own, the
# shared exchanges and queues (`events.archive`, …) and the services'.
RESERVED = frozenset({"events", "amq", "registry", "venture", "procurement", "notify", "console", "district"})


class SubscriberSystem(BaseModel):
    """One subscribing system: its broker user, the keys it may read, why it may hold personal data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=f"^{DISTRICT_SYSTEM_NAME.pattern}$")
    title: str = ""
    keys: tuple[str, ...] = Field(min_length=1)
    personal_data_basis: str = ""

    @model_validator(mode="after")
    def _entitled_keys_only(self) -> SubscriberSystem:
        if self.name in RESERVED:
            raise ValueError(f"subscriber {self.name}: the name is reserved")
        known = contract_events()
        for key in self.keys:
            if key not in known:
                raise ValueError(f"subscriber {self.name}: {key} is no contract routing key (a pattern is not allowed)")
            if is_secret(key):
                raise ValueError(f"subscriber {self.name}: {key} carries one-time sign-in links and is never granted")
            if carries_personal_data(key) and not self.personal_data_basis.strip():
                raise ValueError(f"subscriber {self.name}: {key} carries personal data; set personal_data_basis")
        if len(set(self.keys)) != len(self.keys):
            raise ValueError(f"subscriber {self.name}: a key is listed twice")
        return self

    @property
    def history(self) -> str:
        """The system's history stream: every archived event of its keys, readable at any offset."""
        return f"{self.name}.history"

    def topic_read_pattern(self) -> str:
        """The topic read permission: exactly the entitled keys (no wildcard binds)."""
        return "^(" + "|".join(re.escape(k) for k in sorted(self.keys)) + ")$"


class SubscriberSystems(BaseModel):
    """Every subscribing system, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systems: tuple[SubscriberSystem, ...] = ()

    @model_validator(mode="after")
    def _names_are_unique(self) -> SubscriberSystems:
        names = [s.name for s in self.systems]
        if len(names) != len(set(names)):
            raise ValueError(f"a subscriber system is listed twice: {sorted(names)}")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.systems)

    def get(self, name: str) -> SubscriberSystem | None:
        return next((s for s in self.systems if s.name == name), None)


def load(path: Path | None = None) -> SubscriberSystems:
    """The subscribing systems of `path` (default: SUBSCRIBER_SYSTEMS_FILE, else the repository's)."""
    path = path or Path(os.environ.get(ENV) or DEFAULT_FILE)
    with path.open("rb") as f:
        return SubscriberSystems.model_validate(tomllib.load(f))
