"""Who may do what (notify/access.py), and the consumers' inbox identities — no database, no broker."""

from __future__ import annotations

import uuid

import pytest

from notify import access
from notify.app import build_service
from notify.config import Settings
from notify.domain import InboxScope
from notify.subscribers import consumed_keys
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.reference import DISTRICT_CODE, STREET_OFFICES


def test_each_role_sees_only_the_notices_addressed_to_it():
    org_id = uuid.uuid4()
    assert access.inbox_scope(Principal(sub="o", role=Role.ORG, org_id=org_id)) == InboxScope(
        recipients=(("org", str(org_id)),)
    )
    officer = access.inbox_scope(Principal(sub="s", role=Role.STREET_OFFICER, street="110101006"))
    assert officer == InboxScope(recipients=(("street", "110101006"), ("purchaser", "110101006JDB")))
    district = access.inbox_scope(Principal(sub="d", role=Role.DISTRICT_ADMIN))
    assert district.recipients == (("district", DISTRICT_CODE),) and district.kinds == ("district_system",)
    assert district.purchasers_except == tuple(sorted(STREET_OFFICES))  # departments, not street offices
    reviewer = access.inbox_scope(Principal(sub="expert-7", role=Role.REVIEWER))
    assert reviewer == InboxScope(recipients=(("reviewer", "expert-7"),))


def test_an_org_manages_only_its_own_webhook_keys_and_a_district_admin_any():
    mine, other = uuid.uuid4(), uuid.uuid4()
    access.check_manages_webhook_keys(Principal(sub="o", role=Role.ORG, org_id=mine), mine)
    access.check_manages_webhook_keys(Principal(sub="d", role=Role.DISTRICT_ADMIN), other)
    with pytest.raises(Forbidden, match="只能管理本组织"):
        access.check_manages_webhook_keys(Principal(sub="o", role=Role.ORG, org_id=mine), other)


def test_every_consumer_keeps_the_inbox_identity_its_function_name_gave_it():
    service = build_service(Settings())
    consumers = {r.event_cls.routing_key: r.consumer for r in service.consumers._registrations}
    keys = consumed_keys(service.kit)
    assert consumers == {key: "notify.on_" + key.replace(".", "_") for key in keys}
