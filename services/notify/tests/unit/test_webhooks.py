"""Webhooks without I/O: per-organisation signatures and their rotation, where a webhook may go,
how failures are redacted, how signing secrets are sealed, and the settings that guard them."""

from __future__ import annotations

import base64
import ipaddress
import ssl
from datetime import UTC, datetime, timedelta

import aiosmtplib
import httpx
import pytest

from notify import domain
from notify.adapters.failures import DeliveryError, classify, http_status
from notify.adapters.keys import SecretBox, new_secret
from notify.adapters.targets import TargetPolicy
from notify.config import DEV_WEBHOOK_KEY_ENCRYPTION_KEY, Settings
from notify.domain import SigningKey, signature_header, verify_signature

BODY = b'{"type":"venture.grant_awarded.v1","data":{"amount_cny":"200000.00"}}'
NOW = 1_760_000_000
A = SigningKey("whk_a", "whsec_secret-of-org-a")
B = SigningKey("whk_b", "whsec_secret-of-org-b")


# --- signatures ------------------------------------------------------------------------------------
def test_a_payload_signed_with_one_orgs_secret_does_not_verify_for_another():
    header = signature_header([A], NOW, BODY)
    assert verify_signature(header, BODY, {A.key_id: A.secret}, now=NOW) == "whk_a"
    assert verify_signature(header, BODY, {B.key_id: B.secret}, now=NOW) is None
    # naming B's key id over A's signature does not help either
    forged = header.replace("whk_a", "whk_b")
    assert verify_signature(forged, BODY, {B.key_id: B.secret}, now=NOW) is None


def test_a_tampered_body_a_replayed_timestamp_or_a_malformed_header_does_not_verify():
    header = signature_header([A], NOW, BODY)
    secrets = {A.key_id: A.secret}
    assert verify_signature(header, BODY.replace(b"200000", b"900000"), secrets, now=NOW) is None
    assert verify_signature(header, BODY, secrets, now=NOW + 301) is None  # replayed five minutes later
    assert verify_signature(header.replace(f"t={NOW}", f"t={NOW + 1}"), BODY, secrets, now=NOW) is None
    for hostile in ("", "t=", f"t={NOW}", f"t={NOW},t={NOW},v1=whk_a:00", "v1=whk_a:" + "0" * 64, "t=x,v1=a:b"):
        assert verify_signature(hostile, BODY, secrets, now=NOW) is None


def test_during_a_rotation_both_keys_sign_and_each_verifies_naming_its_own_key():
    new, old = SigningKey("whk_new", new_secret()), SigningKey("whk_old", new_secret())
    header = signature_header([new, old], NOW, BODY)
    assert header.startswith(f"t={NOW},v1=whk_new:") and ",v1=whk_old:" in header
    assert verify_signature(header, BODY, {"whk_old": old.secret}, now=NOW) == "whk_old"
    assert verify_signature(header, BODY, {"whk_new": new.secret}, now=NOW) == "whk_new"


def test_a_signing_key_never_shows_its_secret_in_a_repr():
    assert A.secret not in repr(A) and A.secret not in str([A])


def test_a_new_key_gives_the_replaced_one_a_grace_period_and_stops_any_older_one_now():
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    grace = timedelta(hours=72)
    assert domain.retirements([], now=now, grace=grace) == {}
    assert domain.retirements(["whk_2", "whk_1"], now=now, grace=grace) == {"whk_2": now + grace, "whk_1": now}


