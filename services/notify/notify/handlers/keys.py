"""Each organisation's webhook signing secrets: issued on request (shown once), rotated with a grace
period, opened only to sign."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from notify import domain
from notify.adapters import keys
from notify.adapters.keys import SecretBox
from notify.domain import SigningKey
from notify.handlers.ports import SigningKeys
from shared.contracts.base import IntegrationEvent

log = structlog.get_logger("notify.handlers")


@dataclass(frozen=True)
class IssuedSecret:
    """A new secret, as its organisation sees it once; the replaced key and until when it still signs."""

    org_id: UUID
    key_id: str
    secret: str = field(repr=False)
    created_at: datetime
    previous_key_id: str | None
    previous_valid_until: datetime | None


async def issue_secret(
    store: SigningKeys, box: SecretBox, org_id: UUID, *, now: datetime, grace: timedelta
) -> tuple[IssuedSecret, list[IntegrationEvent]]:
    """A new signing secret for the organisation; the key it replaces keeps signing for `grace`."""
    await store.lock(org_id)  # two rotations at once: one after the other
    valid = [k.key_id for k in await store.valid(org_id, now)]
    retiring = domain.retirements(valid, now=now, grace=grace)
    for key_id, until in retiring.items():
        await store.retire(key_id, until)
    key_id, secret = keys.new_key_id(), keys.new_secret()
    await store.add(org_id, key_id, box.seal(str(org_id), key_id, secret), now)
    previous = valid[0] if valid else None
    log.info("webhook_secret_issued", org_id=str(org_id), key_id=key_id, previous_key_id=previous)
    issued = IssuedSecret(org_id, key_id, secret, now, previous, retiring.get(previous) if previous else None)
    return issued, []  # the secret is the organisation's business alone: no event tells anyone


async def signing_keys(store: SigningKeys, box: SecretBox, org_id: UUID, *, now: datetime) -> list[SigningKey]:
    """The keys that sign a delivery to the organisation now, newest first."""
    return [SigningKey(k.key_id, box.open(str(org_id), k.key_id, k.sealed)) for k in await store.valid(org_id, now)]
