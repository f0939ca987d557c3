"""``python -m bot`` (polling or webhook), and ``demo``, ``import``, ``check``, ``backup``."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