# --- where a webhook may go ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "error_class"),
    [
        ("http://user:pass@hooks.example.org/x", "invalid_url"),
        ("http://user@hooks.example.org/", "invalid_url"),
        ("http://hooks.example.org@127.0.0.1/", "invalid_url"),
        ("http://hooks.example.org\\@127.0.0.1/", "invalid_url"),
        ("ftp://hooks.example.org/", "invalid_url"),
        ("file:///etc/passwd", "invalid_url"),
        ("gopher://hooks.example.org:70/_", "invalid_url"),
        ("javascript:alert(1)", "invalid_url"),
        ("http:///no-host", "invalid_url"),
        ("http://hooks.example.org:22/", "forbidden_target"),
        ("http://hooks.example.org:25/", "forbidden_target"),
        ("http://hooks.example.org:0/", "forbidden_target"),
        ("http://localhost:8080/", "forbidden_target"),
        ("http://api.localhost:8080/", "forbidden_target"),
        ("http://127.0.0.1:15672/api", "forbidden_target"),
        ("http://[::1]:8080/", "forbidden_target"),
        ("http://10.1.2.3/", "forbidden_target"),
        ("http://172.16.0.1/", "forbidden_target"),
        ("http://192.168.1.1/", "forbidden_target"),
        ("http://100.64.0.1/", "forbidden_target"),
        ("http://100.100.100.200/latest/meta-data/", "forbidden_target"),  # Alibaba Cloud metadata
        ("http://169.254.169.254/latest/meta-data/", "forbidden_target"),
        ("http://[fd00:ec2::254]/", "forbidden_target"),
        ("http://[fe80::1]/", "forbidden_target"),
        ("http://[::ffff:127.0.0.1]:8080/", "forbidden_target"),
        ("http://[::ffff:169.254.169.254]/", "forbidden_target"),
        ("http://[64:ff9b::a9fe:a9fe]/", "forbidden_target"),  # NAT64 of 169.254.169.254
        ("http://[2002:7f00:1::1]/", "forbidden_target"),  # 6to4 of 127.0.0.1
        ("http://0.0.0.0:8080/", "forbidden_target"),
        ("http://[::]:8080/", "forbidden_target"),
        ("http://224.0.0.1/", "forbidden_target"),
        ("http://240.0.0.1/", "forbidden_target"),
        ("http://198.18.0.1/", "forbidden_target"),
        ("http://2130706433/", "forbidden_target"),  # 127.0.0.1 as one number
        ("http://0x7f.1/", "forbidden_target"),
        ("http://127.1/", "forbidden_target"),
        ("http://017700000001/", "forbidden_target"),
    ],
)
def test_a_hostile_webhook_url_is_refused_with_its_class(url, error_class):
    with pytest.raises(DeliveryError) as refused:
        TargetPolicy().check_url(url)
    assert refused.value.error_class == error_class and refused.value.permanent


@pytest.mark.parametrize(
    "url", ["https://hooks.example.org/sogc?token=x", "http://hooks.example.org:8443/x", "https://93.184.215.14/x"]
)
def test_a_public_https_or_http_url_on_a_usual_port_passes_the_static_check(url):
    TargetPolicy().check_url(url)


def test_the_allow_list_admits_only_what_it_names_and_never_the_unspecified_address_or_a_privileged_port():
    policy = TargetPolicy.parse(" 127.0.0.1/32 , hooks.intranet., ")
    policy.check_url("http://127.0.0.1:9000/hook")
    policy.check_address("hooks.intranet", ipaddress.ip_address("10.8.0.5"))
    policy.check_address("whatever", ipaddress.ip_address("::ffff:127.0.0.1"))  # mapped: the same address
    for url in ("http://127.0.0.2:9000/", "http://127.0.0.1:22/", "http://[::1]:9000/"):
        with pytest.raises(DeliveryError, match="forbidden_target"):
            policy.check_url(url)
    with pytest.raises(DeliveryError, match="forbidden_target"):
        TargetPolicy.parse("0.0.0.0/0").check_address("x", ipaddress.ip_address("0.0.0.0"))


async def test_a_name_is_refused_when_any_of_its_addresses_is_private_and_unresolvable_names_are_dns_errors():
    async def mixed(host: str, port: int) -> list:
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.1")]

    async def nothing(host: str, port: int) -> list:
        return []

    with pytest.raises(DeliveryError, match="forbidden_target"):
        await TargetPolicy().vet("hooks.example.org", 443, mixed)
    with pytest.raises(DeliveryError, match="dns"):
        await TargetPolicy().vet("hooks.example.org", 443, nothing)


# --- redaction -------------------------------------------------------------------------------------
VICTIM = "victim.person@example.org"
REMOTE = "Traceback at db-internal-7: password=hunter2"


