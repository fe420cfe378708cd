"""HTTP routes of procurement: thin, HTTP → use case / query."""

from procurement.api import demands, history, public, steps

routers = [history.router, demands.router, steps.router, public.router]
