"""Run the procurement service: `python -m procurement` (or `sogc-procurement`)."""

from functools import partial

from procurement.app import create_app
from procurement.config import Settings
from shared.entry import serve

main = partial(serve, "procurement", create_app, Settings)

if __name__ == "__main__":
    main()
