"""Subscribing systems from configuration: entitlements checked against the contract and the
personal-data statement (the broker's side is in tests/test_isolation.py)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from ops.accounts import SUBSCRIBERS, subscriber_permissions, subscriber_topic_permissions
from ops.subscriber_systems import SubscriberSystem
from shared.contracts import contract_events
from shared.contracts.personal_data import PERSONAL_DATA, SECRET_KEYS, carries_personal_data


def test_the_repositorys_subscribers_are_entitled_to_contract_keys_only():
    assert {"district-dataplatform", "dongsi-grid"} <= set(SUBSCRIBERS.names)
    for system in SUBSCRIBERS.systems:
        assert set(system.keys) <= set(contract_events())
        assert not set(system.keys) & SECRET_KEYS


def test_the_personal_data_statement_names_only_contract_keys_and_covers_every_contact():
    assert set(PERSONAL_DATA) <= set(contract_events()) | SECRET_KEYS
    for key, cls in contract_events().items():
        fields = set(cls.model_fields)
        if fields & {"org", "account", "reviewer", "filed_by", "monitor", "recipient_key"}:
            assert carries_personal_data(key), f"{key} holds a person's data: state it in personal_data.py"


@pytest.mark.parametrize(
    ("keys", "basis", "why"),
    [
        (["procurement.#"], "", "no contract routing key"),
        (["procurement.project_signed"], "", "no contract routing key"),
        (["console.account_invited.v1"], "协议", "never granted"),
        (["console.password_reset_issued.v1"], "协议", "never granted"),
        (["registry.org_registered.v1"], "", "personal data"),
        (["registry.org_registered.v1"], "   ", "personal data"),
        (["procurement.project_signed.v1", "procurement.project_signed.v1"], "", "listed twice"),
        ([], "", "at least 1"),
    ],
)
def test_a_subscriber_entry_is_refused_for_a_key_it_may_not_have(keys, basis, why):
    with pytest.raises(ValidationError, match=why):
        SubscriberSystem(name="probe", keys=tuple(keys), personal_data_basis=basis)


@pytest.mark.parametrize("name", ["events", "registry", "amq", "Bad.Name", "a.b", ""])
def test_a_subscriber_may_not_take_a_name_whose_queues_belong_to_someone_else(name):
    with pytest.raises(ValidationError):
        SubscriberSystem(name=name, keys=("procurement.project_signed.v1",))


def test_a_subscribers_rights_are_read_only_and_exact():
    system = SUBSCRIBERS.get("district-dataplatform")
    assert system is not None
    configure, write, read = subscriber_permissions(system.name)
    assert not re.match(write, "events") and not re.match(configure, "events")
    assert re.match(read, "events") and re.match(read, system.history)
    assert not re.match(read, "events.archive") and not re.match(read, "district-demo.answers")
    [(exchange, topic_write, topic_read)] = subscriber_topic_permissions(system.name)
    assert exchange == "events" and not re.match(topic_write, "procurement.project_signed.v1")
    for key in system.keys:
        assert re.match(topic_read, key)
    for key in ("#", "procurement.#", "procurement.project_signed.v1x", "registry.org_registered.v1"):
        assert not re.match(topic_read, key)
