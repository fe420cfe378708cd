"""Run the procurement service: `python -m procurement`."""

import uvicorn

from procurement.app import create_app
from procurement.config import Settings
from shared.service import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings, "procurement")
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
