"""What the use cases need besides the stores, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from notify.adapters.targets import TargetPolicy
from notify.rendering import Renderer
from notify.rules import Rules
from shared.workdays import WorkCalendar


@dataclass(frozen=True)
class Toolkit:
    """What the use cases need besides the store: rules, templates, calendar, reminder hour, and
    where webhooks may go."""

    rules: Rules
    renderer: Renderer
    calendar: WorkCalendar
    reminder_hour: int = 9
    targets: TargetPolicy = field(default_factory=TargetPolicy)
