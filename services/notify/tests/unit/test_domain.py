"""Pure decisions: recipients from rules, reminder dates in Chinese working days, backoff
(webhook signatures and targets: test_webhooks.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from notify import domain, rules
from notify.rules import RecipientSpec, ReminderSpec
from shared.contracts import EVENT_TYPES, contract_events
from shared.workdays import WorkCalendar

CAL = WorkCalendar()
REPORT = ReminderSpec("report_due", "due", ("grant_id",), (4, 3, 0), ())


def test_reminders_count_back_across_national_day_onto_the_make_up_sunday():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up workdays.
    planned = domain.plan_reminders(REPORT, date(2025, 10, 10), today=date(2025, 9, 1), calendar=CAL)
    days = {p.workdays_before: p.remind_on for p in planned}
    assert days[0] == date(2025, 10, 10)
    assert days[3] == date(2025, 9, 29)  # 9 Oct, 30 Sep, 29 Sep: the holiday week does not count
    assert days[4] == date(2025, 9, 28)  # a Sunday, but a make-up workday
    assert all(p.fire_at.hour == 9 and p.fire_at.utcoffset() == timedelta(hours=8) for p in planned)


def test_a_make_up_saturday_counts_as_a_working_day_before_a_deadline():
    spec = ReminderSpec("x", "due", ("id",), (1, 2), ())
    planned = domain.plan_reminders(spec, date(2025, 10, 13), today=date(2025, 9, 1), calendar=CAL)
    assert {p.workdays_before: p.remind_on for p in planned} == {2: date(2025, 10, 10), 1: date(2025, 10, 11)}


def test_reminder_days_already_past_are_not_planned():
    planned = domain.plan_reminders(REPORT, date(2025, 10, 10), today=date(2025, 10, 1), calendar=CAL)
    assert [p.workdays_before for p in planned] == [0]


def test_operator_holidays_move_reminders():
    cal = WorkCalendar(extra_holidays=[date(2025, 10, 9)])
    planned = domain.plan_reminders(REPORT, date(2025, 10, 10), today=date(2025, 9, 1), calendar=cal)
    assert {p.workdays_before: p.remind_on for p in planned}[3] == date(2025, 9, 28)


def test_values_at_fans_out_lists_and_drops_missing_values():
    payload = {"selected": [{"org_id": "a"}, {"org_id": "b"}, {"org_id": None}], "org_ids": ["x", "y"], "n": None}
    assert domain.values_at(payload, "selected.org_id") == ["a", "b"]
    assert domain.values_at(payload, "org_ids") == ["x", "y"]
    assert domain.values_at(payload, "n") == []
    assert domain.values_at(payload, "absent.deeper") == []


def test_targets_deduplicate_and_skip_an_absent_sponsor():
    spec = RecipientSpec("org", "selected.org_id", ("inbox",))
    payload = {"selected": [{"org_id": "a"}, {"org_id": "a"}], "street_code": "110101006"}
    assert [t.key for t in domain.targets(spec, payload)] == ["a"]
    assert domain.targets(RecipientSpec("sponsor", "sponsor_org_id", ("inbox",)), {"sponsor_org_id": None}) == []


def test_district_and_demand_purchaser_targets():
    assert domain.targets(RecipientSpec("district", "", ("inbox",)), {})[0].key == "110101"
    spec = RecipientSpec("demand_purchaser", "demand_ref", ("inbox",))
    named = {"source_system": "oa", "demand_ref": "D-1", "purchaser": {"code": "mzj", "name": "区民政局"}}
    t = domain.targets(spec, named)
    assert [(x.role, x.kind, x.key) for x in t] == [("purchaser", "purchaser", "mzj")]
    # An answer from before procurement named the purchaser addresses nobody (no wait forever).
    assert domain.targets(spec, {"source_system": "oa", "demand_ref": "D-1"}) == []


def test_notice_id_is_the_same_for_the_same_event_recipient_and_channel():
    import uuid

    e = uuid.uuid4()
    assert domain.notice_id(e, "org", "k", "email") == domain.notice_id(e, "org", "k", "email")
    assert domain.notice_id(e, "org", "k", "email") != domain.notice_id(e, "org", "k", "inbox")


def test_backoff_doubles_and_is_capped():
    waits = [domain.backoff(n, base=30, cap=300).total_seconds() for n in range(1, 6)]
    assert waits == [30, 60, 120, 240, 300]


def test_conditions():
    assert domain.condition_holds({"valid": True}, "valid")
    assert domain.condition_holds({"valid": False}, "!valid")
    assert domain.condition_holds({}, None)


# --- the rules file --------------------------------------------------------------------------


def test_every_published_event_type_has_a_rule_or_is_deliberately_ignored():
    loaded = rules.load()
    missing = sorted(k for k in contract_events() if not k.startswith("notify.") and not loaded.covers(k))
    assert missing == [], f"add a rule or an [ignored] line in rules.toml for: {missing}"


def test_every_rule_names_a_known_event_type_and_has_a_template():
    from notify.rendering import Renderer

    loaded, renderer = rules.load(), Renderer()
    assert sorted(k for k in [*loaded.events, *loaded.ignored] if k not in EVENT_TYPES) == []
    assert [k for k in loaded.events if not renderer.exists(k)] == []
    assert [n for n in loaded.reminder_names() if not renderer.exists(f"reminder.{n}")] == []


def test_operator_override_replaces_an_entry_and_can_ignore_an_event(tmp_path: Path):
    override = tmp_path / "rules.toml"
    override.write_text(
        '[[events."venture.grant_awarded.v1".notify]]\nto = "district"\nchannels = ["inbox"]\n'
        '[ignored]\n"registry.org_filed.v1" = "our street offices handle filings on paper"\n',
        encoding="utf-8",
    )
    loaded = rules.load(override)
    assert [s.to for s in loaded.events["venture.grant_awarded.v1"].recipients] == ["district"]
    assert "registry.org_filed.v1" not in loaded.events and loaded.covers("registry.org_filed.v1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[events."a.b.v1".notify]]\nto = "nobody"\nfield = "x"\n', "unknown recipient"),
        ('[[events."a.b.v1".notify]]\nto = "org"\nfield = "x"\nchannels = ["pigeon"]\n', "unknown channels"),
        ('[[events."a.b.v1".notify]]\nto = "org"\n', "needs a field"),
        ('[events."a.b.v1"]\ncancels = [{ reminder = "ghost", thing = ["id"] }]\n', "no reminder named"),
    ],
)
def test_a_malformed_rules_file_is_refused_naming_the_entry(text, message):
    import tomllib

    with pytest.raises(rules.RulesError, match=message):
        rules.parse(tomllib.loads(text))


def _due(source: object, n: int, deadline: date) -> domain.DueReminder:
    import uuid

    return domain.DueReminder(uuid.uuid4(), source, "report_due", deadline, n)  # type: ignore[arg-type]


def test_after_a_pause_only_the_latest_due_reminder_of_a_thing_is_sent_and_none_after_the_deadline():
    import uuid

    a, b = uuid.uuid4(), uuid.uuid4()
    three, one = _due(a, 3, date(2025, 10, 13)), _due(a, 1, date(2025, 10, 13))
    late = _due(b, 0, date(2025, 10, 10))
    send, drop = domain.choose_due([three, one, late], today=date(2025, 10, 11))
    assert send == [one] and set(drop) == {three, late}


def test_workdays_left_counts_the_make_up_saturday_and_skips_the_holiday():
    assert domain.workdays_left(date(2025, 10, 11), date(2025, 10, 13), CAL) == 1  # Sat (make-up) only
    assert domain.workdays_left(date(2025, 9, 29), date(2025, 10, 10), CAL) == 3  # 29, 30 Sep, 9 Oct
    assert domain.workdays_left(date(2025, 10, 10), date(2025, 10, 10), CAL) == 0
