import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage, TelegramMethod

from bot.delivery.budget import Budget
from bot.delivery.outbound import Outbound
from bot.delivery.priority import Priority
from bot.delivery.sender import PacedSender, SenderClosed, SendOutcome, backoff_delay
from tests.support.fake_bot_api import DROP, LATE, FakeBotApi, Recorded


def make_bot(api: FakeBotApi, timeout: float = 60.0) -> tuple[Bot, Outbound]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url), timeout=timeout)
    outbound = Outbound()
    session.middleware(outbound)
    return Bot("42:TEST", session=session), outbound


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(latency=0.01, rate_limit=30, per_chat_limit=1, blocked={3, 7}) as server:
        yield server


@pytest.fixture
async def bot_and_outbound(api: FakeBotApi) -> AsyncIterator[tuple[Bot, Outbound]]:
    bot, outbound = make_bot(api)
    yield bot, outbound
    outbound.close()
    await bot.session.close()


@pytest.fixture
def sender(bot_and_outbound: tuple[Bot, Outbound]) -> PacedSender:
    bot, outbound = bot_and_outbound
    return PacedSender(bot, outbound, backoff=0.01)


def hello(chat_id: int, text: str = "hello") -> SendMessage:
    return SendMessage(chat_id=chat_id, text=text)


async def broadcast(
    sender: PacedSender, chat_ids: list[int], priority: Priority = Priority.BULK
) -> list[SendOutcome]:
    return await asyncio.gather(
        *(sender.send(chat_id, hello(chat_id), priority=priority) for chat_id in chat_ids)
    )


def chats(records: list[Recorded]) -> list[int]:
    return [r.chat_id for r in records]


async def test_everyone_gets_one_message_and_blocked_users_are_reported(
    api: FakeBotApi, sender: PacedSender
) -> None:
    outcomes = await broadcast(sender, list(range(1, 41)))
    await sender.close()

    statuses = {chat_id: o.status for chat_id, o in zip(range(1, 41), outcomes, strict=True)}
    assert {c for c, s in statuses.items() if s == "blocked"} == {3, 7}
    assert sorted(chats(api.sent())) == [c for c in range(1, 41) if c not in (3, 7)]
    assert chats(api.calls("sendMessage")).count(3) == 1
    assert all(o.message_id == 1 for o in outcomes if o.status == "sent")
    assert (sender.stats.sent, sender.stats.blocked, sender.stats.failed) == (38, 2, 0)
    assert api.count_429 == 0


async def test_first_come_first_served_within_a_class(api: FakeBotApi, sender: PacedSender) -> None:
    reminders = asyncio.gather(*(sender.send(c, hello(c)) for c in range(100, 110)))
    announcement = asyncio.gather(*(sender.send(c, hello(c)) for c in range(200, 210)))
    await asyncio.gather(reminders, announcement)
    await sender.close()

    assert chats(api.sent()) == [*range(100, 110), *range(200, 210)]


async def test_urgent_overtakes_bulk_already_queued(api: FakeBotApi, sender: PacedSender) -> None:
    bulk = asyncio.gather(*(sender.send(c, hello(c)) for c in range(100, 160)))
    await api.wait_for(lambda r: r.method == "sendMessage", count=5)
    urgent = await broadcast(sender, [300, 301], Priority.URGENT)
    await bulk
    await sender.close()

    assert [o.status for o in urgent] == ["sent", "sent"]
    order = chats(api.sent())
    assert order.index(300) < 12 and order.index(301) < 12  # not behind the other ~50 bulk


async def test_keeps_under_the_server_limit_with_overlapping_requests() -> None:
    async with FakeBotApi(latency=0.05, rate_limit=30) as api:
        bot, outbound = make_bot(api)
        sender = PacedSender(bot, outbound)
        started = time.monotonic()
        outcomes = await broadcast(sender, list(range(1, 61)))
        elapsed = time.monotonic() - started
        await sender.close()
        await bot.session.close()

    assert all(o.status == "sent" for o in outcomes)
    assert api.count_429 == 0
    assert elapsed < 6  # ~2.1 s at 28/s; only a loose bound against a serial sender (~3+ s)


