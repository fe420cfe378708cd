"""A corpus of hostile and careless district messages, published on the real broker by real
district users: every one is answered (`demand_rejected` naming the field at fault), answered
once, matched to what was sent by its correlation id, delivered to its sender only; then a valid
demand is accepted, so the consumer came through unharmed."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import aiormq
import pytest

from testkit import ADMIN_AMQP_URL, TEST_VHOST, EventTap, RawTimestamp, eventually, publish_message

KEY = "district.demand_published.v1"
ANSWERS = ("procurement.demand_accepted.v1", "procurement.demand_rejected.v1")
DEMO, DONGSI = "district-demo", "dongsi-street-oa"
BROKER_LIMIT = 1024 * 1024  # ops/provision.py MAX_MESSAGE_SIZE


def url(user: str) -> str:
    return f"amqp://{user}:{user}-dev-password@127.0.0.1:5672/{TEST_VHOST}"


def demand(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-03-02T09:30:00+08:00",
        "source_system": DEMO,
        "demand_ref": f"HOSTILE-{uuid.uuid4().hex[:10]}",
        "purchaser": {"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"},
        "street_code": "110101006",
        "title": "社区健身指导",
        "description": "为居民提供健身指导",
        "domain": "culture_sports",
        "budget_cny": "200000.00",
        "expected_beneficiaries": 1200,
        "wanted_by": "2026-06-30",
    }
    body.update(over)
    return body


def encoded(**over: Any) -> bytes:
    return json.dumps(demand(**over), ensure_ascii=False).encode()


def dongsi(**over: Any) -> bytes:
    office = {"code": "110101006000", "name": "东四街道办事处", "kind": "street_office"}
    return encoded(**{"source_system": DONGSI, "purchaser": office, **over})


@dataclass
class Case:
    """One hostile message: what is sent, by whom, and the field its answer must name."""

    name: str
    body: bytes
    field: str
    user: str = DEMO
    key: str = KEY
    props: dict[str, Any] = field(default_factory=dict)
    mine: bool = True  # the sender's login is proved (user_id set and readable): its own copy too

    def properties(self) -> dict[str, Any]:
        base: dict[str, Any] = {
            "message_id": f"mid-{self.name}-{uuid.uuid4().hex[:8]}",
            "correlation_id": f"corr-{self.name}-{uuid.uuid4().hex[:8]}",
            "content_type": "application/json",
            "user_id": self.user,
        }
        base.update(self.props)
        return {k: v for k, v in base.items() if v is not None}


def buyer(code: str, name: str, kind: str = "district_department") -> dict[str, str]:
    return {"code": code, "name": name, "kind": kind}


FAR = RawTimestamp(2**64 - 1)  # past year 9999 even read as milliseconds
DEEP = encoded(purchaser="@").replace(b'"@"', b"[" * 3000 + b"]" * 3000)
FAT = encoded(description="述" * 30_000)  # 90 KB: under the broker's limit, over the contract's 64 KiB
CORPUS: list[Case] = [
    # the body is no demand at all
    Case("malformed-json", b'{"source_system": "district-demo", ', "(body)"),
    Case("json-array", b"[1, 2, 3]", "(body)"),
    Case("json-string", b'"a demand"', "(body)"),
    Case("json-null", b"null", "(body)"),
    Case("empty-body", b"", "(body)"),
    Case("not-utf8", b"\xff\xfe\x00garbage", "(body)"),
    Case("utf16", json.dumps(demand()).encode("utf-16"), "(body)"),
    Case("nested-5000", b"[" * 5000, "(body)"),
    Case("nested-in-a-field", DEEP, "(body)"),
    Case("over-the-contract-size", FAT, "(body)"),
    Case("integer-of-5000-digits", b'{"expected_beneficiaries": ' + b"9" * 5000 + b"}", "(body)"),
    # text PostgreSQL cannot store
    Case("nul-in-title", encoded(title="社区\x00健身"), "title"),
    Case("nul-in-demand-ref", encoded(demand_ref="REF-\x00-1"), "demand_ref"),
    Case("nul-in-purchaser-name", encoded(purchaser=buyer("X", "体\x00育局")), "purchaser.name"),
    Case("lone-surrogate", encoded().replace(b"\\u4e3a", b"\\ud800").replace("为".encode(), b"\\ud800"), "description"),
    # numbers out of range, money that is no money
    Case("beneficiaries-1e400", encoded().replace(b": 1200,", b": 1e400,"), "expected_beneficiaries"),
    Case("beneficiaries-negative", encoded(expected_beneficiaries=-1), "expected_beneficiaries"),
    Case("beneficiaries-too-many", encoded(expected_beneficiaries=10**30), "expected_beneficiaries"),
    Case("budget-1e999999", encoded(budget_cny="1e999999"), "budget_cny"),
    Case("budget-nan", encoded(budget_cny="NaN"), "budget_cny"),
    Case("budget-float", encoded(budget_cny=200000.5), "budget_cny"),
    # the careless integrator
    Case("duplicate-key", encoded()[:-1] + b', "title": 5}', "title"),
    Case("wanted-by-in-the-past", encoded(wanted_by="2025-12-31"), "wanted_by"),
    Case("occurred-at-without-offset", encoded(occurred_at="2026-03-02T09:30:00"), "occurred_at"),
    Case("unknown-street", encoded(street_code="110101099"), "street_code"),
    Case("missing-title", json.dumps({k: v for k, v in demand().items() if k != "title"}).encode(), "title"),
    # speaking for another system, or for a purchaser it may not
    Case("claims-another-system", encoded(source_system=DONGSI), "source_system"),
    Case("claims-an-unknown-system", encoded(source_system="sports-bureau-oa"), "source_system"),
    Case("unlisted-purchaser", encoded(purchaser=buyer("11010100XXX", "某局")), "purchaser"),
    Case("purchaser-renamed", encoded(purchaser=buyer("11010100TYJ", "体育局")), "purchaser.name"),
    Case("purchaser-wrong-kind", encoded(purchaser=buyer("11010100TYJ", "东城区体育局", "street_office")), "purchaser.kind"),  # noqa: E501
    Case("street-office-for-another-street", dongsi(source_system=DEMO, street_code="110101010"), "street_code"),
    Case("street-system-for-a-department", encoded(source_system=DONGSI), "purchaser", user=DONGSI),
    Case("street-system-as-district-demo", dongsi(source_system=DEMO), "source_system", user=DONGSI),
    # the AMQP properties
    Case("no-user-id", encoded(), "user_id", props={"user_id": None}, mine=False),
    Case("no-message-id", encoded(), "message_id", props={"message_id": None}),
    Case("no-content-type", encoded(), "content_type", props={"content_type": None}),
    Case("content-type-text", encoded(), "content_type", props={"content_type": "text/plain"}),
    Case("message-id-too-long", encoded(), "message_id", props={"message_id": "m" * 250}),
    Case("message-id-with-nul", encoded(), "message_id", props={"message_id": "mid-\x00"}),
    Case("correlation-id-with-nul", encoded(), "correlation_id", props={"correlation_id": "c\x00"}),
    Case("timestamp-out-of-range", encoded(), "(properties)", props={"timestamp": FAR}, mine=False),
    Case("header-timestamp-out-of-range", encoded(), "(properties)", props={"headers": {"t": FAR}}, mine=False),
    # keys that are not the contract's
    Case("version-2", encoded(), "routing_key", key="district.demand_published.v2"),
    Case("misspelt-key", encoded(), "routing_key", key="district.demand_publish.v1"),
    Case("longer-key", encoded(), "routing_key", key="district.demand_published.v1.extra"),
    Case("cc-forging", encoded(), "routing_key", key="district.probe.v1", props={"headers": {"CC": [*ANSWERS]}}),
]  # fmt: skip


def match_key(case: Case, props: dict[str, Any], answer: dict[str, Any]) -> bool:
    """Whether `answer` answers the case's message: by the correlation id the sender set (or its
    message id), else, when the properties were unreadable, by the demand_ref the body holds."""
    expected = _expected_correlation(props)
    if expected is not None:
        return answer.get("correlation_id") == expected
    return answer.get("demand_ref") == json.loads(case.body)["demand_ref"]


def _expected_correlation(props: dict[str, Any]) -> str | None:
    if "timestamp" in props or any(isinstance(v, RawTimestamp) for v in (props.get("headers") or {}).values()):
        return None  # the properties are dropped whole
    for key in ("correlation_id", "message_id"):
        value = props.get(key)
        if value and len(value) <= 200 and "\x00" not in value:
            return str(value)
    return None


class OwnAnswers:
    """A district system's own answer queue, bound to its own keys only (as its login allows)."""

    def __init__(self, user: str) -> None:
        self.user = user
        self.bodies: list[dict[str, Any]] = []

    async def __aenter__(self) -> OwnAnswers:
        self._conn = await aio_pika.connect(url(self.user))
        channel = await self._conn.channel()
        events = await channel.get_exchange("events", ensure=False)
        queue = await channel.declare_queue(f"{self.user}.corpus-{uuid.uuid4().hex[:6]}", exclusive=True)
        for key in ANSWERS:
            await queue.bind(events, f"procurement.to.{self.user}.{key.split('.', 1)[1]}")
        await queue.consume(self._on, no_ack=True)
        return self

    async def _on(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        assert message.routing_key in ANSWERS  # only procurement may publish these keys
        self.bodies.append({**json.loads(message.body), "routing_key": message.routing_key})

    async def __aexit__(self, *exc: object) -> None:
        await self._conn.close()


async def test_every_hostile_message_is_answered_once_naming_the_field_then_a_valid_one_is_accepted(client, db):
    assert len(CORPUS) >= 40 and len({c.name for c in CORPUS}) == len(CORPUS)
    sent: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    async with EventTap(*ANSWERS) as everyone, OwnAnswers(DEMO) as demo, OwnAnswers(DONGSI) as street:
        for case in CORPUS:
            props = case.properties()
            await publish_message(url(case.user), case.key, case.body, **props)
            sent[case.name] = props

        def answers_to(case: Case, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
            # Delivery is at least once (a relay whose confirm was lost publishes again, with the
            # same event_id): an answer is one event_id, however often it arrives.
            found = {b.get("event_id"): b for b in bodies if match_key(case, sent[case.name], b)}
            return list(found.values())

        async def all_answered() -> bool:
            return all(answers_to(c, everyone.bodies()) for c in CORPUS)

        await eventually(all_answered, timeout=60)
        elapsed = time.monotonic() - started

        # A valid demand after all that is accepted: the consumer came through unharmed.
        ok = demand()
        ok_props = {"message_id": ok["event_id"], "content_type": "application/json", "user_id": DEMO}
        await publish_message(url(DEMO), KEY, json.dumps(ok).encode(), **ok_props)

        async def accepted() -> list[dict[str, Any]]:
            return [b for b in demo.bodies if b.get("accepted_message_id") == ok["event_id"]]

        [answer] = await eventually(accepted, timeout=30)

    wrong, twice = {}, []
    for case in CORPUS:
        found = answers_to(case, everyone.bodies())
        if len(found) != 1:
            twice.append((case.name, len(found)))
        fields = [e["field"] for e in found[0].get("errors", [])]
        if case.field not in fields or found[0].get("demand_id"):
            wrong[case.name] = fields
        own = answers_to(case, street.bodies if case.user == DONGSI else demo.bodies)
        assert len(own) == (1 if case.mine else 0), (case.name, len(own))
        assert found[0]["source_system"] == (case.user if case.mine else None), case.name
    assert not wrong, wrong
    assert not twice, twice
    # Each system received its own answers and nothing else.
    assert all(b["source_system"] == DONGSI for b in street.bodies)
    assert all(b["source_system"] == DEMO for b in demo.bodies)

    assert answer["routing_key"] == "procurement.demand_accepted.v1" and answer["correlation_id"] == ok["event_id"]
    assert answer["source_system"] == DEMO and answer["demand_ref"] == ok["demand_ref"]
    by_name = {c.name: c for c in CORPUS}
    claimed = answers_to(by_name["claims-another-system"], everyone.bodies())[0]
    assert DONGSI in next(e["message"] for e in claimed["errors"] if e["field"] == "source_system")
    assert await db.fetchval("SELECT count(*) FROM demands WHERE source_system = $1", DONGSI) == 0
    kept = await db.fetchval("SELECT count(*) FROM rejected_messages")
    assert kept == len(CORPUS)
    print(
        f"\nhostile corpus: {len(CORPUS)} messages, {len(CORPUS) - len(wrong)} answered naming the field, "
        f"answered in {elapsed:.1f} s; then a valid demand accepted"
    )


async def test_a_message_over_the_brokers_limit_is_refused_at_publish():
    body = b" " * (BROKER_LIMIT + 1)
    with pytest.raises(aiormq.exceptions.ChannelPreconditionFailed, match="max size"):
        await publish_message(url(DEMO), KEY, body, message_id="too-big", user_id=DEMO)


async def test_a_rejected_message_without_message_id_is_answered_once_across_a_real_redelivery(client, monkeypatch):
    """The broker delivers it again after procurement committed the answer (the ack is lost:
    here turned into a requeue), and the second delivery is recognised, not answered again."""
    body = b'{"demand_ref": "NO-ID-' + uuid.uuid4().hex.encode() + b'", "title": 5}'
    redelivered: list[bool] = []
    original_ack = aio_pika.IncomingMessage.ack

    async def lose_first_ack(self: aio_pika.IncomingMessage, multiple: bool = False) -> None:
        if self.body == body:
            redelivered.append(self.redelivered)
            if len(redelivered) == 1:
                await self.nack(requeue=True)
                return
        await original_ack(self, multiple)

    monkeypatch.setattr(aio_pika.IncomingMessage, "ack", lose_first_ack)
    async with EventTap("procurement.demand_rejected.v1", url=ADMIN_AMQP_URL) as tap:
        await publish_message(url(DEMO), KEY, body, content_type="application/json", user_id=DEMO)

        async def delivered_twice() -> bool:
            return redelivered == [False, True]

        await eventually(delivered_twice, timeout=30)
        marker = demand()
        await publish_message(url(DEMO), KEY, json.dumps(marker).encode(), message_id=marker["event_id"])

        async def marker_answered() -> bool:
            return any(b.get("rejected_message_id") == marker["event_id"] for b in tap.bodies())

        await eventually(marker_answered)
    mine = [b for b in tap.bodies() if b.get("demand_ref", "").startswith("NO-ID-")]
    assert len(mine) == 1 and {e["field"] for e in mine[0]["errors"]} >= {"message_id", "title"}
