"""Run the registry service: `python -m registry` (or `sogc-registry`)."""

from functools import partial

from registry.app import create_app
from registry.config import Settings
from shared.entry import serve

main = partial(serve, "registry", create_app, Settings)

if __name__ == "__main__":
    main()