async def test_flood_control_pauses_and_retries(api: FakeBotApi, sender: PacedSender) -> None:
    api.fail("sendMessage", 429, 429)
    outcomes = await broadcast(sender, [10, 11, 12, 13])
    await sender.close()

    assert [o.status for o in outcomes] == ["sent"] * 4
    assert sorted(chats(api.sent())) == [10, 11, 12, 13]
    assert sender.stats.retried_429 == 2
    first_429 = next(r.time for r in api.requests if r.status == 429)
    after = [r.time - first_429 for r in api.requests if r.time > first_429]
    assert min(after) > 0.9  # retry_after=1 held everyone back


async def test_server_errors_are_retried_and_a_dropped_connection_is_not(
    api: FakeBotApi, sender: PacedSender
) -> None:
    api.fail("sendMessage", 500, 502, chat_id=5)
    api.fail("sendMessage", DROP, chat_id=6)
    five, six = await broadcast(sender, [5, 6])
    await sender.close()

    assert five.status == "sent"
    assert [r.status for r in api.calls("sendMessage") if r.chat_id == 5] == [500, 502, 200]
    # The request reached the server before the connection broke: it may have been
    # delivered, so it is not sent a second time.
    assert six.status == "uncertain"
    assert [r.status for r in api.calls("sendMessage") if r.chat_id == 6] == [0]
    assert sender.stats.retried_network == 2


async def test_an_answer_later_than_the_timeout_is_uncertain_not_sent_twice() -> None:
    async with FakeBotApi() as api:
        api.fail("sendMessage", LATE, chat_id=8)  # delivered; the answer comes after 1.5 s
        bot, outbound = make_bot(api, timeout=0.5)
        sender = PacedSender(bot, outbound, backoff=0.01)
        late, other = await broadcast(sender, [8, 9])
        await sender.close()
        await bot.session.close()

    assert late.status == "uncertain" and late.error and "may or may not" in late.error
    assert other.status == "sent"
    assert len(api.calls("sendMessage")) == 2  # once each


async def test_a_refused_connection_is_retried_while_the_window_is_open() -> None:
    async with FakeBotApi() as api:
        url = api.url
    # The server is gone: every connection is refused (nothing was sent).
    session = AiohttpSession(api=TelegramAPIServer.from_base(url))
    outbound = Outbound()
    session.middleware(outbound)
    bot = Bot("42:TEST", session=session)
    sender = PacedSender(bot, outbound, backoff=0.01)
    outcome = await sender.send(1, hello(1), keep_trying=lambda: sender.stats.retried_network < 4)
    await sender.close()
    await session.close()

    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("gave up after 4 tries")
    assert sender.stats.retried_network == 4


async def test_bad_request_fails_without_retry(api: FakeBotApi, sender: PacedSender) -> None:
    api.fail("sendMessage", 400, chat_id=2)
    outcomes = await broadcast(sender, [1, 2])
    await sender.close()

    assert [o.status for o in outcomes] == ["sent", "failed"]
    assert outcomes[1].error is not None
    assert "Bad Request" in outcomes[1].error
    assert chats(api.calls("sendMessage")) == [1, 2]


async def test_messages_to_one_chat_are_spaced_without_holding_up_others(
    api: FakeBotApi, sender: PacedSender
) -> None:
    await asyncio.gather(*(sender.send(c, hello(c, f"{c}-{n}")) for n in range(3) for c in (1, 2)))
    await sender.close()

    for chat_id in (1, 2):
        records = api.sent(chat_id=chat_id)
        assert [r.params["text"] for r in records] == [f"{chat_id}-{n}" for n in range(3)]
        times = [r.time for r in records]
        assert all(b - a > 0.9 for a, b in itertools.pairwise(times))
    # chat 2's first message did not wait behind chat 1's second one
    assert api.sent(chat_id=2)[0].time < api.sent(chat_id=1)[1].time
    assert api.count_429 == 0


async def test_leaving_runs_at_each_attempt_and_not_sent_after_each_failure(
    api: FakeBotApi, sender: PacedSender
) -> None:
    api.fail("sendMessage", 502, 502)
    log: list[str] = []

    async def leaving() -> bool:
        log.append(f"leaving at {len(api.requests)} requests")
        return True

    async def not_sent() -> None:
        log.append("not sent")

    outcome = await sender.send(5, hello(5), leaving=leaving, not_sent=not_sent)
    await sender.close()

    assert outcome.status == "sent"
    assert log == [
        "leaving at 0 requests", "not sent",
        "leaving at 1 requests", "not sent",
        "leaving at 2 requests",
    ]  # fmt: skip


