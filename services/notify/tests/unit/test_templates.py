"""Every (event, channel) the rules use renders in Chinese from a sample event; gaps are errors."""

from __future__ import annotations

import jinja2
import pytest
from samples import sample_event

from notify import rules
from notify.rendering import Renderer
from shared.contracts import EVENT_TYPES

RULES = rules.load()
RENDERER = Renderer()


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for key, rule in RULES.events.items():
        for spec in rule.recipients:
            for channel in spec.channels:
                cases.append((key, spec.to, channel))
        if rule.feed:
            cases.append((key, "public", "feed"))
    return sorted(set(cases))


@pytest.mark.parametrize(("routing_key", "role", "channel"), _cases())
def test_every_rule_template_renders_chinese_text_from_a_sample_event(routing_key, role, channel):
    event = sample_event(EVENT_TYPES[routing_key])
    payload = event.model_dump(mode="json")
    out = RENDERER.render(routing_key, channel, payload, {"role": role, "kind": role, "key": "k", "name": "收件人"})
    assert out.subject and out.body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out.subject + out.body)
    assert "None" not in out.subject + out.body


def _reminder_cases() -> list[tuple[str, str]]:
    return sorted({(key, r.name) for key, rule in RULES.events.items() for r in rule.reminders})


@pytest.mark.parametrize(("routing_key", "name"), _reminder_cases())
@pytest.mark.parametrize("workdays_left", [3, 0])
def test_every_reminder_template_renders_both_before_and_on_the_day(routing_key, name, workdays_left):
    payload = sample_event(EVENT_TYPES[routing_key]).model_dump(mode="json")
    payload |= {"deadline": "2026-10-09", "workdays_left": workdays_left, "remind_on": "2026-10-09"}
    out = RENDERER.render(f"reminder.{name}", "inbox", payload, {"role": "org", "kind": "org", "key": "k", "name": "x"})
    assert ("今天" in out.body) == (workdays_left == 0)
    assert "2026年10月9日" in out.body


def test_a_field_missing_from_the_event_is_an_error_not_a_blank():
    payload = sample_event(EVENT_TYPES["venture.grant_awarded.v1"]).model_dump(mode="json")
    del payload["project_title"]
    with pytest.raises(jinja2.UndefinedError, match="project_title"):
        RENDERER.render(
            "venture.grant_awarded.v1", "inbox", payload, {"role": "org", "kind": "org", "key": "k", "name": "x"}
        )


def test_email_wraps_the_body_with_greeting_and_signature():
    payload = sample_event(EVENT_TYPES["registry.org_registered.v1"]).model_dump(mode="json")
    out = RENDERER.render(
        "registry.org_registered.v1",
        "email",
        payload,
        {"role": "org", "kind": "org", "key": "k", "name": "阳光助老服务中心"},
    )
    assert out.body.startswith("阳光助老服务中心：")
    assert "东城区社会组织指导服务中心" in out.body
    assert "登记" in out.subject


def test_an_applicants_notice_never_names_the_reviewer():
    reviewer = "reviewer-wang-secret"
    for key in (
        "procurement.project_approved.v1",
        "procurement.announcement_started.v1",
        "venture.application_screened.v1",
        "venture.results_announced.v1",
    ):
        payload = sample_event(EVENT_TYPES[key]).model_dump(mode="json") | {"reviewer": reviewer}
        for channel in ("inbox", "email", "webhook"):
            out = RENDERER.render(key, channel, payload, {"role": "org", "kind": "org", "key": "k", "name": "x"})
            assert reviewer not in out.subject + out.body
