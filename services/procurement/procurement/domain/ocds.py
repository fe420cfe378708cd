"""OCDS 1.1 mapping (glossary): a record per project, one immutable release per step.

Steps 1–2 planning, 3 tender, 4–5 tender updates (bid status valid/disqualified), 6 award
`pending` during the announcement, 7 contract `pending`, 8 contract `active`, 9
implementation (milestones, transactions), 10 contract terminated with a final evaluation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from procurement.domain.model import Contract, Screening
from procurement.domain.project import Project
from shared.clock import DISTRICT_ZONE
from shared.reference import DOMAIN_NAMES, STREETS

PUBLISHER = {"name": "东城区社会组织指导服务中心"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
# Every extension the releases use must be declared, or validators report its fields as
# undeclared additional fields: bids (tender updates list each proposal as a bid).
EXTENSIONS = ["https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"]

_TAGS: dict[str, list[str]] = {
    "planning": ["planning"],
    "tender": ["tender"],
    "screened": ["tenderUpdate"],
    "award": ["award"],
    "objection_upheld": ["awardUpdate"],
    "contract_pending": ["contract"],
    "contract": ["contract"],
    "implementation": ["implementation"],
    "payment": ["implementation"],
    "evaluation": ["contractTermination"],
    "cancelled": ["tenderCancellation"],
    "unsuccessful": ["tenderUpdate"],
}


def _when(day: date) -> str:
    return datetime.combine(day, time(9, 0), tzinfo=DISTRICT_ZONE).isoformat()


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount), "currency": "CNY"}


def _org_id(credit_code: str | None, org_id: Any) -> str:
    return f"CN-USCI-{credit_code}" if credit_code else f"sogc-org-{org_id}"


def _buyer(p: Project) -> dict[str, Any]:
    return {"id": f"sogc-purchaser-{p.purchaser.code}", "name": p.purchaser.name}


def _parties(p: Project) -> list[dict[str, Any]]:
    parties: list[dict[str, Any]] = [{**_buyer(p), "roles": ["buyer", "procuringEntity"]}]
    seen = set()
    for prop in p.proposals:
        pid = f"sogc-org-{prop.org_id}"
        if pid in seen:
            continue
        seen.add(pid)
        roles = ["tenderer"]
        if p.contract and p.contract.org_id == prop.org_id:
            roles.append("supplier")
        parties.append({"id": pid, "name": prop.org_name or str(prop.org_id), "roles": roles})
    return parties


def _tender(p: Project, step_no: int, status: str) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": f"{p.ocid}-tender",
        "title": p.title,
        "description": p.description or p.title,
        "status": status,
        "procurementMethod": "open",
        "procurementMethodDetails": "政府购买服务（项目征集）",
        "mainProcurementCategory": "services",
        "value": _money(p.budget_cny),
        "procuringEntity": _buyer(p),
    }
    if p.opens_on and p.closes_on:
        tender["tenderPeriod"] = {"startDate": _when(p.opens_on), "endDate": _when(p.closes_on)}
    if step_no >= 2:
        bids: list[dict[str, Any]] = [
            {
                "id": str(prop.id),
                "date": _when(prop.submitted_on),
                "status": {"valid": "valid", "disqualified": "disqualified"}.get(str(prop.screening), "pending"),
                "tenderers": [{"id": f"sogc-org-{prop.org_id}", "name": prop.org_name or str(prop.org_id)}],
                "value": _money(prop.budget_cny),
            }
            for prop in p.proposals
        ]
        tender["numberOfTenderers"] = len({prop.org_id for prop in p.proposals})
        tender["_bids"] = bids
    return tender


def _from_needs(p: Project) -> str:
    """The community needs the demands came from (社区需求), named in planning.rationale."""
    if not p.community_needs:
        return ""
    named = "；".join(
        f"{n.community}“{n.title}”（{n.residents} 位居民，需求编号 {n.need_id}）" for n in p.community_needs
    )
    return f"；来源于 {len(p.community_needs)} 项社区需求：{named}"


def release(p: Project, seq: int) -> dict[str, Any]:
    """The release for history entry `seq`: what the step added, dated when it happened."""
    step = p.history[seq - 1]
    kind = step.kind
    rel: dict[str, Any] = {
        "ocid": p.ocid,
        "id": f"{p.ocid}-{seq:03d}-{kind}",
        "date": _when(step.on),
        "tag": _TAGS.get(kind, ["update"]),
        "initiationType": "tender",
        "language": "zh",
        "buyer": _buyer(p),
        "parties": _parties(p),
        "planning": {
            "rationale": f"{DOMAIN_NAMES.get(str(p.domain), str(p.domain))}；"
            f"{STREETS.get(p.street_code or '', '区级')}；{len(p.demand_ids)} 项需求梳理合并" + _from_needs(p),
            "budget": {"id": f"{p.ocid}-budget", "amount": _money(p.budget_cny), "project": p.title},
        },
    }
    if kind == "planning":
        rel["tender"] = {**_tender(p, 1, "planning")}
        rel["tender"].pop("tenderPeriod", None)
    elif kind in ("tender", "screened", "unsuccessful", "cancelled"):
        status = {"tender": "active", "screened": "active", "unsuccessful": "unsuccessful", "cancelled": "cancelled"}
        rel["tender"] = _tender(p, 1 if kind == "tender" else 2, status[kind])
    else:
        rel["tender"] = _tender(p, 2, "complete")
    if kind == "objection_upheld":
        d = step.detail
        rel["awards"] = [
            {
                "id": f"{p.ocid}-award-{d['award_no']}",
                "title": p.title,
                "status": "cancelled",
                "date": _when(step.on),
                "description": "异议成立，退回立项评审",
                "value": _money(Decimal(d["amount"])),
                "suppliers": [{"id": f"sogc-org-{d['org_id']}", "name": d["org_name"]}],
            }
        ]
    elif kind not in ("planning", "tender", "screened") and (p.selection or p.contract):
        rel["awards"] = [_award(p, kind, step.on)]
    if kind in ("contract_pending", "contract", "implementation", "payment", "evaluation"):
        rel["contracts"] = [_contract(p, kind, seq)]
    bids = rel["tender"].pop("_bids", None)
    if bids:
        rel["bids"] = {"details": bids}
    return rel


def _award_id(p: Project) -> str:
    return f"{p.ocid}-award-{p.selection.award_no if p.selection else 1}"


def _award(p: Project, kind: str, on: date) -> dict[str, Any]:
    """The current award: pending during the announcement, active once closed, cancelled on an exit."""
    s, c = p.selection, p.contract
    org_id = c.org_id if c else s.org_id if s else None
    name = (c.org_name if c else s.org_name if s else None) or ""
    amount = c.amount_cny if c else s.amount_cny if s else p.budget_cny
    status = {"award": "pending", "cancelled": "cancelled", "unsuccessful": "cancelled"}.get(kind, "active")
    award: dict[str, Any] = {
        "id": _award_id(p),
        "title": p.title,
        "status": status,
        "date": _when(on),
        "value": _money(amount),
        "suppliers": [{"id": f"sogc-org-{org_id}", "name": name}],
    }
    if p.announcement is not None:
        award["description"] = (
            f"公示 {p.announcement.working_days} 个工作日，{p.announcement.starts_on} 至 {p.announcement.ends_on}；"
            f"异议截止 {p.announcement.objection_deadline}"
        )
    return award


def _contract(p: Project, kind: str, seq: int) -> dict[str, Any]:
    c = p.contract
    amount = c.amount_cny if c else (p.contract_amount_cny or p.budget_cny)
    contract: dict[str, Any] = {
        "id": str(c.id) if c else f"{p.ocid}-contract",
        "awardID": _award_id(p),
        "title": p.title,
        "status": {"contract_pending": "pending", "evaluation": "terminated"}.get(kind, "active"),
        "value": _money(amount),
    }
    if p.optimisation:
        contract["description"] = f"项目优化：{p.optimisation}"
    if kind != "contract_pending" and c is not None:
        contract["period"] = {"startDate": _when(c.starts_on), "endDate": _when(c.ends_on)}
        contract["dateSigned"] = _when(c.signed_on)
        implementation = _implementation(p, c, upto=p.history[seq - 1].on)
        if implementation:
            contract["implementation"] = implementation
        if kind == "evaluation" and p.evaluation is not None:
            e = p.evaluation
            contract["documents"] = [
                {
                    "id": f"{p.ocid}-final-evaluation",
                    "documentType": "finalAudit",
                    "title": "第三方终期评估",
                    "description": f"等级 {e.grade}；受益 {e.beneficiary_person_times} 人次；{e.summary}",
                    "datePublished": _when(e.evaluated_on),
                    "language": "zh",
                }
            ]
    return contract


def _implementation(p: Project, c: Contract, *, upto: date) -> dict[str, Any]:
    """The contract's monitoring reports and payments up to a release's date."""
    reports = [r for r in p.reports if r.reported_on <= upto]
    payments = [x for x in p.payments if x.paid_on <= upto]
    implementation = {
        "milestones": [
            {
                "id": str(r.id),
                "title": r.milestone,
                "type": "reporting",
                "status": "met" if r.status == "on_track" else "notMet",
                "dateMet": _when(r.reported_on),
                "description": r.summary + ("；预警：" + "；".join(r.warnings) if r.warnings else ""),
            }
            for r in reports
        ],
        "transactions": [
            {
                "id": str(x.id),
                "date": _when(x.paid_on),
                "value": _money(x.amount_cny),
                "payer": _buyer(p),
                "payee": {"id": f"sogc-org-{c.org_id}", "name": c.org_name},
            }
            for x in payments
        ],
    }
    # OCDS asks publishers to omit empty fields rather than publish [] (a validator's warning).
    implementation = {k: v for k, v in implementation.items() if v}
    return implementation


def freeze(p: Project) -> None:
    """Freeze the release of every step not frozen yet: a published release never changes."""
    for step in p.history:
        if step.release is None:
            step.release = release(p, step.seq)


def releases(p: Project) -> list[dict[str, Any]]:
    return [step.release or release(p, step.seq) for step in p.history]


def _published(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(DISTRICT_ZONE).isoformat()


def _package(uri: str, policy: str | None, now: datetime | None) -> dict[str, Any]:
    """The package metadata; the publication policy is the operator's URL (omitted until configured)."""
    meta: dict[str, Any] = {
        "uri": uri,
        "version": "1.1",
        "extensions": list(EXTENSIONS),
        "publishedDate": _published(now),
        "publisher": PUBLISHER,
        "license": LICENSE,
    }
    if policy:
        meta["publicationPolicy"] = policy
    return meta


def release_package(
    projects: list[Project], *, base_uri: str, policy: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    return {
        **_package(f"{base_uri}/ocds/releases", policy, now),
        "releases": [r for p in projects for r in releases(p)],
    }


def record_package(
    projects: list[Project], *, base_uri: str, policy: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """A record per project: its releases embedded, and a compiled release (the latest state)."""
    records = []
    for p in projects:
        rels = releases(p)
        if not rels:
            continue
        compiled = dict(rels[-1])
        compiled["id"] = f"{p.ocid}-compiled"
        compiled["tag"] = ["compiled"]
        records.append({"ocid": p.ocid, "releases": rels, "compiledRelease": compiled})
    return {**_package(f"{base_uri}/ocds/records", policy, now), "records": records}


__all__ = ["Screening", "record_package", "release", "release_package", "releases"]
