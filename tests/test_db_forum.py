"""Importing the forum into SQLite and changing the stored programme."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import db.forum
from db import Database, to_db
from db.forum import (
    ForumImportError,
    forum_hash,
    get_event,
    import_forum,
    list_events,
    load_forum,
    reschedule_event,
    set_event_status,
    stored_forum_hash,
)
from schedule.forum_file import SAMPLE_FORUM_PATH
from schedule.model import Event, Forum, Localized

NOW = datetime(2023, 9, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


def with_event(forum: Forum, event_id: str, **changes: object) -> Forum:
    events = tuple(replace(e, **changes) if e.id == event_id else e for e in forum.events)
    return replace(forum, events=events)


def without_event(forum: Forum, event_id: str) -> Forum:
    return replace(forum, events=tuple(e for e in forum.events if e.id != event_id))


async def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row that matters (the forum row's import time aside)."""
    tables = {
        "forum": "SELECT id, name, city, timezone, source_hash FROM forum",
        "venue": "SELECT * FROM venue ORDER BY id",
        "group": "SELECT * FROM delegation_group ORDER BY id",
        "event": "SELECT * FROM event ORDER BY id",
        "delegate": "SELECT * FROM delegate ORDER BY id",
    }
    return {name: [tuple(r) for r in await database.fetchall(sql)] for name, sql in tables.items()}


async def scheduled_at(database: Database, event_id: str) -> str:
    row = await database.fetchone("SELECT scheduled_at FROM event WHERE id = ?", (event_id,))
    assert row is not None
    return row["scheduled_at"]


# ---------------------------------------------------------------- import


async def test_import_sample(database: Database, sample: Forum) -> None:
    assert await stored_forum_hash(database) is None
    report = await import_forum(database, sample, source_hash="abc", now=NOW)
    assert report.added == tuple(e.id for e in sample.events)
    assert report.delegates_added == len(sample.delegates)
    assert not report.changed and not report.removed and not report.is_empty
    assert await stored_forum_hash(database) == "abc"

    stored = await load_forum(database)
    assert stored is not None
    assert (stored.name, stored.city, stored.timezone) == (
        sample.name,
        sample.city,
        sample.timezone,
    )
    assert set(stored.venues) == set(sample.venues)
    assert set(stored.groups) == set(sample.groups)
    assert stored.events == tuple(sorted(sample.events, key=lambda e: (e.starts, e.id)))
    assert stored.delegates == ()


async def test_import_stores_utc_text_and_json(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="abc", now=NOW)
    row = await database.fetchone("SELECT * FROM event WHERE id = ?", ("opening-plenary",))
    assert row is not None
    assert row["starts_at"] == "2023-09-14T05:00:00.000000Z"
    assert row["audience"] is None
    assert '"uz": "Rektorlar' in row["title"]
    assert row["status"] == "scheduled" and row["scheduled_at"] == to_db(NOW)
    row = await database.fetchone("SELECT audience FROM event WHERE id = ?", ("mou-tut",))
    assert row is not None and row["audience"] == '["tict"]'


async def test_import_twice_is_idempotent(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="abc", now=NOW)
    before = await dump(database)
    report = await import_forum(database, sample, source_hash="abc", now=LATER)
    assert report.is_empty
    assert await dump(database) == before


def test_forum_hash() -> None:
    text = SAMPLE_FORUM_PATH.read_text("utf-8")
    assert forum_hash(text) == forum_hash(text) and len(forum_hash(text)) == 64
    assert forum_hash(text + " ") != forum_hash(text)


