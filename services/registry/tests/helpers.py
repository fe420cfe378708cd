"""Builders of valid test data for the registry's tests."""

from __future__ import annotations

import itertools
from typing import Any

from registry.domain.uscc import make_code

_serial = itertools.count(1)


def new_code(category: str = "52", division: str = "110101") -> str:
    """A fresh valid credit code (each test starts with an empty database)."""
    return make_code(category, division, f"MJ{next(_serial):06d}")


def registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "东城区阳光为老服务中心",
        "org_type": "private_non_enterprise",
        "credit_code": new_code("52"),
        "registered_on": "2015-06-01",
        "street_code": "110101006",
        "domains": ["elder_care"],
        "contact": {"name": "王敏", "email": "wangmin@example.org", "phone": "010-64001234"},
    }
    body.update(overrides)
    return body


def filing(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "北新桥邻里互助队",
        "street_code": "110101005",
        "community": "民安社区",
        "filed_on": "2019-03-15",
        "domains": ["mutual_aid"],
    }
    body.update(overrides)
    return body
