"""Party building in depth: branch forms and the branch's life (merge, dissolve), the yearly census
of members per organisation, the two coverages, and what a branch activity may link to. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from registry.domain.party import percent
from shared.errors import Invalid


class BranchForm(StrEnum):
    """How an organisation's members are organised (the article: 单独建、联合建、挂靠建、派驻建)."""

    SINGLE = "single"  # 单独建: its own branch
    JOINT = "joint"  # 联合建: a branch shared with other organisations (the functional branches)
    AFFILIATED = "affiliated"  # 挂靠建: attached to another body's branch
    DISPATCHED = "dispatched"  # 派驻建: a branch sent in by the supervising body


FORM_NAMES = {"single": "单独建", "joint": "联合建", "affiliated": "挂靠建", "dispatched": "派驻建"}


class LinkKind(StrEnum):
    """What a branch activity (支部+公益+项目) is tied to; each resolves against a read model kept
    from its owner's events: venture's grants, procurement's projects, venture's claiming items."""

    GRANT = "grant"
    PROCUREMENT_PROJECT = "procurement_project"
    CLAIMING_ITEM = "claiming_item"


@dataclass(frozen=True)
class Census:
    """One organisation's party members in one year (逐年摸排)."""

    year: int
    members: int
    branch_form: BranchForm | None
    instructor: str | None
    liaison: str | None

    @classmethod
    def record(
        cls,
        *,
        year: int,
        members: int,
        branch_form: BranchForm | None,
        instructor: str | None,
        liaison: str | None,
        today: date,
        registered_year: int | None,
    ) -> Census:
        if year > today.year:
            raise Invalid("year", f"不能登记将来年度（{year}）的党员摸排情况")
        if registered_year is not None and year < registered_year:
            raise Invalid("year", f"组织 {registered_year} 年才登记或备案，不能登记 {year} 年的摸排情况")
        if branch_form is not None and members == 0:
            raise Invalid("branch_form", "没有党员的组织不能填写党组织组建方式")
        instructor = " ".join((instructor or "").split()) or None
        liaison = " ".join((liaison or "").split()) or None
        return cls(year, members, branch_form, instructor, liaison)


def check_active(branch: dict[str, Any], field: str) -> None:
    """Only a running branch is merged, dissolved, joined or credited with activities."""
    if branch["status"] != "active":
        ended = "合并" if branch["status"] == "merged" else "撤销"
        raise Invalid(field, f"党支部“{branch['name']}”已{ended}，不能再变更")


def check_ended_on(field: str, on: date, branch: dict[str, Any], today: date) -> date:
    if on > today:
        raise Invalid(field, "日期不能是将来的日期")
    if on < branch["formed_on"]:
        raise Invalid(field, f"日期早于党支部成立日期 {branch['formed_on']}")
    return on


def coverages(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The two coverages (两个覆盖) of a set of census rows:
    organisation coverage — of the organisations with party members, those whose members are in a
    branch (any form); work coverage — of the organisations without a branch of their own (no
    members, or members in no branch), those reached by a party-building instructor or a liaison."""
    with_members = [r for r in rows if r["members"] > 0]
    in_branch = [r for r in with_members if r["branch_form"] is not None]
    without_branch = [r for r in rows if r["branch_form"] is None]
    reached = [r for r in without_branch if r["instructor"] or r["liaison"]]
    return {
        "orgs": len(rows),
        "members": sum(r["members"] for r in rows),
        "orgs_with_members": len(with_members),
        "orgs_in_branch": len(in_branch),
        "organisation_coverage_pct": percent(len(in_branch), len(with_members)),
        "orgs_without_branch": len(without_branch),
        "orgs_reached": len(reached),
        "work_coverage_pct": percent(len(reached), len(without_branch)),
    }
