"""The grants as a 360Giving data package (currency CNY).

360Giving wants amounts as JSON numbers; every amount here has at most two decimals and fits
a double exactly enough for a cent, so the export is the one place money leaves as a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from shared.clock import DISTRICT_ZONE
from shared.reference import DOMAIN_NAMES, STREETS

PREFIX = "360G-CN-DC-SOGC"


def org_identifier(credit_code: str | None, org_id: object) -> str:
    """`CN-USCI-<code>` for a registered org (org-id.guide); filed groups have only our internal id."""
    return f"CN-USCI-{credit_code}" if credit_code else f"{PREFIX}-ORG-{org_id}"


def _num(value: Decimal) -> float:
    return float(value)


def _when(day: date) -> str:
    """Dates as Beijing midnight date-times: the schema's `oneOf` [date-time format, YYYY-MM-DD pattern]
    matches a bare date twice wherever `format` is not asserted, so a bare date would fail validation."""
    return datetime.combine(day, time(0), DISTRICT_ZONE).isoformat()


def package(
    grants: Iterable[Any],
    disbursements: Iterable[Any],
    *,
    funder_id: str,
    funder_name: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    paid: dict[Any, list[Any]] = {}
    for d in disbursements:
        paid.setdefault(d["grant_id"], []).append(d)
    funder = {"id": funder_id, "name": funder_name}
    return {
        "version": "1.4",
        "title": f"{funder_name} 公益创投资助数据",
        "issued": now.isoformat(),
        "grants": [_grant(g, paid.get(g["id"], []), funder) for g in grants],
    }


def _grant(g: Any, tx: list[Any], funder: dict[str, str]) -> dict[str, Any]:
    """One grant as a 360Giving record, with its disbursements as transactions."""
    recipient = {"id": org_identifier(g["credit_code"], g["org_id"]), "name": g["org_name"]}
    return {
        "id": f"{PREFIX}-{g['id']}",
        "title": g["title"],
        "description": g["plan"],
        "currency": "CNY",
        "amountAppliedFor": _num(g["requested_cny"]),
        "amountAwarded": _num(g["amount_cny"]),
        "amountDisbursed": _num(sum((t["amount_cny"] for t in tx), Decimal(0))),
        "awardDate": _when(g["awarded_on"]),
        "recipientOrganization": [recipient],
        "fundingOrganization": [funder],
        "grantProgramme": [
            {
                "code": f"venture-round-{g['round_number']}",
                "title": f"第{g['round_number']}届{g['round_title']}（{g['round_year']}）",
            }
        ],
        "fromOpenCall": "Yes",
        "beneficiaryLocation": [
            {"name": STREETS.get(g["street_code"], g["street_code"]), "geoCode": g["street_code"], "countryCode": "CN"}
        ],
        "classifications": [
            {"vocabulary": "sogc-domain", "code": g["domain"], "title": DOMAIN_NAMES.get(g["domain"], g["domain"])}
        ],
        "disbursementTransaction": [
            {
                "id": f"{PREFIX}-{g['id']}-T{t['number']}",
                "transactionDate": _when(t["disbursed_on"]),
                "value": _num(t["amount_cny"]),
                "currency": "CNY",
            }
            for t in tx
        ],
        "dateModified": g["updated_at"].isoformat(),
    }