async def test_time_change_is_notice_worthy(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    old = await get_event(database, "mou-tut")
    assert old is not None
    hour = timedelta(hours=1)
    moved = with_event(sample, "mou-tut", starts=old.starts + hour, ends=old.ends + hour)
    report = await import_forum(database, moved, source_hash="b", now=LATER)
    (change,) = report.changed
    assert change.before == old and change.after.starts == old.starts + hour
    assert change.fields == {"starts", "ends"} and change.notice_worthy
    assert not report.added and not report.removed
    assert await scheduled_at(database, "mou-tut") == to_db(LATER)


async def test_venue_change_keeps_scheduled_at(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    report = await import_forum(
        database, with_event(sample, "mou-tut", venue="forum-hall"), source_hash="b", now=LATER
    )
    (change,) = report.changed
    assert change.fields == {"venue"} and change.notice_worthy
    assert await scheduled_at(database, "mou-tut") == to_db(NOW)


async def test_title_change_is_not_notice_worthy(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    renamed = with_event(sample, "mou-tut", title=Localized.plain("MoU"), dress=None)
    (change,) = (await import_forum(database, renamed, source_hash="b", now=LATER)).changed
    assert change.fields == {"title", "dress"} and not change.notice_worthy
    stored = await get_event(database, "mou-tut")
    assert stored is not None and stored.title == Localized.plain("MoU") and stored.dress is None


async def test_event_gone_from_file_is_removed_then_back(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    report = await import_forum(
        database, without_event(sample, "mou-osh"), source_hash="b", now=NOW
    )
    assert report.removed == ("mou-osh",)
    (change,) = report.changed
    assert change.fields == {"status"} and change.after.status == "removed" and change.notice_worthy
    assert "mou-osh" not in {e.id for e in await list_events(database)}
    assert "mou-osh" in {e.id for e in await list_events(database, include_inactive=True)}
    stored = await load_forum(database)
    assert stored is not None and "mou-osh" in {e.id for e in stored.events}

    again = await import_forum(database, without_event(sample, "mou-osh"), source_hash="b", now=NOW)
    assert again.is_empty  # already removed

    back = await import_forum(database, sample, source_hash="a", now=LATER)
    (change,) = back.changed
    assert change.before.status == "removed" and change.after.status == "scheduled"
    assert not back.added and not back.removed


async def test_cancelled_event_in_file_is_scheduled_again(
    database: Database, sample: Forum
) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    await set_event_status(database, "mou-tut", "cancelled", NOW)
    (change,) = (await import_forum(database, sample, source_hash="a", now=LATER)).changed
    assert change.fields == {"status"} and change.after.is_active


async def test_new_event_is_added(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    extra = replace(sample.events[0], id="reception", kind="other", remind=False)
    report = await import_forum(
        database, replace(sample, events=(*sample.events, extra)), source_hash="b", now=LATER
    )
    assert report.added == ("reception",) and not report.changed
    assert await scheduled_at(database, "reception") == to_db(LATER)


async def test_venues_and_groups_are_replaced(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    smaller = replace(sample, venues=sample.venues[:1], groups=())
    await import_forum(database, smaller, source_hash="b", now=NOW)
    stored = await load_forum(database)
    assert stored is not None and stored.venues == sample.venues[:1] and stored.groups == ()


# ---------------------------------------------------------------- delegates


async def test_delegate_update_keeps_telegram_binding(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    await database.execute(
        "UPDATE delegate SET telegram_id = ?, language = ?, reminders_on = 0 WHERE code = ?",
        (4242, "uz", "tict-Hq7mX2vL9p"),
    )
    delegates = tuple(
        replace(d, position="Vice-rector") if d.code == "tict-Hq7mX2vL9p" else d
        for d in sample.delegates
    )
    report = await import_forum(
        database, replace(sample, delegates=delegates), source_hash="b", now=LATER
    )
    assert (report.delegates_added, report.delegates_changed, report.delegates_removed) == (0, 1, 0)
    row = await database.fetchone(
        "SELECT position, telegram_id, language, reminders_on, active FROM delegate WHERE code = ?",
        ("tict-Hq7mX2vL9p",),
    )
    assert row is not None and tuple(row) == ("Vice-rector", 4242, "uz", 0, 1)


async def test_delegate_gone_is_deactivated_then_back(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    fewer = replace(
        sample, delegates=tuple(d for d in sample.delegates if d.code != "head-Zq4vN8rT2m")
    )
    report = await import_forum(database, fewer, source_hash="b", now=NOW)
    assert report.delegates_removed == 1 and not report.changed
    sql = "SELECT active FROM delegate WHERE code = ?"
    row = await database.fetchone(sql, ("head-Zq4vN8rT2m",))
    assert row is not None and row["active"] == 0

    report = await import_forum(database, sample, source_hash="a", now=NOW)
    assert report.delegates_added == 1 and report.delegates_removed == 0
    sql = "SELECT active FROM delegate WHERE code = ?"
    row = await database.fetchone(sql, ("head-Zq4vN8rT2m",))
    assert row is not None and row["active"] == 1


async def test_code_taken_by_an_invite_fails_and_rolls_back(
    database: Database, sample: Forum
) -> None:
    await database.execute(
        "INSERT INTO delegate (code, name, source) VALUES (?, ?, 'invite')",
        ("tict-Hq7mX2vL9p", "Invited guest"),
    )
    with pytest.raises(ForumImportError, match="tict-Hq7mX2vL9p"):
        await import_forum(database, sample, source_hash="a", now=NOW)
    assert await load_forum(database) is None
    assert await list_events(database, include_inactive=True) == []


async def test_failure_mid_import_rolls_back(
    database: Database, sample: Forum, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> tuple[int, int, int]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(db.forum, "_import_delegates", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        await import_forum(database, sample, source_hash="a", now=NOW)
    assert await load_forum(database) is None
    assert await stored_forum_hash(database) is None
    assert all(rows == [] for rows in (await dump(database)).values())


async def test_naive_now_is_refused(database: Database, sample: Forum) -> None:
    naive = NOW.replace(tzinfo=None)
    with pytest.raises(ValueError, match="naive"):
        await import_forum(database, sample, source_hash="a", now=naive)


# ---------------------------------------------------------------- reading, moving, cancelling


async def test_list_events_by_start(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    events = await list_events(database)
    assert [e.starts for e in events] == sorted(e.starts for e in events)
    assert len(events) == len(sample.events)
    assert await get_event(database, "nope") is None


async def test_reschedule_event(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    starts = datetime(2023, 9, 15, 11, 0, tzinfo=UTC)
    change = await reschedule_event(database, "mou-tut", starts, starts + timedelta(hours=1), LATER)
    assert change is not None and change.fields == {"starts", "ends"} and change.notice_worthy
    stored = await get_event(database, "mou-tut")
    assert stored == change.after and isinstance(stored, Event) and stored.starts == starts
    assert await scheduled_at(database, "mou-tut") == to_db(LATER)
    assert (
        await reschedule_event(database, "nope", starts, starts + timedelta(hours=1), NOW) is None
    )
    with pytest.raises(ValueError):
        await reschedule_event(database, "mou-tut", starts, starts, NOW)


async def test_set_event_status(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    change = await set_event_status(database, "mou-tut", "cancelled", LATER)
    assert change is not None and change.fields == {"status"} and change.notice_worthy
    assert "mou-tut" not in {e.id for e in await list_events(database)}
    stored = await get_event(database, "mou-tut")
    assert stored is not None and stored.status == "cancelled" and not stored.is_active
    assert await scheduled_at(database, "mou-tut") == to_db(NOW)

    again = await set_event_status(database, "mou-tut", "cancelled", LATER)
    assert again is not None and again.fields == frozenset() and not again.notice_worthy
    assert await set_event_status(database, "nope", "cancelled", NOW) is None
    with pytest.raises(ValueError):
        await set_event_status(database, "mou-tut", "postponed", NOW)  # type: ignore[arg-type]


async def test_cancelled_to_removed_is_not_notice_worthy(database: Database, sample: Forum) -> None:
    await import_forum(database, sample, source_hash="a", now=NOW)
    await set_event_status(database, "mou-tut", "cancelled", NOW)
    report = await import_forum(
        database, without_event(sample, "mou-tut"), source_hash="b", now=NOW
    )
    (change,) = report.changed
    assert change.after.status == "removed" and not change.notice_worthy
