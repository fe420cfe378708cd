"""The ten steps over HTTP: one route per command, each checking the caller's role and scope.

One module per group of steps; `router` gathers them in the order the steps run.
"""

from fastapi import APIRouter

from . import announcement, contract, exits, reading, review, solicitation

router = APIRouter()
for _part in (reading, solicitation, review, announcement, contract, exits):
    router.include_router(_part.router)
