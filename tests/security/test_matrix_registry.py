"""Registry: every route × caller (see matrix.py for the callers and how a row is checked).

Readers are the district and street staff, reviewers and monitors (the register is not secret to
staff); writers are the district admin and the officer of the org's street; an org reads and changes
only its own profile's contact.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest

from registry.domain.uscc import make_code
from tests.security.matrix import (
    OPERATIONS,
    STREET,
    Call,
    Env,
    Row,
    assert_complete,
    check_nul_in_body,
    check_row,
    ok,
    public_rows,
    running_app,
    write_routes,
)

_serial = itertools.count(1)
# Contact details are personal data: only the district admin, the org's own street officer and the
# org itself see them; the reads below carry the e-mail as the secret the other callers must not see.
CONTACT = {"name": "赵敏", "email": "zhaomin-sec@example.org", "phone": "010-64005678"}
CONTACT_HIDDEN = "street_x reviewer monitor"


def _code() -> str:
    return make_code("52", "110101", f"MA{next(_serial):06d}")


async def _registered(env: Env, **over: Any) -> dict[str, Any]:
    body = {
        "name": f"东四为老服务中心{next(_serial)}",
        "org_type": "private_non_enterprise",
        "credit_code": _code(),
        "registered_on": "2015-06-01",
        "street_code": STREET,
        "domains": ["elder_care"],
        **over,
    }
    return dict(await ok(env.client, "POST", "/orgs", json=body))


async def _filed(env: Env) -> dict[str, Any]:
    body = {"name": f"钱粮胡同互助队{next(_serial)}", "street_code": STREET, "community": "钱粮胡同社区"}
    return dict(await ok(env.client, "POST", "/filings", json={**body, "filed_on": "2019-03-15"}))


def _org_id(org: dict[str, Any]) -> UUID:
    return UUID(org["org_id"])


# --- how each route's request is made -------------------------------------------------------------


async def register(env: Env) -> Call:
    body = {"name": f"新登记组织{next(_serial)}", "org_type": "social_association", "credit_code": ""}
    body.update(credit_code=make_code("51", "110101", f"MB{next(_serial):06d}"), registered_on="2020-01-02")
    return Call("POST", "/orgs", json={**body, "street_code": STREET})


async def file(env: Env) -> Call:
    body = {"name": f"新备案组织{next(_serial)}", "street_code": STREET, "community": "民安社区"}
    return Call("POST", "/filings", json={**body, "filed_on": "2020-01-02"})


async def search(env: Env) -> Call:
    org = await _registered(env, contact=CONTACT)
    return Call("GET", "/orgs", params={"street": STREET}, org=_org_id(org), secret=CONTACT["email"])


async def graduate(env: Env) -> Call:
    org = await _filed(env)
    body = {"org_type": "social_association", "credit_code": make_code("51", "110101", f"MC{next(_serial):06d}")}
    return Call(
        "POST", f"/orgs/{org['org_id']}/graduation", json={**body, "registered_on": "2024-01-02"}, org=_org_id(org)
    )


def status_change(action: str, *, suspended: bool = False) -> Any:
    async def prepare(env: Env) -> Call:
        org = await _registered(env)
        if suspended:
            await ok(env.client, "POST", f"/orgs/{org['org_id']}/suspend", json={"reason": "年检未通过"})
        return Call("POST", f"/orgs/{org['org_id']}/{action}", json={"reason": "依法处理"}, org=_org_id(org))

    return prepare


async def patch_profile(env: Env) -> Call:
    org = await _registered(env)
    return Call("PATCH", f"/orgs/{org['org_id']}", json={"name": f"更名组织{next(_serial)}"}, org=_org_id(org))


async def profile(env: Env) -> Call:
    org = await _registered(env, contact=CONTACT)
    return Call("GET", f"/orgs/{org['org_id']}", org=_org_id(org), secret=CONTACT["email"])


async def contact(env: Env) -> Call:
    org = await _registered(env)
    return Call(
        "PUT", f"/orgs/{org['org_id']}/contact", json={"name": "李娜", "phone": "010-64000000"}, org=_org_id(org)
    )


async def sponsor(env: Env) -> Call:
    """A filed group without a sponsor; the caller "org" is the would-be sponsor itself."""
    group, org = await _filed(env), await _registered(env)
    return Call("PUT", f"/orgs/{group['org_id']}/sponsor", json={"sponsor_org_id": org["org_id"]}, org=_org_id(org))


async def by_code(env: Env) -> Call:
    org = await _registered(env, contact=CONTACT)
    return Call("GET", f"/orgs/by-code/{org['credit_code']}", org=_org_id(org), secret=CONTACT["email"])


async def community_platform(env: Env) -> Call:
    return Call("POST", "/platforms/community", json={"street_code": STREET, "name": f"新社区{next(_serial)}"})


async def form_branch(env: Env) -> Call:
    org = await _registered(env)
    body = {"name": f"东四社会组织联合党支部{next(_serial)}", "formed_on": "2024-07-01", "street_code": STREET}
    return Call("POST", "/party-branches", json={**body, "org_ids": [org["org_id"]]}, org=_org_id(org))


async def attach(env: Env) -> Call:
    first, second = await _registered(env), await _registered(env)
    body = {"name": f"功能型党支部{next(_serial)}", "formed_on": "2024-07-01", "org_ids": [first["org_id"]]}
    branch = await ok(env.client, "POST", "/party-branches", json=body)
    path = f"/party-branches/{branch['branch_id']}/orgs"
    return Call("POST", path, json={"org_ids": [second["org_id"]]}, org=_org_id(second))


async def join_alliance(env: Env) -> Call:
    org = await _registered(env)
    return Call("POST", "/alliance/members", json={"org_id": org["org_id"], "category": "legal"}, org=_org_id(org))


async def upload(env: Env) -> Call:
    row = f"导入组织{next(_serial)},民非,{_code()},2018-05-01,{STREET},为老服务,\n"
    data = ("名称,类型,统一社会信用代码,登记日期,街道,业务领域,社区\n" + row).encode()
    return Call("POST", "/imports", files={"file": ("roster.csv", data, "text/csv")})


def get(path: str, params: dict[str, Any] | None = None) -> Any:
    async def prepare(env: Env) -> Call:
        return Call("GET", path, params=params)

    return prepare


# --- the table ------------------------------------------------------------------------------------
#                                                  none admin street street_x reviewer monitor org org_x
MATRIX: dict[str, Row] = {
    **public_rows(OPERATIONS),
    "POST /orgs":                            Row("401 201 201 403 403 403 403 403", register),
    "POST /filings":                         Row("401 201 201 403 403 403 403 403", file),
    "GET /orgs":                             Row("401 200 200 200 200 200 403 403", search,
                                                 hidden=CONTACT_HIDDEN, shown="admin street"),
    "GET /orgs/{org_id}":                    Row("401 200 200 200 200 200 200 403", profile, "org: own only",
                                                 hidden=CONTACT_HIDDEN, shown="admin street org"),
    "GET /orgs/by-code/{credit_code}":       Row("401 200 200 200 200 200 403 403", by_code,
                                                 hidden=CONTACT_HIDDEN, shown="admin street"),
    "POST /orgs/{org_id}/graduation":        Row("401 200 200 403 403 403 403 403", graduate),
    "POST /orgs/{org_id}/suspend":           Row("401 200 200 403 403 403 403 403", status_change("suspend")),
    "POST /orgs/{org_id}/reinstate":         Row("401 200 200 403 403 403 403 403",
                                                 status_change("reinstate", suspended=True)),
    "POST /orgs/{org_id}/deregister":        Row("401 200 200 403 403 403 403 403", status_change("deregister")),
    "PATCH /orgs/{org_id}":                  Row("401 200 200 403 403 403 403 403", patch_profile),
    "PUT /orgs/{org_id}/contact":            Row("401 200 200 403 403 403 200 403", contact, "org: own contact"),
    "PUT /orgs/{org_id}/sponsor":            Row("401 200 200 403 403 403 403 403", sponsor,
                                                 "staff of the group's street; no org names itself sponsor"),
    "GET /platforms":                        Row("401 200 200 200 200 200 403 403", get("/platforms")),
    "POST /platforms/community":             Row("401 201 201 403 403 403 403 403", community_platform),
    "GET /party-branches":                   Row("401 200 200 200 200 200 403 403", get("/party-branches")),
    "POST /party-branches":                  Row("401 201 403 403 403 403 403 403", form_branch),
    "POST /party-branches/{branch_id}/orgs": Row("401 200 403 403 403 403 403 403", attach),
    "GET /alliance":                         Row("401 200 200 200 200 200 403 403", get("/alliance")),
    "POST /alliance/members":                Row("401 201 403 403 403 403 403 403", join_alliance),
    "GET /statistics/by-year":               Row("401 200 200 200 200 200 403 403",
                                                 get("/statistics/by-year", {"from_year": 2020})),
    "GET /statistics/by-street":             Row("401 200 200 200 200 200 403 403", get("/statistics/by-street")),
    "GET /statistics/by-status":             Row("401 200 200 200 200 200 403 403", get("/statistics/by-status")),
    "GET /statistics/party-coverage":        Row("401 200 200 200 200 200 403 403", get("/statistics/party-coverage")),
    "GET /statistics/support":               Row("401 200 200 200 200 200 403 403", get("/statistics/support")),
    "POST /imports":                         Row("401 200 403 403 403 403 403 403", upload),
}  # fmt: skip


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[Env]:
    async with running_app("registry") as running:
        yield running


async def test_every_registry_route_has_a_matrix_row(env: Env) -> None:
    assert_complete(env.app, MATRIX)


@pytest.mark.parametrize("key", list(MATRIX))
async def test_registry_route_answers_each_caller_as_the_matrix_says(env: Env, key: str) -> None:
    mismatches = await check_row(env, key, MATRIX[key])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("key", write_routes(MATRIX))
async def test_registry_route_refuses_a_nul_in_any_body_string_without_a_server_error(env: Env, key: str) -> None:
    problems = await check_nul_in_body(env, key, MATRIX[key])
    assert not problems, "\n".join(problems)
