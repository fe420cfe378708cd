"""Use cases: an event arrives → learn recipients → notices, pending notices, reminders,
feed entries; a reminder falls due → notices. Each runs inside the caller's transaction and
returns the events to publish through the outbox."""

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
