"""Real local receivers for the outward channels: an SMTP server (aiosmtpd) and an HTTP
webhook receiver (http.server in a thread) that verifies signatures and can fail on purpose."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from notify.domain import verify_signature


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailCatcher:
    """aiosmtpd on a free loopback port; `messages` are the parsed mails received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def __enter__(self) -> MailCatcher:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class WebhookReceiver:
    """Accepts POSTs whose X-SOGC-Signature verifies; answers 503 to the first `fail_first` attempts."""

    def __init__(self, secret: str, *, fail_first: int = 0, always_fail: bool = False) -> None:
        self.secret, self.fail_first, self.always_fail = secret, fail_first, always_fail
        self.attempts: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        self.rejected_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ts = self.headers.get("X-SOGC-Timestamp", "")
                sig = self.headers.get("X-SOGC-Signature", "")
                with receiver._lock:
                    receiver.attempts.append({"path": self.path, "timestamp": ts})
                    if not verify_signature(receiver.secret, ts, body, sig):
                        receiver.rejected_signatures += 1
                        code = 401
                    elif receiver.always_fail or len(receiver.attempts) <= receiver.fail_first:
                        code = 503
                    else:
                        receiver.accepted.append({"path": self.path, **json.loads(body)})
                        code = 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
