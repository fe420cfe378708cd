"""Which routing keys carry personal data, and which carry secrets no subscriber may read.

The statement subscribing systems are given (docs/events.md): a key listed here carries data
about identifiable people, in the fields named. A subscriber is entitled to such a key only
with a recorded legal basis (ops/subscriber-systems.toml); a key in SECRET_KEYS never.
Every contract key is either listed here or carries none (tests/test_subscribers.py checks
that every key of a context known to hold people is classified).
"""

from __future__ import annotations

_CONTACT = "`org.contact`: the organisation's contact person (name, e-mail, phone, webhook URL)"
_RECIPIENT = "`recipient_key`: whom a notice was for (a person's login or an organisation)"
_ACCOUNT = "`account`: a person's display name, e-mail, phone and roles; `actor`: a staff login"

PERSONAL_DATA: dict[str, str] = {
    "registry.org_registered.v1": _CONTACT,
    "registry.org_filed.v1": _CONTACT,
    "registry.org_graduated.v1": _CONTACT,
    "registry.org_profile_updated.v1": _CONTACT,
    "registry.org_status_changed.v1": _CONTACT,
    "procurement.reviewer_assigned.v1": "`reviewer`: the reviewer's login (a person)",
    "procurement.objection_filed.v1": "`filed_by`: the objector's login (a person); `reason`: free text",
    "procurement.monitor_assigned.v1": "`monitor`: the monitor's login (a person)",
    "procurement.monitoring_reported.v1": "`monitor`: the monitor's login (a person); `warnings`: free text",
    "venture.reviewers_assigned.v1": "`reviewer`: the reviewer's login (a person)",
    "venture.conflict_declared.v1": "`reviewer`: the reviewer's login (a person)",
    "venture.objection_filed.v1": "`filed_by`: the objector's login (a person); `reason`: free text",
    "notify.notification_sent.v1": _RECIPIENT,
    "notify.delivery_failed.v1": _RECIPIENT,
    "console.account_activated.v1": _ACCOUNT,
    "console.account_disabled.v1": _ACCOUNT,
    "console.account_enabled.v1": _ACCOUNT,
    "console.account_invited.v1": _ACCOUNT + "; `invitation_url`: a one-time sign-in link (a secret)",
    "console.account_roles_changed.v1": _ACCOUNT,
    "console.password_reset_issued.v1": _ACCOUNT + "; `reset_url`: a one-time sign-in link (a secret)",
}

# Keys whose bodies hold a working credential (a one-time link): no subscriber is ever entitled.
SECRET_KEYS: frozenset[str] = frozenset({"console.account_invited.v1", "console.password_reset_issued.v1"})

# Contexts whose every event concerns a person: a new key there counts as personal data until
# it is listed (so a new console event cannot reach a subscriber by being forgotten here).
PERSONAL_CONTEXTS: frozenset[str] = frozenset({"console"})


def carries_personal_data(routing_key: str) -> bool:
    """Whether events of `routing_key` hold data about identifiable people."""
    return routing_key in PERSONAL_DATA or routing_key.split(".", 1)[0] in PERSONAL_CONTEXTS


def is_secret(routing_key: str) -> bool:
    """Whether events of `routing_key` hold a credential (never given to a subscriber)."""
    return routing_key in SECRET_KEYS
