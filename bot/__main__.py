"""``python -m bot`` (long polling), ``python -m bot demo`` and ``python -m bot import FILE``."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
