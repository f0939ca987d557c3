"""Metrics: one registry per app, sends by priority class and outcome, reminder lateness."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.types import Update

from bot.app import App, create_app
from bot.delivery.priority import Priority, sending_as
from bot.settings import Settings
from db import deliveries
from db.delegates import list_delegates
from db.deliveries import Item
from tests.conftest import Chat, FakeClock
from tests.support.recording import RecordingSession


def _value(app: App, name: str, **labels: str) -> float:
    value = app.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def _sent(app: App, priority: str, outcome: str) -> float:
    return _value(app, "forum_bot_messages_sent_total", priority=priority, outcome=outcome)


async def test_each_app_counts_on_its_own_registry(
    app: App, chat: Chat, settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    # One app per database (its lock): the other has a database of its own.
    elsewhere = dataclasses.replace(settings, database_path=tmp_path / "other.sqlite3")
    other = await create_app(elsewhere, session=RecordingSession(), clock=clock)
    try:
        await chat.send(4242, "/help")
        assert _value(app, "forum_bot_updates_handled_total", type="message") == 1
        assert _value(other, "forum_bot_updates_handled_total", type="message") == 0
        assert _sent(app, "answer", "sent") == 1
        assert _sent(other, "answer", "sent") == 0
    finally:
        await other.close()


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "sent"),
        (lambda m: TelegramForbiddenError(m, "Forbidden: bot was blocked by the user"), "blocked"),
        (lambda m: TelegramRetryAfter(m, "Too Many Requests: retry after 3", 3), "rate_limited"),
        (lambda m: TelegramBadRequest(m, "Bad Request: chat not found"), "rejected"),
        (lambda m: TelegramNetworkError(m, "Connection reset"), "failed"),
    ],
)
async def test_every_send_is_counted_by_the_priority_it_was_sent_as(
    app: App, error: object, outcome: str
) -> None:
    session = app.bot.session
    assert isinstance(session, RecordingSession)

    def fail(method: TelegramMethod[object]) -> Exception | None:
        return error(method) if error and isinstance(method, SendMessage) else None  # type: ignore[operator]

    session.fail = fail
    with sending_as(Priority.URGENT):
        try:
            await app.bot(SendMessage(chat_id=1, text="reminder"))
        except Exception:
            assert outcome != "sent"
    assert _sent(app, "urgent", outcome) == 1
    assert _sent(app, "answer", outcome) == 0
    total = sum(_sent(app, p.name.lower(), o) for p in Priority for o in ("sent", "blocked",
                "rate_limited", "rejected", "failed"))  # fmt: skip
    assert total == 1
    assert _value(app, "forum_bot_telegram_429_total") == (outcome == "rate_limited")


async def test_a_429_on_any_method_is_counted_but_only_messages_are_sends(app: App) -> None:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    session.fail = lambda m: TelegramRetryAfter(m, "Too Many Requests", 5)
    with pytest.raises(TelegramRetryAfter):
        await app.bot(GetMe())
    assert _value(app, "forum_bot_telegram_429_total") == 1
    assert all(_sent(app, p.name.lower(), "rate_limited") == 0 for p in Priority)


async def test_reminder_lateness_and_pending_deliveries_come_from_the_database(
    app: App, clock: FakeClock
) -> None:
    person = (await list_delegates(app.db))[0]
    due = clock()
    older = Item("reminder", "old@x/60", person.id, due - timedelta(hours=1), None)
    late = Item("reminder", "mou@x/60", person.id, due, None)
    waiting = Item("reminder", "mou@x/15", person.id, due + timedelta(minutes=45), None)
    notice = Item("notice", "n1", person.id, due, None)
    old_id, late_id, _, notice_id = await deliveries.record(
        app.db, [older, late, waiting, notice], due
    )
    assert old_id and late_id and notice_id
    # Sent before this app started: not this process's to observe.
    await deliveries.finish(app.db, old_id, "sent", due - timedelta(minutes=59))
    await deliveries.finish(app.db, late_id, "sent", clock.advance(seconds=3))
    await deliveries.finish(app.db, notice_id, "sent", clock())

    text = (await app.metrics.render()).decode()
    assert "forum_bot_deliveries_pending 1.0" in text
    histogram = "forum_bot_reminder_lateness_seconds"
    assert _value(app, f"{histogram}_count") == 1
    assert _value(app, f"{histogram}_bucket", le="2.0") == 0
    assert _value(app, f"{histogram}_bucket", le="5.0") == 1
    await app.metrics.render()
    assert _value(app, f"{histogram}_count") == 1, "a reminder is observed once"


def test_an_update_of_a_type_this_aiogram_does_not_know_is_counted_as_unknown(app: App) -> None:
    app.metrics.update_seen(Update(update_id=1))  # no field aiogram knows
    assert _value(app, "forum_bot_updates_handled_total", type="unknown") == 1
