"""HTTP routes of procurement: thin, HTTP → use case / query."""

from procurement.api import demands, history, needs, public, steps
from shared.clock import clock_router

routers = [history.router, demands.router, needs.router, steps.router, public.router, clock_router()]
