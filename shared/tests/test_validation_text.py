"""What a caller reads about its invalid input is Chinese: HTTP 422s and a refused event's field errors."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.messaging.delivery import field_errors
from shared.service import Service, ServiceSettings
from shared.validation_text import chinese

from .conftest import EMPTY_MIGRATIONS

CJK = re.compile(r"[\u4e00-\u9fff]")


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=5)
    count: int = Field(ge=1, le=10)
    budget: Decimal = Field(max_digits=6, decimal_places=2)
    on: date
    kind: Literal["a", "b"]

    @field_validator("name")
    @classmethod
    def no_x(cls, v: str) -> str:
        if "x" in v:
            raise ValueError("名称不能含 x")
        return v


HOSTILE = [
    {},
    {"name": "", "count": 0, "budget": "1.234", "on": "tomorrow", "kind": "c", "extra": 1},
    {"name": "toolongname", "count": "many", "budget": "12345678", "on": "2026-13-40", "kind": None},
    {"name": ["a"], "count": 11, "budget": "NaN", "on": 3, "kind": 1},
    {"name": "xx", "count": 1.5, "budget": {}, "on": "2026-01-01T09:00:00", "kind": "a"},
]


def errors_of(body: dict) -> list[dict]:
    with pytest.raises(ValidationError) as caught:
        Thing.model_validate(body)
    return caught.value.errors(include_url=False)


@pytest.mark.parametrize("body", HOSTILE)
def test_every_pydantic_error_reads_in_chinese(body):
    for err in errors_of(body):
        message = chinese(err)
        assert CJK.search(message), (err, message)
        assert "Input should" not in message and "Field required" not in message


def test_limits_are_named_and_a_validators_own_chinese_is_kept_without_prefix():
    by_field = {
        e["loc"][0]: chinese(e)
        for e in errors_of({"name": "x", "count": 0, "budget": "1", "on": "2026-01-01", "kind": "c"})
    }
    assert by_field["name"] == "文本过短：至少 2 个字符"
    assert by_field["count"] == "应大于或等于 1"
    assert by_field["kind"] == "应为以下之一：a、b"
    own = errors_of({"name": "xxx", "count": 1, "budget": "1", "on": "2026-01-01", "kind": "a"})
    assert [chinese(e) for e in own] == ["名称不能含 x"]


def test_an_unknown_error_type_still_answers_in_chinese_naming_it():
    assert chinese({"type": "some_future_type", "msg": "Something new"}) == "取值无效（some_future_type）"


def test_a_refused_events_field_errors_are_chinese():
    with pytest.raises(ValidationError) as caught:
        Thing.model_validate({"count": "many"})
    fields = {f.field: f.message for f in field_errors(caught.value)}
    assert fields["count"] == "应为整数"
    assert fields["name"] == "必填项，不能缺少"


async def test_an_http_422_names_each_field_in_chinese():
    router = APIRouter()

    @router.post("/things")
    async def create(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    settings = ServiceSettings(database_url="postgresql://nobody@127.0.0.1:9/none", amqp_url="amqp://x:x@127.0.0.1:9/")
    app = Service("kit", settings, migrations=EMPTY_MIGRATIONS).http_app(
        title="kit", description="kit", routers=[router]
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
        for body in HOSTILE:
            answer = await client.post("/things", json=body)
            assert answer.status_code == 422, answer.text
            for item in answer.json()["detail"]:
                assert item["loc"][0] == "body" and CJK.search(item["msg"]), item
        not_json = await client.post("/things", content=b"{oops", headers={"content-type": "application/json"})
        assert not_json.status_code == 422 and CJK.search(not_json.json()["detail"][0]["msg"])
