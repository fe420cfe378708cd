"""HTTP routes of the registry; roles are enforced on every route (see README)."""

from registry.api import imports, orgs, party, platforms, programmes, spaces, statistics, talent

routers = [
    orgs.router,
    platforms.router,
    programmes.router,
    statistics.router,
    imports.router,
    talent.router,
    party.router,
    spaces.router,
]

__all__ = ["routers"]
