"""Run the notify service: `python -m notify` (or `sogc-notify`)."""

from functools import partial

from notify.app import create_app
from notify.config import Settings
from shared.entry import serve

main = partial(serve, "notify", create_app, Settings)

if __name__ == "__main__":
    main()
