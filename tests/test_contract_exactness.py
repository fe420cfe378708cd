"""The AsyncAPI documents state exactly what the services accept.

For every event schema in docs/asyncapi/ (the committed documents, which tests/test_contract_docs.py
keeps equal to the code): its documented example — or, where it documents none, an instance built
from the schema alone — is accepted by the contract the consumers read it with, and a counter-example
of every constraint the schema states (required, type, length, pattern, bounds, enum, format) is
refused, naming the field. The district demand, the one event other organisations' systems send,
also gets counter-examples of every type, and is sent for real in
services/procurement/tests/integration/test_documented_demands.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts import contract_events
from shared.docs import schema_name
from testkit.contracts import SCHEMAS, counter_examples, instance, put

EVENTS = {key: cls for key, cls in contract_events().items() if schema_name(cls) in SCHEMAS}


def cases() -> Iterator[Any]:
    for key, cls in EVENTS.items():
        example = instance({"$ref": f"#/components/schemas/{schema_name(cls)}"})
        yield pytest.param(cls, example, None, id=f"{key}:example")
        for field, why, value in counter_examples(SCHEMAS[schema_name(cls)], types=key.startswith("district.")):
            # A required field with a default (event_id, …) is filled in when missing.
            if why == "required" and field in cls.model_fields and not cls.model_fields[field].is_required():
                continue
            yield pytest.param(cls, put(example, field, value), field, id=f"{key}:{field}:{why}")


@pytest.mark.parametrize(("cls", "body", "field"), list(cases()))
def test_the_documented_schema_is_what_the_contract_accepts(cls, body, field):
    if field is None:
        cls.model_validate(body)
        return
    with pytest.raises(ValidationError) as refused:
        cls.model_validate(body)
    named = {".".join(str(p) for p in e["loc"]) for e in refused.value.errors()}
    assert any(n == field or n.startswith(f"{field}.") for n in named), named
