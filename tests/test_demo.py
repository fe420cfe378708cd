"""The article replayed (ops.demo): a tenth of the story through four running services, whose
statistics must match the scaled figures; the full-size plan must carry the article's figures."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from ops.demo import Endpoints, NotFresh, Result, community, run
from ops.demo.client import Api
from ops.demo.plan import ARTICLE, build
from ops.demo.story import Story, roster_csv
from ops.system import ROOT, System, present
from testkit import PORT_OFFSET, namespaced

# Its own vhost, databases and ports, so the demo test runs beside the other system suites.
VHOST = namespaced("sogc_demo")
BASE_PORT = int(os.environ.get("DEMO_TEST_BASE_PORT", "18100"))
SCALE = 0.1


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_the_full_story_carries_the_articles_figures() -> None:
    e = build(1.0).expected
    for key in (
        "orgs_2007",
        "sa_2007",
        "pne_2007",
        "orgs_now",
        "sa_now",
        "pne_now",
        "street_platforms",
        "party_branches",
        "alliance_members",
        "alliance_categories",
        "venture_rounds",
        "social_orgs_cultivated",
        "community_orgs_cultivated",
        "projects",
        "undertakers",
        "beneficiary_person_times",
    ):
        assert e[key] == ARTICLE[key], key
    assert e["community_orgs_graduated"] > 20  # "20余家"
    assert Decimal(str(e["contract_value_cny"])) > ARTICLE["contract_value_cny"]  # "2000余万元"


def test_the_full_community_programmes_carry_the_articles_figures() -> None:
    e = community.build(1.0).expected
    assert (e["claim_editions"], e["claim_items"], e["chongwai_rounds"], e["chongwai_groups"]) == (4, 113, 5, 81)
    assert e["claim_person_times"] > 10_000  # "受益居民10000余人次"


def test_the_plan_is_reproducible_and_its_credit_codes_are_valid() -> None:
    from registry.domain.uscc import checksum_problem

    a, b = build(0.3, seed=1), build(0.3, seed=1)
    assert [o.name for o in a.orgs] == [o.name for o in b.orgs]
    codes = [o.credit_code for o in a.orgs if o.credit_code] + [
        o.graduation.credit_code for o in a.orgs if o.graduation
    ]
    assert len(codes) == len(set(codes))
    assert all(checksum_problem(c) is None for c in codes)
    assert len({o.name for o in a.orgs}) == len(a.orgs)
    assert roster_csv(a.orgs[:2]).splitlines()[0].startswith("名称,类型,统一社会信用代码")


@pytest.fixture(scope="module")
async def demo_system() -> AsyncIterator[System]:
    if not {"registry", "venture", "procurement", "notify"} <= set(present()):
        pytest.skip(f"the demo needs all four services, found {present()}")
    busy = [
        p for p in range(BASE_PORT + PORT_OFFSET + 1, BASE_PORT + PORT_OFFSET + 1 + len(present())) if not _port_free(p)
    ]
    assert not busy, f"ports {busy} are taken: set DEMO_TEST_BASE_PORT"
    system = System(
        suffix="demo", base_port=BASE_PORT, vhost=VHOST, log_dir=ROOT / "var" / "system-logs" / "demo", demo_mode=True
    )
    try:
        await system.start()
        yield system
    finally:
        system.stop()


def endpoints_of(system: System) -> Endpoints:
    return Endpoints(
        registry=system["registry"].url,
        venture=system["venture"].url,
        procurement=system["procurement"].url,
        notify=system["notify"].url,
        amqp=f"amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/{VHOST}",
    )


@pytest.fixture(scope="module")
async def demo(demo_system: System) -> Result:
    started = time.monotonic()
    result = await run(endpoints_of(demo_system), scale=SCALE, progress=False)
    print(result.text, f"\n(demo at scale {SCALE}: {time.monotonic() - started:.0f} s)")
    return result


async def test_a_tenth_of_the_story_shows_in_every_services_statistics(demo: Result) -> None:
    e = demo.plan.expected
    assert e["orgs_2007"] == 33 and e["orgs_now"] == 68 and e["projects"] == 23  # a tenth of the article
    differing = [(r.label, r.expected, r.actual) for r in demo.rows if not r.ok]
    assert not differing, differing
    figures = {r.label.strip(): r.actual for r in demo.rows}
    assert figures["功能型党支部"] == 3
    assert figures["受益人次"] == 26912
    assert figures["合同金额 (元)"] == "2015000.00"
    assert figures["发布认领项目"] == 11 and figures["受益居民人次"] == 1026
    assert figures["崇外街道微创投届数"] == 5 and figures["培育居民社区社会组织"] == 8


async def test_every_step_reached_people_through_notify(demo: Result) -> None:
    notices = demo.raw["notify"]
    sent = notices.get("sent", notices.get("total"))
    assert isinstance(sent, int) and sent > 10 * len(demo.plan.projects), notices


async def test_a_second_run_refuses_and_says_it_needs_a_fresh_system(demo_system: System, demo: Result) -> None:
    api = Api(endpoints_of(demo_system))
    try:
        with pytest.raises(NotFresh, match="needs a fresh system"):
            await Story(api, build(SCALE)).check_fresh()
    finally:
        await api.close()
