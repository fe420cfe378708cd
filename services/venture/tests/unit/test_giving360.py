from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from venture.giving360 import org_identifier, package


def test_registered_orgs_are_identified_by_their_credit_code_and_filed_groups_by_an_internal_id():
    org_id = uuid4()
    assert org_identifier("52110101MJ0123456W", org_id) == "CN-USCI-52110101MJ0123456W"
    assert org_identifier(None, org_id).endswith(str(org_id))


def test_disbursed_amount_is_the_sum_of_the_paid_tranches():
    grant_id = uuid4()
    row = {
        "id": grant_id,
        "title": "t",
        "plan": "p",
        "requested_cny": Decimal("100000.00"),
        "amount_cny": Decimal("80000.00"),
        "awarded_on": date(2026, 4, 30),
        "credit_code": None,
        "org_id": uuid4(),
        "org_name": "o",
        "round_number": 7,
        "round_title": "公益创投",
        "round_year": 2026,
        "street_code": "110101006",
        "domain": "mutual_aid",
        "updated_at": datetime(2026, 5, 1, tzinfo=UTC),
    }
    paid = [
        {"grant_id": grant_id, "number": 1, "amount_cny": Decimal("40000.00"), "disbursed_on": date(2026, 5, 1)},
        {"grant_id": grant_id, "number": 2, "amount_cny": Decimal("24000.00"), "disbursed_on": date(2026, 8, 1)},
    ]
    [grant] = package([row], paid, funder_id="F", funder_name="中心")["grants"]
    assert grant["amountDisbursed"] == 64000.0
    assert grant["awardDate"] == "2026-04-30T00:00:00+08:00"
    assert grant["beneficiaryLocation"][0]["name"] == "东四街道"
