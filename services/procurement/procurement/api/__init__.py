"""HTTP routes of procurement: thin, HTTP → use case / query."""

from procurement.api import demands, public, steps

routers = [demands.router, steps.router, public.router]
