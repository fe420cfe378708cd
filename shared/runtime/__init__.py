"""The parts of a service's runtime (`shared.service.Service` wires them): settings, the database
(pool and migrations), the broker connection, the HTTP app with its error mapping, and the
operations routes (/health, /ready, /metrics)."""
