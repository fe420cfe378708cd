"""Talent rules on plain values: completion, certificate codes, masking, attendance of the enrolled."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from registry.domain.talent import Programme, check_unenrolled, mask_name, new_certificate_code, normalise_code
from shared.errors import Invalid
from shared.reference import PlatformLevel


def _programme(required: int = 0) -> Programme:
    return Programme.open(
        programme_id=uuid.uuid4(), name="培训", year=2016, level=PlatformLevel.DISTRICT, street_code=None,
        theme="项目设计", agency_org_id=uuid.uuid4(), required_sessions=required, today=date(2020, 1, 1),
    )  # fmt: skip


def test_completion_needs_the_required_sessions_or_all_of_them():
    assert _programme(2).completes(2, 5) and not _programme(2).completes(1, 5)
    assert _programme().completes(3, 3) and not _programme().completes(2, 3)
    assert not _programme().completes(0, 0)


def test_certificate_codes_are_unguessable_and_read_back_in_any_case():
    codes = {new_certificate_code(2016) for _ in range(200)}
    assert len(codes) == 200 and all(c.startswith("RC-2016-") and len(c) == 18 for c in codes)
    assert normalise_code(" rc-2016-abc ") == "RC-2016-ABC"


def test_the_public_page_masks_all_but_the_family_name():
    assert mask_name("王敏") == "王*" and mask_name("欧阳娜娜") == "欧***" and mask_name("王") == "王*"


def test_attendance_of_someone_not_enrolled_names_the_item():
    enrolled = uuid.uuid4()
    with pytest.raises(Invalid) as refused:
        check_unenrolled([enrolled, uuid.uuid4()], {enrolled})
    assert refused.value.field == "person_ids.1"


def test_a_street_programme_needs_its_street_and_a_district_one_none():
    with pytest.raises(Invalid) as refused:
        Programme.open(
            programme_id=uuid.uuid4(), name="n", year=2016, level=PlatformLevel.STREET, street_code=None, theme="t",
            agency_org_id=uuid.uuid4(), required_sessions=0, today=date(2020, 1, 1),
        )  # fmt: skip
    assert refused.value.field == "street_code"
