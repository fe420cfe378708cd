"""Development only: the mails the local mail catcher received (`.eml` files in CONSOLE_DEV_MAILDIR),
so a newcomer reads the invitation without a mail account. Not routed in production."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from console.api.common import Visitor, problem, render, service_of, visitor
from shared.errors import NotFound

router = APIRouter(prefix="/dev/mail", tags=["development"], include_in_schema=False)
Who = Annotated[Visitor, Depends(visitor)]
NAME = re.compile(r"^[A-Za-z0-9._-]{1,200}\.eml$")


def _read(path: Path) -> dict[str, Any]:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    text = body.get_content() if body is not None else ""
    return {
        "name": path.name,
        "subject": str(msg.get("subject", "")),
        "to": str(msg.get("to", "")),
        "from": str(msg.get("from", "")),
        "date": str(msg.get("date", "")),
        "text": text,
        "links": re.findall(r"https?://[^\s<>\"']+", text),
    }


def _maildir(request: Request) -> Path:
    return service_of(request).console_settings.dev_maildir


@router.get("", response_class=HTMLResponse)
async def mails(request: Request, who: Who) -> Response:
    folder = _maildir(request)
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:200] if folder.is_dir() else []
    return render(request, who, "dev/mails.html", {"mails": [_read(p) for p in files], "folder": str(folder)})


@router.get("/{name}", response_class=HTMLResponse)
async def mail(request: Request, who: Who, name: str) -> Response:
    path = _maildir(request) / name
    if not NAME.fullmatch(name) or not path.is_file():
        return problem(request, who, NotFound("没有这封邮件"))
    return render(request, who, "dev/mail.html", {"mail": _read(path)})
