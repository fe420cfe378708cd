"""Domain errors every service maps to HTTP the same way."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the command; `status_code` is how HTTP reports it."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The command clashes with the current state (duplicate, illegal transition)."""

    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Invalid(DomainError):
    """Input that passed the schema but breaks a rule; names the field like FastAPI's 422."""

    status_code = 422
    code = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
