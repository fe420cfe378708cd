"""Unified Social Credit Code rules (glossary, GB 32100-2015)."""

from __future__ import annotations

import pytest

from registry.domain import uscc
from shared.reference import OrgType

GLOSSARY_VALID = ["52110101MJ0123456W", "53100000500019795A", "91110000600037341L"]
# Characters a typo could produce that are not in the code's alphabet.
OUTSIDE = ["I", "O", "S", "V", "Z", "a", "w", "-", " ", "０"]


def single_character_changes(code: str):
    for i, original in enumerate(code):
        for ch in [*uscc.ALPHABET, *OUTSIDE]:
            if ch != original:
                yield i, code[:i] + ch + code[i + 1 :]


@pytest.mark.parametrize("code", GLOSSARY_VALID)
def test_the_glossarys_valid_codes_pass(code):
    assert uscc.validate(code) == code


def test_the_weights_are_powers_of_three_mod_31_as_in_the_glossary():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", GLOSSARY_VALID)
def test_every_single_character_change_of_a_valid_code_fails(code):
    changes = list(single_character_changes(code))
    assert len(changes) == 18 * (len(uscc.ALPHABET) - 1 + len(OUTSIDE))
    passed = []
    for position, changed in changes:
        try:
            uscc.validate(changed)
            passed.append((position, changed))
        except uscc.CreditCodeError:
            pass
    assert passed == []


def test_a_changed_character_inside_the_alphabet_is_caught_by_the_checksum():
    with pytest.raises(uscc.CreditCodeError) as err:
        uscc.validate("52110101MJ0123457W")
    assert err.value.rule == "checksum"


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("52110101MJ0123456", "length"),
        ("52110101MJ0123456WX", "length"),
        ("", "length"),
        ("52110101MJ012345IW", "alphabet"),
        ("52110101mj0123456w", "alphabet"),
    ],
)
def test_malformed_codes_name_the_broken_rule(code, rule):
    with pytest.raises(uscc.CreditCodeError) as err:
        uscc.validate(code)
    assert err.value.rule == rule


@pytest.mark.parametrize(
    ("code", "org_type"),
    [
        ("52110101MJ0123456W", OrgType.SOCIAL_ASSOCIATION),
        ("52110101MJ0123456W", OrgType.FOUNDATION),
        ("53100000500019795A", OrgType.PRIVATE_NON_ENTERPRISE),
        ("91110000600037341L", OrgType.SOCIAL_ASSOCIATION),
        ("52110101MJ0123456W", OrgType.COMMUNITY_ORG),
    ],
)
def test_category_that_disagrees_with_the_org_type_fails(code, org_type):
    with pytest.raises(uscc.CreditCodeError) as err:
        uscc.validate(code, org_type)
    assert err.value.rule == "category"


@pytest.mark.parametrize(
    ("code", "org_type"),
    [
        ("52110101MJ0123456W", OrgType.PRIVATE_NON_ENTERPRISE),
        ("53100000500019795A", OrgType.FOUNDATION),
        (uscc.make_code("51", "110000", "MJ000001"), OrgType.SOCIAL_ASSOCIATION),
    ],
)
def test_category_matching_the_org_type_and_a_known_division_passes(code, org_type):
    assert uscc.validate(code, org_type) == code


def test_a_registering_authority_outside_dongcheng_beijing_or_national_is_refused():
    code = uscc.make_code("52", "110105", "MJ000001")  # Chaoyang district
    assert uscc.validate(code) == code
    with pytest.raises(uscc.CreditCodeError) as err:
        uscc.validate(code, OrgType.PRIVATE_NON_ENTERPRISE)
    assert err.value.rule == "division"


def test_an_override_bypasses_only_the_checksum():
    pilot = "52110101MJ0123456X"
    assert uscc.needs_override(pilot)
    assert uscc.validate(pilot, OrgType.PRIVATE_NON_ENTERPRISE, waive_checksum=True) == pilot
    for other_rule_broken in ("51110101MJ0123456X", "52110105MJ0123456X", "52110101MJ012345IX", "52110101MJ01234X"):
        with pytest.raises(uscc.CreditCodeError) as err:
            uscc.validate(other_rule_broken, OrgType.PRIVATE_NON_ENTERPRISE, waive_checksum=True)
        assert err.value.rule != "checksum"


def test_the_organisation_code_check_character_of_gb_11714_is_checked_too():
    # Both codes below have a correct 18th character, but the 17th (GB 11714) is wrong.
    first17 = "52110101MJ0123457"
    code = first17 + uscc.check_character(first17)
    with pytest.raises(uscc.CreditCodeError) as err:
        uscc.validate(code)
    assert err.value.rule == "checksum" and "组织机构代码" in err.value.message
