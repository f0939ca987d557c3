"""``python -m tests.support.short_grace``: ``python -m bot`` with APScheduler's misfire
grace at 1 s instead of 60, so that a test can pause the process longer than the grace in
a few seconds (SIGSTOP over a due time). Everything else is the real process."""

from __future__ import annotations

import sys
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

import bot.app
from bot.cli import main

GRACE_SECONDS = 1


def create_scheduler() -> AsyncIOScheduler:
    return AsyncIOScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "misfire_grace_time": GRACE_SECONDS}
    )


if __name__ == "__main__":
    bot.app.create_scheduler = create_scheduler  # type: ignore[assignment]
    sys.exit(main(sys.argv[1:]))
