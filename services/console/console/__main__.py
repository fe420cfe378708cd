"""Run the console service: `python -m console` (or `sogc-console`)."""

from functools import partial

from console.app import create_app
from console.config import Settings
from shared.entry import serve

main = partial(serve, "console", create_app, Settings)

if __name__ == "__main__":
    main()
