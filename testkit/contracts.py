"""What the AsyncAPI documents say, as test data: an instance built from a schema alone and a
counter-example of every constraint it states (tests/test_contract_exactness.py, and the
district demands procurement's tests send for real)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Doc = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent


def documented_schemas() -> dict[str, Doc]:
    """Every schema of the committed docs/asyncapi documents, by name."""
    found: dict[str, Doc] = {}
    for path in sorted((ROOT / "docs" / "asyncapi").glob("*.json")):
        found.update(json.loads(path.read_text(encoding="utf-8")).get("components", {}).get("schemas", {}))
    return found


SCHEMAS = documented_schemas()
_CANDIDATES = ["a", "district-demo", "200000.00", "x" * 8, "09:30"]


def resolve(schema: Doc) -> Doc:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def instance(schema: Doc) -> Any:
    """A value the schema allows, built from the schema alone (its example when it gives one)."""
    schema = resolve(schema)
    if "examples" in schema:
        return copy.deepcopy(schema["examples"][0])
    if "anyOf" in schema:
        return instance(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: instance(prop) for name, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [instance(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in schema else 0)
    if kind == "number":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "uuid":
            return "0b7f6c1e-4d1a-4d0e-9a55-3c2f7e1b9a10"
        if fmt == "date":
            return "2026-03-02"
        if fmt == "date-time":
            return "2026-03-02T09:30:00+08:00"
        if "pattern" in schema:
            return next(c for c in _CANDIDATES if re.search(schema["pattern"], c))
        return "x" * max(1, schema.get("minLength", 1))
    return None


def counter_examples(schema: Doc, *, types: bool) -> Iterator[tuple[str, str, Any]]:
    """(field, what is wrong, value) for every constraint of every property (None value: omit it)."""
    schema = resolve(schema)
    for name in schema.get("required", []):
        yield name, "required", None
    for name, prop in schema.get("properties", {}).items():
        branches = [resolve(b) for b in prop.get("anyOf", [prop])]
        nullable = any(b.get("type") == "null" for b in branches)
        for branch in (b for b in branches if b.get("type") != "null"):
            yield from ((name, why, v) for why, v in _violations(branch, nullable=nullable, types=types))
            if branch.get("type") == "object" and "properties" in branch:
                for sub, why, v in counter_examples(branch, types=types):
                    yield f"{name}.{sub}", why, v


def _violations(s: Doc, *, nullable: bool, types: bool) -> Iterator[tuple[str, Any]]:
    kind = s.get("type")
    if "minLength" in s and s["minLength"] > 0:
        yield "minLength", "x" * (s["minLength"] - 1)
    if "maxLength" in s:
        yield "maxLength", "x" * (s["maxLength"] + 1)
    if "pattern" in s:
        for wrong in ("", " 1", "-1", "1e5", "1.001", "+5", "１２", "a.b c", "0", "0.00", "\u00a0"):
            if not re.search(s["pattern"], wrong) and not (s.get("minLength", 0) > len(wrong)):
                yield f"pattern {wrong!r}", wrong
    if "enum" in s:
        yield "enum", "no-such-value"
    for word, delta in (("minimum", -1), ("exclusiveMinimum", 0), ("maximum", 1), ("exclusiveMaximum", 0)):
        if word in s:
            yield word, s[word] + delta
    if kind == "string" and s.get("format") in ("uuid", "date", "date-time"):
        yield f"format {s['format']}", "not-a-" + s["format"]
        if types:
            yield f"format {s['format']} as a number", 1700000000
    if types and kind == "string":
        yield "type string", 12345
    if types and kind == "integer":
        yield from (("type integer (string)", "5"), ("type integer (fraction)", 1.5), ("type integer (bool)", True))
    if types and kind == "object":
        yield "type object", "x"
    if types and not nullable and kind is not None:
        yield "not nullable", "__null__"


def put(body: Doc, path: str, value: Any) -> Doc:
    out = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = out
    for p in parents:
        target = target[p]
    if value is None:
        target.pop(last, None)
    else:
        target[last] = None if value == "__null__" else value
    return out
