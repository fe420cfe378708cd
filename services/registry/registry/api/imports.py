"""HTTP route of the bulk roster import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile

from registry.access import ADMIN
from registry.api.common import now, service_of
from registry.importer.batch import import_roster
from shared.auth import Principal, require

router = APIRouter(tags=["import"])


@router.post("/imports", summary="Import a roster CSV (UTF-8; Chinese or English headers); report rejected rows")
async def import_csv(file: UploadFile, request: Request, who: Principal = Depends(require(*ADMIN))) -> dict[str, Any]:
    # Starlette has already spooled the upload (to a temporary file beyond 1 MB); it is read
    # from there as a stream, row by row, never as a whole in memory. Its size was limited at the
    # edge (`import_max_bytes`, a 413 before the upload is read) and the caller authenticated first.
    service = service_of(request)
    # The import's events wait in the outbox until it ends (at most two minutes): relaying them
    # meanwhile made the import compete with its own relay and every consumer for the cores.
    with service.outbox_held(at_most=120.0):
        report = await import_roster(service.transaction, file.file, principal=who, now=now(), filename=file.filename)
    return report.as_dict()
