"""Use cases of the notify service (see the modules: directory, notices, events)."""

from notify.handlers.directory import learn
from notify.handlers.events import fire_due_reminders, on_event
from notify.handlers.notices import fan_out, release_pending
from notify.handlers.toolkit import Toolkit

__all__ = ["Toolkit", "fan_out", "fire_due_reminders", "learn", "on_event", "release_pending"]
