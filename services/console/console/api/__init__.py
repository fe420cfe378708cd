"""HTTP routes of the console: the issuer's endpoints, and the pages people use."""

from console.api import account, devmail, oidc, signin, staff

routers = [oidc.router, signin.router, account.router, staff.router]
development_routers = [devmail.router]

__all__ = ["development_routers", "routers"]
