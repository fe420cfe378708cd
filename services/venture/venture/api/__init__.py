"""HTTP routes of venture: thin adapters from requests to use cases and queries."""

from fastapi import APIRouter

from shared.clock import clock_router
from venture.api import claiming, contests, grants, public, review, rounds


def routers() -> list[APIRouter]:
    return [
        rounds.router,
        review.router,
        grants.router,
        public.router,
        claiming.router,
        contests.router,
        clock_router(),
    ]
