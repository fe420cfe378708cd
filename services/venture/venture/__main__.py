"""Run the venture service: `python -m venture`."""

import uvicorn

from shared.service import configure_logging
from venture.app import create_app
from venture.config import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings, "venture")
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
