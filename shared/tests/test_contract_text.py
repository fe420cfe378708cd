"""Text PostgreSQL cannot store is refused by the contract itself, naming the field, so that a
consumer answers it instead of failing at the INSERT."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts.base import storable, unstorable
from shared.contracts.district import DemandPublished


def demand(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source_system": "district-demo",
        "demand_ref": "REF-1",
        "purchaser": {"code": "11010100MZJ", "name": "东城区民政局", "kind": "district_department"},
        "title": "助老服务",
        "domain": "elder_care",
        "budget_cny": "1000.00",
        "expected_beneficiaries": 10,
    }
    body.update(over)
    return body


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"title": "助老\x00服务"}, ("title",)),
        ({"demand_ref": "REF-\ud800"}, ("demand_ref",)),
        ({"description": "\x00"}, ("description",)),
        (
            {"purchaser": {"code": "11010100MZJ", "name": "民政局\x00", "kind": "district_department"}},
            ("purchaser", "name"),
        ),
        ({"correlation_id": "c\x00"}, ("correlation_id",)),
    ],
)
def test_text_postgresql_refuses_is_a_validation_error_naming_the_field(over, field):
    with pytest.raises(ValidationError) as refused:
        DemandPublished.model_validate(demand(**over))
    [error] = refused.value.errors()
    assert error["loc"] == field  # (pydantic itself refuses a lone surrogate, with its own words)


def test_storable_text_passes_and_replacement_keeps_what_can_be_kept():
    assert DemandPublished.model_validate(demand(title="助老服务 🧓")).title == "助老服务 🧓"
    assert unstorable("ok") is None and "U+0000" in (unstorable("a\x00") or "")
    assert storable("a\x00b\udc80") == "a\ufffdb\ufffd"


@pytest.mark.parametrize(
    "when", ["9999-12-31T00:00:00+00:00", "0001-01-02T00:00:00+00:00", "1899-12-31T00:00:00+08:00"]
)
def test_a_time_the_database_would_keep_as_infinity_is_refused_naming_the_field(when):
    """`date.max`/`date.min` are stored as ±infinity by the driver; nothing the centre records lies
    outside 1900–2200 (shared/contracts/base.py)."""
    with pytest.raises(ValidationError) as refused:
        DemandPublished.model_validate(demand(occurred_at=when))
    [error] = refused.value.errors()
    assert error["loc"] == ("occurred_at",) and "日期超出可受理的范围" in error["msg"]
    assert DemandPublished.model_validate(demand(occurred_at="2200-12-31T23:00:00+08:00"))
