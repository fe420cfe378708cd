"""`make run`'s mail catcher: what notify sends in development is kept, one file per message."""

from __future__ import annotations

import asyncio
import smtplib
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest

from ops import mailcatcher, run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(port: int, to: str, subject: str, body: str) -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "noreply@example.org", to, subject
    mail.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(mail)


async def test_each_message_is_kept_whole_and_readable_newest_first(tmp_path: Path) -> None:
    port = _free_port()
    said: list[str] = []
    server = await mailcatcher.serve(tmp_path, port=port, said=said.append)
    try:
        await asyncio.to_thread(_send, port, "a@example.org", "邀请您开通账号", "链接：https://x/invitation/1")
        await asyncio.to_thread(_send, port, "b@example.org", "第二封", "正文")
    finally:
        server.close()
        await server.wait_closed()
    kept = mailcatcher.received(tmp_path)
    assert [str(m["Subject"]) for _, m in kept] == ["第二封", "邀请您开通账号"]
    assert "https://x/invitation/1" in kept[1][1].get_content()
    assert [p.name.endswith(".eml") for p, _ in kept] == [True, True]
    assert len(kept) == len(await asyncio.to_thread(lambda: list(tmp_path.iterdir())))  # nothing half-written
    assert said == ["mail to a@example.org: 邀请您开通账号", "mail to b@example.org: 第二封"]


async def test_only_the_newest_messages_are_kept(tmp_path: Path) -> None:
    sink = mailcatcher.MailSink(tmp_path, keep=2)

    class Envelope:
        content = None

        def __init__(self, n: int) -> None:
            self.rcpt_tos = ["a@example.org"]
            self.original_content = f"Subject: {n}\r\n\r\nbody\r\n".encode()

    for n in range(4):
        assert (await sink.handle_DATA(None, None, Envelope(n))).startswith("250")
    assert [str(m["Subject"]) for _, m in mailcatcher.received(tmp_path)] == ["3", "2"]


async def test_make_run_leaves_a_taken_port_or_an_operators_mail_server_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(mailcatcher, "PORT", taken.getsockname()[1])
        assert await run._mail_catcher(["notify"]) is None  # someone listens there already
    monkeypatch.setenv("NOTIFY_SMTP_HOST", "mail.example.org")
    assert await run._mail_catcher(["notify"]) is None  # the operator's own server
    monkeypatch.delenv("NOTIFY_SMTP_HOST")
    assert await run._mail_catcher(["registry"]) is None  # nobody sends mail
