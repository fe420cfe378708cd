"""Run the notify service: `python -m notify`."""

import uvicorn

from notify.app import create_app
from notify.config import Settings
from shared.service import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings, "notify")
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
