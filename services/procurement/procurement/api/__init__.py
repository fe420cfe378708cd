"""HTTP routes of procurement: thin, HTTP → use case / query."""

from procurement.api import demands, history, public, steps
from shared.clock import clock_router

routers = [history.router, demands.router, steps.router, public.router, clock_router()]
