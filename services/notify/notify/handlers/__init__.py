"""Use cases of the notify service: take the narrow store interfaces of `handlers.ports`, plain
values and time; return what they made and the events they caused."""

from notify.handlers.deliveries import RetryPolicy, record_attempt
from notify.handlers.directory import learn
from notify.handlers.events import on_event
from notify.handlers.keys import IssuedSecret, issue_secret, signing_keys
from notify.handlers.notices import fan_out, release_pending
from notify.handlers.reminders import fire_due_reminders
from notify.handlers.toolkit import Toolkit

__all__ = [
    "IssuedSecret",
    "RetryPolicy",
    "Toolkit",
    "fan_out",
    "fire_due_reminders",
    "issue_secret",
    "learn",
    "on_event",
    "record_attempt",
    "release_pending",
    "signing_keys",
]
