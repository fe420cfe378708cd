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


def roster_csv(rows: list[dict[str, str]], *, chinese: bool = True) -> bytes:
    """A roster CSV with the given rows (keys: name, type, code, date, street, domains, community)."""
    import csv
    import io

    headers = (
        ["名称", "类型", "统一社会信用代码", "登记日期", "街道", "业务领域", "社区"]
        if chinese
        else ["name", "type", "credit_code", "registered_on", "street", "domains", "community"]
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(k, "") for k in ("name", "type", "code", "date", "street", "domains", "community")])
    return out.getvalue().encode("utf-8")


def article_roster() -> list[dict[str, str]]:
    """The article's figures as a roster: 2007 116 社团 + 214 民非 = 330; now 224 + 463 = 687."""
    streets = ["东四", "110101005", "天坛街道", "前门"]
    rows = []

    def add(kind: str, category: str, n: int, years: range) -> None:
        for i in range(n):
            year = years[i % len(years)]
            rows.append(
                {
                    "name": f"{kind}{category}{year}-{i}",
                    "type": kind,
                    "code": new_code(category),
                    "date": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "street": streets[i % len(streets)],
                    "domains": "为老服务、文体" if i % 3 == 0 else "社区治理",
                }
            )

    add("社团", "51", 116, range(1995, 2008))
    add("社团", "51", 224 - 116, range(2008, 2026))
    add("民非", "52", 214, range(1998, 2008))
    add("民非", "52", 463 - 214, range(2008, 2026))
    return rows