def test_a_refused_recipient_keeps_its_code_but_not_its_address_or_the_servers_words():
    refused = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, f"<{VICTIM}>: mailbox unavailable {REMOTE}", VICTIM)]
    )
    error = classify(refused)
    assert (error.error_class, error.code) == ("smtp_recipient_refused", 550)
    assert VICTIM not in error.reason and "hunter2" not in error.reason and VICTIM not in str(error)


@pytest.mark.parametrize(
    ("raised", "error_class"),
    [
        (TimeoutError(), "timeout"),
        (httpx.ReadTimeout(f"read {VICTIM}"), "timeout"),
        (aiosmtplib.SMTPSenderRefused(553, REMOTE, VICTIM), "smtp_sender_refused"),
        (aiosmtplib.SMTPAuthenticationError(535, REMOTE), "smtp_auth"),
        (aiosmtplib.SMTPDataError(554, f"{REMOTE} {VICTIM}"), "smtp_rejected"),
        (aiosmtplib.SMTPServerDisconnected(REMOTE), "protocol"),
        (ConnectionRefusedError(111, f"refused {VICTIM}"), "refused"),
        (httpx.RemoteProtocolError(REMOTE), "protocol"),
        (ValueError(f"{VICTIM} {REMOTE}"), "unexpected"),
    ],
)
def test_every_failure_is_reduced_to_a_class_and_fixed_words(raised, error_class):
    error = classify(raised)
    assert error.error_class == error_class
    assert VICTIM not in error.reason and "hunter2" not in error.reason


def test_a_wrapped_cause_decides_the_class_refused_or_tls():
    def wrapped(cause: BaseException) -> httpx.ConnectError:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise httpx.ConnectError(f"{inner} {VICTIM}") from inner
        except httpx.ConnectError as outer:
            return outer

    assert classify(wrapped(ConnectionRefusedError(111, "refused"))).error_class == "refused"
    assert classify(wrapped(ssl.SSLCertVerificationError(1, f"bad cert for {VICTIM}"))).error_class == "tls"
    assert classify(wrapped(OSError(113, "no route"))).error_class == "connect"


def test_an_http_answer_keeps_its_status_and_family_only():
    assert (http_status(503).error_class, http_status(503).code) == ("http_5xx", 503)
    assert http_status(404).error_class == "http_4xx" and http_status(302).error_class == "http_3xx"
    assert "503" in http_status(503).reason


# --- sealed secrets and settings ---------------------------------------------------------------------
def test_a_sealed_secret_opens_only_for_its_own_organisation_key_and_encryption_key():
    box = SecretBox(DEV_WEBHOOK_KEY_ENCRYPTION_KEY)
    secret = new_secret()
    sealed = box.seal("org-a", "whk_1", secret)
    assert secret.encode() not in sealed
    assert box.open("org-a", "whk_1", sealed) == secret
    with pytest.raises(ValueError):
        box.open("org-b", "whk_1", sealed)  # copied onto another organisation's row
    with pytest.raises(ValueError):
        SecretBox(base64.urlsafe_b64encode(b"k" * 32).decode()).open("org-a", "whk_1", sealed)


def _production(**overrides: object) -> Settings:
    return Settings(
        environment="production",
        auth_issuer="https://console.district.example",
        auth_jwks_url="https://console.district.example/.well-known/jwks.json",
        database_url="postgresql://notify:strong@db/notify",
        amqp_url="amqp://notify:strong@mq/",
        **overrides,  # type: ignore[arg-type]
    )


def test_production_mode_refuses_the_development_encryption_key_and_every_mode_refuses_a_malformed_one():
    with pytest.raises(RuntimeError, match="NOTIFY_WEBHOOK_KEY_ENCRYPTION_KEY"):
        _production().check_production()
    _production(webhook_key_encryption_key=base64.urlsafe_b64encode(b"p" * 32).decode()).check_production()
    for bad in ("short", base64.urlsafe_b64encode(b"p" * 31).decode(), "not base64 at all!"):
        with pytest.raises(ValueError, match="32 字节"):
            Settings(webhook_key_encryption_key=bad)


def test_the_delivery_deadline_must_end_before_the_lease():
    with pytest.raises(ValueError, match="须短于 worker_lease_seconds"):
        Settings(delivery_deadline_seconds=120, worker_lease_seconds=120)
