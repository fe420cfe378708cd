"""Event contracts: a promise to other systems, changed only additively.

Importing this package imports every context module, so `event_class` knows every key.
"""

import importlib
import pkgutil

from shared.contracts.base import EVENT_TYPES, IntegrationEvent, MoneyCNY, event_class

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["EVENT_TYPES", "IntegrationEvent", "MoneyCNY", "event_class"]
