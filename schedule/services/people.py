"""What organisers read about the people: the delegate list and the day's figures."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from db import broadcasts as store
from db import delegates, stats
from db.connection import Database
from schedule.model import BroadcastSummary, Delegate, Forum, Usage
from schedule.services.programme import Programme


async def delegate_list(db: Database, programme: Programme) -> tuple[Forum, list[Delegate]]:
    return await programme.forum(), await delegates.list_delegates(db)


def forum_day_span(now: datetime, forum: Forum) -> tuple[datetime, datetime]:
    """Today in forum time, as [midnight, next midnight)."""
    day = now.astimezone(forum.timezone).date()
    start = datetime.combine(day, time(0), tzinfo=forum.timezone)
    return start, start + timedelta(days=1)


async def todays_figures(
    db: Database, programme: Programme, now: datetime, recent: int = 5
) -> tuple[Forum, datetime, Usage, list[BroadcastSummary]]:
    """/stats: usage today (forum time) and the latest broadcasts with their counts."""
    forum = await programme.forum()
    start, end = forum_day_span(now, forum)
    usage = await stats.usage(db, start, end)
    summaries = []
    for broadcast in await store.recent(db, recent):
        counts = await store.counts(db, broadcast.id)
        summaries.append(
            BroadcastSummary(
                id=broadcast.id,
                created_at=broadcast.created_at,
                confirm=broadcast.confirm,
                total=counts.total,
                sent=counts.sent,
                blocked=counts.blocked,
                failed=counts.failed,
                unsent=counts.pending + counts.sending,
                confirmed=counts.confirmed,
            )
        )
    return forum, start, usage, summaries
