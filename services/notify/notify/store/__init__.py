"""Every SQL statement of the notify service, by area; each class works on one connection and
maps rows to the domain's dataclasses (no connection or record leaves a store)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from notify.store.deliveries import DeliveryStore, LoggedDelivery
from notify.store.directory import DirectoryStore
from notify.store.feed import FeedStore, PublishedItem
from notify.store.keys import SealedKey, WebhookKeyStore
from notify.store.notices import InboxNotice, NoticeStore
from notify.store.pending import PendingStore
from notify.store.reminders import ListedReminder, ReminderStore
from notify.store.statistics import StatisticsStore


@dataclass(frozen=True)
class Stores:
    """The service's stores on one connection: what units of work and consumers hand out."""

    directory: DirectoryStore
    pending: PendingStore
    notices: NoticeStore
    deliveries: DeliveryStore
    reminders: ReminderStore
    feed: FeedStore
    keys: WebhookKeyStore
    statistics: StatisticsStore


def stores(conn: asyncpg.Connection) -> Stores:
    """Build the stores on a connection (the caller owns the transaction)."""
    return Stores(
        directory=DirectoryStore(conn),
        pending=PendingStore(conn),
        notices=NoticeStore(conn),
        deliveries=DeliveryStore(conn),
        reminders=ReminderStore(conn),
        feed=FeedStore(conn),
        keys=WebhookKeyStore(conn),
        statistics=StatisticsStore(conn),
    )


__all__ = [
    "DeliveryStore",
    "DirectoryStore",
    "FeedStore",
    "InboxNotice",
    "ListedReminder",
    "LoggedDelivery",
    "NoticeStore",
    "PendingStore",
    "PublishedItem",
    "ReminderStore",
    "SealedKey",
    "StatisticsStore",
    "Stores",
    "WebhookKeyStore",
    "stores",
]
