"""Every list a service answers pages (`shared/paging.py`): a GET whose answer is a JSON array takes
`page` and `page_size` and documents `X-Total-Count` and `Link`, so no client ever silently gets
only the first part of a list. Checked on the OpenAPI documents the code generates, so a list
endpoint added later without paging fails here."""

from __future__ import annotations

import pytest

from ops.docs import SERVICES, documents, present


def unpaged_lists(openapi: dict) -> list[str]:
    out = []
    for path, operations in openapi["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        answer = get.get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") != "array":
            continue
        params = {p["name"] for p in get.get("parameters", [])}
        if not {"page", "page_size"} <= params or not {"X-Total-Count", "Link"} <= set(answer.get("headers", {})):
            out.append(path)
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_every_list_endpoint_pages(service: str) -> None:
    if service not in present():
        pytest.skip(f"services/{service} is not in this tree yet")
    assert unpaged_lists(documents(service)[f"openapi/{service}.json"]) == []


def test_the_check_sees_a_list_without_paging() -> None:
    doc = {
        "paths": {
            "/things": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "array"}}}}}}
            },
            "/one": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}}}},
        }
    }
    assert unpaged_lists(doc) == ["/things"]
