"""HTTP, thin: each recipient's inbox, the delivery log for operators, webhook signing keys, the
public feed (公示). Routes map HTTP to a unit of work and a use case or a store's query."""

from fastapi import APIRouter

from notify.api import inbox, operations, public, webhooks

router = APIRouter()
router.include_router(inbox.router)
router.include_router(operations.router)
router.include_router(webhooks.router)

__all__ = ["public", "router"]
