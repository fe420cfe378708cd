"""The leak detector: nothing another organisation submitted reaches a caller who may not see it.

A test seeds two organisations' data (A's and B's), then calls **every GET operation of the app's
OpenAPI document** as A (and as a monitor or reviewer), with each path parameter filled in turn
with every seeded id, and scans every answer for B's values: ids, names, credit codes, titles,
texts, amounts. A value that a rule makes public — it appears in some answer to a caller without
a token (announced winners, the public notice, signed contracts, open data exports) — is not a
secret. A route added later is covered without being listed; a path parameter the test seeded no
value for fails the test, so its author has to say which ids it takes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI


@dataclass
class Secrets:
    """Values (as they would appear in a JSON answer) and what each one is, for the report."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, *values: Any) -> None:
        for value in values:
            text = str(value)
            if text:
                self.values[text] = label

    def without(self, public: str, *, excused: tuple[str, ...] = ()) -> Secrets:
        """The values no public answer shows, less those whose label starts with an `excused` prefix
        (what a caller's role may see, e.g. a reviewer the proposals it scores)."""
        return Secrets({v: lab for v, lab in self.values.items() if v not in public and not lab.startswith(excused)})


@dataclass
class Answer:
    method: str
    path: str
    status: int
    text: str


def get_operations(app: FastAPI) -> list[str]:
    """Every GET path of the app's OpenAPI document (the documented API; docs routes serve no data)."""
    return sorted(path for path, operations in app.openapi()["paths"].items() if "get" in operations)


def instances(path: str, ids: dict[str, list[str]]) -> list[str]:
    """The path with its parameters filled with every combination of the seeded ids."""
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in ids]
    assert not missing, f"{path}: the leak detector seeded no value for {missing}: add the ids this route takes"
    combos = itertools.product(*(ids[n] for n in names))
    return [path.format(**dict(zip(names, combo, strict=True))) for combo in combos]


async def get_all(
    client: httpx.AsyncClient, app: FastAPI, ids: dict[str, list[str]], headers: dict[str, str]
) -> list[Answer]:
    answers = []
    for route in get_operations(app):
        for path in instances(route, ids):
            r = await client.get(path, headers=headers)
            answers.append(Answer("GET", path, r.status_code, r.text))
    return answers


async def public_text(client: httpx.AsyncClient, app: FastAPI, ids: dict[str, list[str]]) -> str:
    """Everything a caller without a token is answered with (2xx): what a rule made public."""
    return "\n".join(a.text for a in await get_all(client, app, ids, {}) if 200 <= a.status < 300)


def findings(caller: str, answers: list[Answer], secrets: Secrets) -> list[str]:
    """Each answer that shows a secret value; an error answer may echo what the request itself named."""
    found = []
    for a in answers:
        for value, label in secrets.values.items():
            if value in a.text and value not in a.path:
                found.append(f"{caller}: {a.method} {a.path} → {a.status} shows {label} ({value})")
    return found