async def test_a_message_someone_else_took_is_not_sent(
    api: FakeBotApi, sender: PacedSender
) -> None:
    async def taken() -> bool:
        return False

    outcome = await sender.send(5, hello(5), leaving=taken)
    await sender.close()
    assert outcome.status == "not taken"
    assert api.calls("sendMessage") == []


async def test_close_finishes_in_flight_and_refuses_the_queue() -> None:
    async with FakeBotApi(latency=0.3) as api:
        bot, outbound = make_bot(api)
        outbound.budget.max_pushes_in_flight = 4
        sender = PacedSender(bot, outbound)
        pending = [asyncio.create_task(sender.send(c, hello(c))) for c in range(1, 101)]
        await api.wait_for(lambda r: r.method == "sendMessage", count=4)
        await sender.close()
        after_close = len(api.requests)
        results = await asyncio.gather(*pending, return_exceptions=True)
        with pytest.raises(SenderClosed):
            await sender.send(1, hello(1))
        await asyncio.sleep(0.2)
        await bot.session.close()

    sent = [r for r in results if isinstance(r, SendOutcome)]
    refused = [r for r in results if isinstance(r, SenderClosed)]
    assert len(sent) + len(refused) == 100
    assert len(sent) >= 4
    assert refused
    assert all(o.status == "sent" for o in sent)
    assert len(api.requests) == after_close == len(sent)


async def test_close_cancels_requests_that_outlive_its_timeout() -> None:
    async with FakeBotApi(latency=5) as api:
        bot, outbound = make_bot(api)
        sender = PacedSender(bot, outbound)
        task = asyncio.create_task(sender.send(1, hello(1)))
        await api.wait_for(lambda r: r.method == "sendMessage")
        await asyncio.gather(sender.close(timeout=0.1), sender.close(timeout=0.1))
        outcome = await task
        await bot.session.close()

    assert outcome.status == "uncertain"
    assert outcome.error == "interrupted by shutdown"


# Retry windows on a fake clock: exact backoff without waiting for it.


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay
        await asyncio.sleep(0)


class ScriptedBot:
    """Stands in for Bot: records the time of each call and raises the scripted errors."""

    def __init__(self, clock: FakeClock, errors: list[Exception]) -> None:
        self.clock = clock
        self.errors = errors
        self.calls: list[float] = []

    async def __call__(self, method: TelegramMethod[Any]) -> Any:
        self.calls.append(self.clock.now)
        if self.errors:
            raise self.errors.pop(0)
        return None


def outage(count: int) -> list[Exception]:
    return [TelegramServerError(hello(1), "Bad Gateway") for _ in range(count)]


def test_backoff_grows_to_a_ceiling() -> None:
    assert [backoff_delay(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]


async def test_an_outage_is_waited_out_while_the_window_is_open() -> None:
    clock = FakeClock()
    bot = ScriptedBot(clock, outage(6))  # about 25 s of 502s
    sender = PacedSender(bot, Outbound(Budget.unlimited()), sleep=clock.sleep)  # type: ignore[arg-type]
    until = clock.now + 60
    outcome = await sender.send(1, hello(1), keep_trying=lambda: clock.now < until)
    assert outcome.status == "sent"
    assert clock.slept == [0.5, 1, 2, 4, 8, 10]
    assert len(bot.calls) == 7


async def test_an_outage_past_the_window_is_given_up_then() -> None:
    clock = FakeClock()
    bot = ScriptedBot(clock, outage(100))
    sender = PacedSender(bot, Outbound(Budget.unlimited()), sleep=clock.sleep)  # type: ignore[arg-type]
    until = clock.now + 30
    outcome = await sender.send(1, hello(1), keep_trying=lambda: clock.now < until)
    assert outcome.status == "failed"
    assert outcome.error is not None and "Bad Gateway" in outcome.error
    assert bot.calls[-1] < until <= clock.now  # tried until the window closed, not after


async def test_flood_control_is_waited_out_without_a_backoff_of_its_own() -> None:
    clock = FakeClock()
    flood = TelegramRetryAfter(method=hello(1), message="Too Many Requests", retry_after=3)
    bot = ScriptedBot(clock, [flood])
    sender = PacedSender(bot, Outbound(Budget.unlimited()), sleep=clock.sleep)  # type: ignore[arg-type]
    outcome = await sender.send(1, hello(1))
    assert outcome.status == "sent"
    assert clock.slept == []  # the budget's pause holds it back (tested in test_budget.py)
