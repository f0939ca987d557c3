"""Answers through the real dispatcher and the budget in the session: a 429 is waited out
and the answer delivered, the handler never sees it; one that cannot go in time is logged
with its update id."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage, TelegramMethod

from bot.delivery.budget import Budget
from bot.delivery.outbound import Outbound, budgeted_chat
from bot.delivery.priority import Priority, sending_as
from tests.conftest import Chat
from tests.support import updates
from tests.support.recording import RecordingSession

DELEGATE = 101


def outbound_of(chat: Chat) -> Outbound:
    [middleware] = [m for m in chat.app.bot.session.middleware if isinstance(m, Outbound)]
    return middleware  # type: ignore[return-value]


def refuse_first(*errors: Exception) -> object:
    """A session hook: the first messages meet these errors, the rest go."""
    queue = list(errors)

    def fail(method: TelegramMethod[object]) -> Exception | None:
        if isinstance(method, SendMessage) and queue:
            return queue.pop(0)
        return None

    return fail


async def test_an_answer_that_meets_429_is_retried_and_delivered(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await chat.register(DELEGATE, "tict-Hq7mX2vL9p")
    chat.session.fail = refuse_first(  # type: ignore[assignment]
        TelegramRetryAfter(SendMessage(chat_id=DELEGATE, text="x"), "Too Many Requests", 1)
    )
    caplog.set_level(logging.INFO)
    update = updates.message(DELEGATE, "/help")
    calls = await chat._feed(update)

    sends = [c for c in calls if c.name == "SendMessage"]
    assert len(sends) == 2  # refused once, then delivered
    assert sends[0].text == sends[1].text and "/schedule" in sends[1].text
    assert "Sorry" not in chat.session.last_text(DELEGATE)  # the handler saw no exception
    assert not [r for r in caplog.records if r.name == "bot.dispatcher"]
    assert outbound_of(chat).flood_waits == 1


async def test_an_answer_refused_by_a_5xx_goes_again(chat: Chat) -> None:
    await chat.register(DELEGATE, "tict-Hq7mX2vL9p")
    chat.session.fail = refuse_first(  # type: ignore[assignment]
        TelegramServerError(SendMessage(chat_id=DELEGATE, text="x"), "Bad Gateway")
    )
    calls = await chat.send(DELEGATE, "/help")
    assert [c.name for c in calls].count("SendMessage") == 2
    assert "/schedule" in chat.session.last_text(DELEGATE)


async def test_an_answer_that_cannot_go_in_time_is_logged_with_its_update_id(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await chat.register(DELEGATE, "tict-Hq7mX2vL9p")
    outbound_of(chat).answer_patience = 0.5  # less than the retry_after below
    flood = TelegramRetryAfter(SendMessage(chat_id=DELEGATE, text="x"), "Too Many Requests", 5)
    chat.session.fail = refuse_first(flood)  # type: ignore[assignment]
    update = updates.message(DELEGATE, "/help")
    calls = await chat._feed(update)

    assert [c.name for c in calls] == ["SendMessage"]  # no apology into the same flood
    [line] = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert f"update {update.update_id}" in line.getMessage()
    assert line.levelno == logging.ERROR


async def test_pushes_take_their_class_from_the_context(chat: Chat) -> None:
    """A push made outside the PacedSender (a broadcast's progress message) still takes a
    turn in its class, and meets its errors itself."""
    outbound = outbound_of(chat)
    outbound.budget = Budget(rate=1000)
    with sending_as(Priority.BULK):
        await chat.app.bot.send_message(DELEGATE, "progress")
    assert chat.session.last_text(DELEGATE) == "progress"


def test_only_messages_count() -> None:
    assert budgeted_chat(SendMessage(chat_id=5, text="x")) == 5
    from aiogram.methods import (
        AnswerCallbackQuery,
        CopyMessage,
        EditMessageText,
        GetUpdates,
        SendChatAction,
        SendDocument,
    )

    assert budgeted_chat(SendDocument(chat_id="@delegation", document="file-id")) == "@delegation"
    assert budgeted_chat(CopyMessage(chat_id=5, from_chat_id=6, message_id=1)) == 5
    assert budgeted_chat(EditMessageText(chat_id=5, message_id=1, text="x")) is None
    assert budgeted_chat(SendChatAction(chat_id=5, action="typing")) is None
    assert budgeted_chat(AnswerCallbackQuery(callback_query_id="1")) is None
    assert budgeted_chat(GetUpdates()) is None


def test_recording_session_is_where_the_budget_sits(chat: Chat) -> None:
    assert isinstance(chat.app.bot.session, RecordingSession)
    assert chat.app.sender.outbound is outbound_of(chat)


async def test_a_turn_on_an_idle_budget_is_granted_at_once_and_a_queue_is_kept_to() -> None:
    """take_turn's short way (nothing waiting) gives the turn ask() would; once something
    waits, an answer queues and still goes before the bulk that waited first."""
    now = [0.0]
    outbound = Outbound(Budget(rate=28), clock=lambda: now[0])
    first = await outbound.take_turn(7, Priority.ANSWER)
    assert first.granted and not outbound._waiters
    outbound.done(first)

    now[0] = 5.0
    bulk = await outbound.take_turn(8, Priority.BULK)  # granted at once, in flight
    queued_bulk, bulk_turn = outbound.ask(9, Priority.BULK)  # waits for the next slot
    assert not bulk_turn.done() and outbound._waiters
    answer = asyncio.ensure_future(outbound.take_turn(10, Priority.ANSWER))
    await asyncio.sleep(0)
    assert not answer.done()  # it queued: the slot 1/28 s on is the first free one
    now[0] = 5.0 + 1 / 28
    outbound._on_timer()
    await asyncio.sleep(0)
    assert answer.done() and not bulk_turn.done()  # the answer first
    for ticket in (bulk, answer.result()):
        outbound.done(ticket)
    outbound.cancel(queued_bulk)
    outbound.close()
