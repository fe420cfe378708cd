"""Run the registry service: `python -m registry`."""

import uvicorn

from registry.app import create_app
from registry.config import Settings
from shared.service import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings, "registry")
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
