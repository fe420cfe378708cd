"""The capacity chapter of the demo (ops/demo/capacity.py) on a registry process of its own: the 2016
talent programme, the 12-organisation workshop, the 33 branches and both coverages match the article."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from ops.demo.capacity import Chapter, render
from ops.demo.client import Api, Endpoints
from ops.system import ROOT, System, present

BASE_PORT = int(os.environ.get("DEMO_CAPACITY_TEST_BASE_PORT", "18300"))


@pytest.fixture(scope="module")
async def registry() -> AsyncIterator[System]:
    if "registry" not in present():
        pytest.skip("the chapter needs the registry")
    system = System(suffix="cap", base_port=BASE_PORT, log_dir=ROOT / "var" / "system-logs" / "capacity")
    try:
        await system.start(["registry"])
        yield system
    finally:
        system.stop()


async def test_the_capacity_chapter_replays_the_articles_figures(registry: System) -> None:
    api = Api(Endpoints(registry=registry["registry"].url), concurrency=12)
    try:
        rows, raw = await Chapter(api).run(fresh=True)
    finally:
        await api.close()
    print(render(rows, raw))
    assert [(r.label, r.expected, r.actual) for r in rows if not r.ok] == []
    years = {y["year"]: y for y in raw["party"]["years"]}
    assert float(years[2016]["work_coverage_pct"]) < 100.0  # reached year by year, as the article tells
    assert years[2020]["member_reports"] == 0 and years[2019]["member_reports"] == 60
