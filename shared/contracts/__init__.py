"""Event contracts: a promise to other systems, changed only additively.

Importing this package imports every context module, so `event_class` knows every key.
"""

import importlib
import pkgutil

from shared.contracts.base import EVENT_TYPES, IntegrationEvent, MoneyCNY, event_class

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def contract_events() -> dict[str, type[IntegrationEvent]]:
    """The published contract: the events defined in this package, by routing key (a test may
    register events of its own in EVENT_TYPES; those are not part of the contract)."""
    return {k: c for k, c in sorted(EVENT_TYPES.items()) if c.__module__.startswith(f"{__name__}.")}


__all__ = ["EVENT_TYPES", "IntegrationEvent", "MoneyCNY", "contract_events", "event_class"]
