"""A generated forum the size of a large delegation: 200 events over four days, 1,000 delegates.

Day 2 at 09:45 (forum time) is the benchmarks' "now": exactly one event, the morning plenary
for the whole delegation, is open for check-in then, so ``/checkin`` has one answer.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from db import delegates as delegates_db
from db.connection import Database, open_db
from schedule.services.importing import import_forum_text

TIMEZONE = "Asia/Dushanbe"
TZ = ZoneInfo(TIMEZONE)
GROUPS = 8
EVENTS_PER_DAY = 50
FIRST_TELEGRAM_ID = 10_000_000
_KINDS = ("signing", "lecture", "visit", "meeting", "other")


def first_day(today: date | None = None) -> date:
    """The forum starts yesterday, so that for a process with the real clock it is on now."""
    return (today or datetime.now(tz=UTC).date()) - timedelta(days=1)


def benchmark_now(start: date) -> datetime:
    """Day 2, 09:45 forum time: the plenary (10:00) is open for check-in, nothing else is."""
    return datetime.combine(start + timedelta(days=1), time(9, 45), TZ).astimezone(UTC)


def code(number: int) -> str:
    return f"bench-{number:04d}-Kq7W"


def telegram_id(number: int) -> int:
    return FIRST_TELEGRAM_ID + number


def _title(text: str) -> str:
    return f'{{ en = "{text}", ru = "{text} (ru)", uz = "{text} (oʻz)" }}'


def forum_toml(*, events: int = 200, delegates: int = 1000, start: date) -> str:
    """The TOML text of the generated forum, valid for ``schedule.forum_file.parse_forum``."""
    out = [
        "[forum]",
        'name = "Benchmark Forum of Rectors"',
        'city = "Dushanbe"',
        f'timezone = "{TIMEZONE}"',
        "",
    ]
    for v in range(5):
        out += [
            "[[venue]]",
            f'id = "venue-{v}"',
            f'name = "Hall {v}"',
            f'address = "{v + 1} Rudaki Avenue, Dushanbe"',
            f"lat = {38.55 + v / 100:.4f}",
            f"lon = {68.77 + v / 100:.4f}",
            "",
        ]
    for g in range(GROUPS):
        out += ["[[group]]", f'id = "g{g}"', f'name = "University {g}"', ""]
    for n in range(delegates):
        group = "" if n % 100 == 0 else f'group = "g{n % GROUPS}"\n'  # a few heads in no group
        role = "head" if n % 100 == 0 else "member"
        out.append(
            f'[[delegate]]\nname = "Delegate {n:04d} Oʻrinboyev"\nposition = "Vice-rector"\n'
            f'{group}code = "{code(n)}"\nrole = "{role}"\n'
        )
    days = math.ceil(events / EVENTS_PER_DAY)
    number = 0
    for d in range(days):
        day = start + timedelta(days=d)
        for i in range(EVENTS_PER_DAY):
            if number >= events:
                break
            if i == 0:
                begins, minutes, kind, audience = time(10, 0), 60, "plenary", ""
            else:
                begins = time(11 + (i - 1) % 8, 0)
                minutes, kind = 45, _KINDS[i % len(_KINDS)]
                groups = [f'"g{i % GROUPS}"'] + ([f'"g{(i + 3) % GROUPS}"'] if i % 3 == 0 else [])
                audience = "" if i % 11 == 0 else f"audience = [{', '.join(groups)}]\n"
            starts = datetime.combine(day, begins)
            ends = starts + timedelta(minutes=minutes)
            out.append(
                f'[[event]]\nid = "ev-{number:03d}"\nkind = "{kind}"\n'
                f"title = {_title(f'Session {number}: cooperation in chemical technology')}\n"
                f"starts = {starts.isoformat()}\nends = {ends.isoformat()}\n"
                f'venue = "venue-{number % 5}"\n{audience}'
                f'remind = {"true" if i == 0 else "false"}\ndress = "Business"\narrive_early = 15\n'
            )
            number += 1
    return "\n".join(out)


def write_forum(folder: Path, *, events: int, delegates: int, start: date) -> Path:
    path = folder / "forum.toml"
    path.write_text(forum_toml(events=events, delegates=delegates, start=start), encoding="utf-8")
    return path


def read_forum(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def prepare_database(
    db_path: Path, forum_path: Path, *, delegates: int, now: datetime
) -> None:
    """Import the file and register every delegate (as 1,000 people opening their links)."""
    db: Database = await open_db(db_path)
    try:
        await import_forum_text(db, read_forum(forum_path), str(forum_path), now)
        await register_all(db, delegates, now)
    finally:
        await db.close()


async def register_all(db: Database, delegates: int, now: datetime) -> None:
    for n in range(delegates):
        result = await delegates_db.register_with_code(
            db, code(n), telegram_id(n), now, language="en"
        )
        if result.status != "registered":
            raise RuntimeError(f"delegate {n} could not register: {result.status}")
