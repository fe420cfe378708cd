"""The demo clock (X-Demo-Today) moves time in development only."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from fastapi import HTTPException

from procurement.api.deps import today
from procurement.config import Settings


def request(**settings) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    service = SimpleNamespace(settings=Settings(**settings))
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(service=service)))


def test_development_honours_the_demo_header():
    assert today(request(), "2026-10-01") == date(2026, 10, 1)  # type: ignore[arg-type]


def test_production_refuses_the_demo_header():
    with pytest.raises(HTTPException) as refused:
        today(request(environment="production"), "2026-10-01")  # type: ignore[arg-type]
    assert refused.value.status_code == 400


def test_the_demo_clock_can_be_switched_off_in_development():
    with pytest.raises(HTTPException):
        today(request(demo_clock=False), "2026-10-01")  # type: ignore[arg-type]


def test_without_the_header_today_is_the_district_date():
    assert isinstance(today(request(), None), date)  # type: ignore[arg-type]
