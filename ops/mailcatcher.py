"""The mail catcher `make run` starts: an SMTP sink on 127.0.0.1:1025 (where notify sends e-mail
in development) that keeps every message it receives as an `.eml` file in `var/mail/`, so a
newcomer receives invitation links and notices without a mail server; the console lists them in
development mode. `python -m ops.mailcatcher` runs it alone. It relays nothing, anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiosmtpd.smtp import SMTP

ROOT = Path(__file__).resolve().parent.parent
MAILDIR = ROOT / "var" / "mail"
HOST, PORT = "127.0.0.1", 1025
# A development sink, not an archive: beyond this many messages the oldest files go.
KEEP = 2000


class MailSink:
    """aiosmtpd handler: each message accepted is written to `directory`, one `.eml` per message."""

    def __init__(self, directory: Path, *, keep: int = KEEP, said: Callable[[str], None] | None = None) -> None:
        self.directory, self.keep, self.said = directory, keep, said
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}"
        partial.write_bytes(content)
        os.replace(partial, self.directory / name)  # a reader never sees half a message
        self._trim()
        if self.said is not None:
            mail = message_from_bytes(content, policy=policy.default)
            self.said(f"mail to {', '.join(envelope.rcpt_tos)}: {mail.get('Subject', '')}")
        return "250 Message accepted for delivery"

    def _trim(self) -> None:
        kept = sorted(self.directory.glob("*.eml"))
        for old in kept[: max(0, len(kept) - self.keep)]:
            old.unlink(missing_ok=True)


def received(directory: Path = MAILDIR) -> list[tuple[Path, EmailMessage]]:
    """The messages kept, newest first, parsed."""
    out: list[tuple[Path, EmailMessage]] = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(mail, EmailMessage)
        out.append((path, mail))
    return out


async def serve(
    directory: Path = MAILDIR, *, host: str = HOST, port: int = PORT, said: Callable[[str], None] | None = None
) -> asyncio.Server:
    """Listen on `host:port`; the caller closes the server it gets back."""
    sink = MailSink(directory, said=said)
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: SMTP(sink, hostname="mailcatcher", enable_SMTPUTF8=True), host, port)


async def _main(directory: Path, host: str, port: int) -> None:
    server = await serve(directory, host=host, port=port, said=lambda text: print(text, flush=True))
    print(f"mail catcher on {host}:{port}, keeping messages in {directory}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    with contextlib.suppress(Exception):
        await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=MAILDIR)
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    asyncio.run(_main(args.dir, args.host, args.port))


if __name__ == "__main__":
    main()
