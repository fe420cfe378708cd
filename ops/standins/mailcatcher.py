#!/usr/bin/python3
"""The mail catcher's stand-in (mailcatcher.Dockerfile): an SMTP sink on 1025 keeping each message
in memory, and the part of Mailpit's HTTP API the smoke test reads on 8025.

    /mailpit            serve
    /mailpit readyz     exit 0 when the HTTP side answers (Mailpit's own health command)
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from email import message_from_bytes, policy
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTTP_PORT, SMTP_PORT = 8025, 1025
_messages: list[dict[str, object]] = []
_lock = threading.Lock()


class _Sink:
    """aiosmtpd handler: parse and keep every message, answer 250."""

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        entry: dict[str, object] = {
            "From": {"Address": envelope.mail_from},
            "To": [{"Name": n, "Address": a} for n, a in getaddresses(mail.get_all("To", []))],
            "Subject": str(mail.get("Subject", "")),
            "Recipients": list(envelope.rcpt_tos),
        }
        with _lock:
            _messages.append(entry)
        return "250 OK"


class _Api(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/readyz":
            self._send(200, b"ok", "text/plain")
        elif self.path.split("?")[0] == "/api/v1/messages":
            with _lock:
                body = {"total": len(_messages), "messages": list(reversed(_messages))}
            self._send(200, json.dumps(body, ensure_ascii=False).encode(), "application/json")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def serve() -> None:
    from aiosmtpd.controller import Controller

    smtp = Controller(_Sink(), hostname="0.0.0.0", port=SMTP_PORT)
    smtp.start()
    print(f"mail catcher: SMTP on {SMTP_PORT}, HTTP on {HTTP_PORT}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", HTTP_PORT), _Api).serve_forever()


if __name__ == "__main__":
    if sys.argv[1:] == ["readyz"]:
        urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/readyz", timeout=3)
    elif sys.argv[1:]:
        sys.exit(f"usage: {sys.argv[0]} [readyz]")
    else:
        serve()
