"""Thin consumers: an organisation's registration, filing or graduation → invite its contact.

Names are the consumers' identities in the inbox (`console.<name>`): never rename them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from console.handlers import orgs
from console.handlers.accounts import Links
from console.store import Stores
from shared.clock import Now
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import OrgFiled, OrgGraduated, OrgRegistered
from shared.messaging.consumer import Consumers


def register(consumers: Consumers, links: Callable[[], Links], clock: Now) -> None:
    def now() -> datetime:
        return clock()

    @consumers.on(OrgRegistered, name="org_registered")
    async def registered(event: OrgRegistered, stores: Stores) -> list[IntegrationEvent]:
        """A registered organisation's contact gets an account."""
        return await orgs.invite_contact(stores.accounts, event.org, now=now(), links=links())

    @consumers.on(OrgFiled, name="org_filed")
    async def filed(event: OrgFiled, stores: Stores) -> list[IntegrationEvent]:
        """A filed community organisation's contact gets an account."""
        return await orgs.invite_contact(stores.accounts, event.org, now=now(), links=links())

    @consumers.on(OrgGraduated, name="org_graduated")
    async def graduated(event: OrgGraduated, stores: Stores) -> list[IntegrationEvent]:
        """A graduated organisation's contact gets an account if it had none as a filed one."""
        return await orgs.invite_contact(stores.accounts, event.org, now=now(), links=links())
