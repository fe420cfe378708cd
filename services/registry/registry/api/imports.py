"""HTTP route of the bulk roster import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile

from registry.api.common import ADMIN, now, service_of
from registry.importer.batch import import_roster
from shared.auth import Principal, require
from shared.errors import Invalid

router = APIRouter(tags=["import"])

MAX_BYTES = 64 * 1024 * 1024


@router.post("/imports", summary="Import a roster CSV (UTF-8; Chinese or English headers); report rejected rows")
async def import_csv(file: UploadFile, request: Request, who: Principal = Depends(require(*ADMIN))) -> dict[str, Any]:
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Invalid("file", "文件超过 64 MB，请分批导入或使用命令行直连数据库模式")
    service = service_of(request)
    report = await import_roster(service.transaction, data, principal=who, now=now(), filename=file.filename)
    return report.as_dict()
