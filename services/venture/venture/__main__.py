"""Run the venture service: `python -m venture` (or `sogc-venture`)."""

from functools import partial

from shared.entry import serve
from venture.app import create_app
from venture.config import Settings

main = partial(serve, "venture", create_app, Settings)

if __name__ == "__main__":
    main()
