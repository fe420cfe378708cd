"""Real local receivers for the outward channels: an SMTP server (aiosmtpd), an HTTP webhook
receiver (http.server in a thread) that verifies signatures and can fail on purpose, and a
receiver that answers one byte every few seconds."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from notify.domain import verify_signature


async def webhook_secret(client: Any, org_id: object) -> dict[str, str]:
    """The organisation asks notify for its signing secret: {key id: secret}, for its receiver."""
    from testkit import token

    response = await client.post(f"/orgs/{org_id}/webhook-secret", headers=token("org", org_id=org_id))
    assert response.status_code == 201, response.text
    body = response.json()
    return {body["key_id"]: body["secret"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailCatcher:
    """aiosmtpd on a free loopback port; `messages` are the parsed mails received. With `refuse`,
    every recipient is refused with that reply (`{address}` is replaced by the recipient)."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse is not None:
            return self.refuse.replace("{address}", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

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
    """Accepts POSTs whose X-SOGC-Signature verifies with one of `secrets` (key id -> secret);
    answers 503 to the first `fail_first` attempts, or `status` with `answer` as its body."""

    def __init__(
        self,
        secrets: dict[str, str],
        *,
        fail_first: int = 0,
        always_fail: bool = False,
        status: int = 204,
        answer: bytes = b"",
        now: Callable[[], float] = time.time,
    ) -> None:
        self.secrets, self.fail_first, self.always_fail = secrets, fail_first, always_fail
        self.status, self.answer, self.now = status, answer, now
        self.attempts: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        self.rejected_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                header = self.headers.get("X-SOGC-Signature", "")
                with receiver._lock:
                    key_id = verify_signature(header, body, receiver.secrets, now=int(receiver.now()))
                    receiver.attempts.append(
                        {"path": self.path, "host": self.headers.get("Host"), "key_id": key_id, "signature": header}
                    )
                    if key_id is None:
                        receiver.rejected_signatures += 1
                        code = 401
                    elif receiver.always_fail or len(receiver.attempts) <= receiver.fail_first:
                        code = 503
                    else:
                        receiver.accepted.append({"path": self.path, "key_id": key_id, **json.loads(body)})
                        code = receiver.status
                answer = receiver.answer if code >= 300 else b""
                self.send_response(code)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

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


def _read_request(sock: socket.socket) -> bool:
    """Read one HTTP request (headers, then a Content-Length body); False when the client left."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


def _hung_up(sock: socket.socket, *, within: float) -> bool:
    """Wait `within` seconds; True as soon as the client closes the connection."""
    ends = time.monotonic() + within
    while (left := ends - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            return False
        except OSError:
            return True
    return False


class TricklingReceiver:
    """Reads a request, then answers `HTTP/1.1 200 OK…` one byte every `interval` seconds until the
    client hangs up (at most `max_bytes`, so it stops by itself). `connections` holds (opened,
    closed) monotonic times; closed is None while the client is still connected."""

    def __init__(self, *, interval: float = 2.0, max_bytes: int = 40) -> None:
        self.interval, self.max_bytes = interval, max_bytes
        self.connections: list[list[float | None]] = []
        receiver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                record: list[float | None] = [time.monotonic(), None]
                receiver.connections.append(record)
                try:
                    receiver._trickle(self.request)
                finally:
                    record[1] = time.monotonic()

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _trickle(self, sock: socket.socket) -> None:
        if not _read_request(sock):
            return
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Padding: " + b"." * self.max_bytes:
            if _hung_up(sock, within=self.interval):
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return

    def in_flight(self) -> int:
        return sum(1 for _, closed in self.connections if closed is None)

    def url(self, path: str = "/slow") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> TricklingReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class FloodingReceiver:
    """Answers 200 and then a body that never ends (64 KiB at a time, for at most `seconds`),
    counting what it managed to write before the client hung up."""

    def __init__(self, *, seconds: float = 20.0) -> None:
        self.seconds = seconds
        self.written: list[int] = []
        receiver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock = self.request
                if not _read_request(sock):
                    return
                written, chunk = 0, b"x" * 65536
                ends = time.monotonic() + receiver.seconds
                try:
                    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
                    while time.monotonic() < ends:
                        sock.sendall(chunk)
                        written += len(chunk)
                except OSError:
                    pass  # the client hung up
                receiver.written.append(written)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/flood") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> FloodingReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
