"""Pure decisions of the notify service: who an event reaches, reminder dates in working days,
retry backoff, webhook signatures and key rotation. No I/O; time comes in as an argument."""

from notify.domain.delivery import Claimed, NoticeRef, after_attempt, backoff
from notify.domain.directory import Entry
from notify.domain.feed import FeedItem
from notify.domain.notices import InboxScope, NewNotice, PendingNotice
from notify.domain.recipients import NOTICE_NAMESPACE, Target, condition_holds, first, notice_id, targets, values_at
from notify.domain.reminders import (
    DueReminder,
    NewReminder,
    PlannedReminder,
    StoredReminder,
    choose_due,
    local_today,
    plan_reminders,
    reminder_id,
    thing_key,
    workdays_left,
)
from notify.domain.signing import SigningKey, retirements, signature_header, verify_signature

__all__ = [
    "NOTICE_NAMESPACE",
    "Claimed",
    "DueReminder",
    "Entry",
    "FeedItem",
    "InboxScope",
    "NewNotice",
    "NewReminder",
    "NoticeRef",
    "PendingNotice",
    "PlannedReminder",
    "SigningKey",
    "StoredReminder",
    "Target",
    "after_attempt",
    "backoff",
    "choose_due",
    "condition_holds",
    "first",
    "local_today",
    "notice_id",
    "plan_reminders",
    "reminder_id",
    "retirements",
    "signature_header",
    "targets",
    "thing_key",
    "values_at",
    "verify_signature",
    "workdays_left",
]
