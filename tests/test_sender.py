import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage, TelegramMethod

from bot.delivery.sender import PacedSender, SenderClosed, SendOutcome
from tests.support.fake_bot_api import DROP, FakeBotApi, Recorded


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(latency=0.01, rate_limit=30, blocked={3, 7}) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
    yield bot
    await bot.session.close()


def hello(chat_id: int, text: str = "hello") -> SendMessage:
    return SendMessage(chat_id=chat_id, text=text)


async def broadcast(sender: PacedSender, chat_ids: list[int]) -> list[SendOutcome]:
    return await asyncio.gather(*(sender.send(chat_id, hello(chat_id)) for chat_id in chat_ids))


def chats(records: list[Recorded]) -> list[int]:
    return [r.chat_id for r in records]


async def test_everyone_gets_one_message_and_blocked_users_are_reported(
    api: FakeBotApi, bot: Bot
) -> None:
    sender = PacedSender(bot)
    outcomes = await broadcast(sender, list(range(1, 41)))
    await sender.close()

    statuses = {chat_id: o.status for chat_id, o in zip(range(1, 41), outcomes, strict=True)}
    assert {c for c, s in statuses.items() if s == "blocked"} == {3, 7}
    assert sorted(chats(api.sent())) == [c for c in range(1, 41) if c not in (3, 7)]
    assert chats(api.calls("sendMessage")).count(3) == 1
    assert all(o.message_id == 1 for o in outcomes if o.status == "sent")
    assert (sender.stats.sent, sender.stats.blocked, sender.stats.failed) == (38, 2, 0)
    assert api.count_429 == 0


async def test_first_come_first_served(api: FakeBotApi, bot: Bot) -> None:
    sender = PacedSender(bot)
    reminders = asyncio.gather(*(sender.send(c, hello(c)) for c in range(100, 110)))
    announcement = asyncio.gather(*(sender.send(c, hello(c)) for c in range(200, 210)))
    await asyncio.gather(reminders, announcement)
    await sender.close()

    assert chats(api.sent()) == [*range(100, 110), *range(200, 210)]


async def test_keeps_under_the_server_limit_with_overlapping_requests() -> None:
    async with FakeBotApi(latency=0.05, rate_limit=30) as api:
        bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        sender = PacedSender(bot, rate=28)
        started = time.monotonic()
        outcomes = await broadcast(sender, list(range(1, 61)))
        elapsed = time.monotonic() - started
        await sender.close()
        await bot.session.close()

    assert all(o.status == "sent" for o in outcomes)
    assert api.count_429 == 0
    assert elapsed < 6  # ~2.1 s at 28/s; only a loose bound against a serial sender (~3+ s)


async def test_flood_control_pauses_and_retries(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 429, 429)
    sender = PacedSender(bot)
    outcomes = await broadcast(sender, [10, 11, 12, 13])
    await sender.close()

    assert [o.status for o in outcomes] == ["sent"] * 4
    assert sorted(chats(api.sent())) == [10, 11, 12, 13]
    assert sender.stats.retried_429 == 2
    first_429 = next(r.time for r in api.requests if r.status == 429)
    after = [r.time - first_429 for r in api.requests if r.time > first_429]
    assert min(after) > 0.9  # retry_after=1 held everyone back


async def test_network_and_server_errors_are_retried(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 500, DROP)
    sender = PacedSender(bot, backoff=0.01, per_chat_interval=0.05)
    [outcome] = await broadcast(sender, [5])
    await sender.close()

    assert outcome.status == "sent"
    assert [r.status for r in api.calls("sendMessage")] == [500, 0, 200]
    assert sender.stats.retried_network == 2


async def test_gives_up_after_max_retries(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 502, 502, 502)
    sender = PacedSender(bot, max_retries=2, backoff=0.01, per_chat_interval=0.05)
    [outcome] = await broadcast(sender, [5])
    await sender.close()

    assert outcome.status == "failed"
    assert outcome.error is not None
    assert len(api.calls("sendMessage")) == 3


async def test_bad_request_fails_without_retry(api: FakeBotApi, bot: Bot) -> None:
    api.fail("sendMessage", 400, chat_id=2)
    sender = PacedSender(bot)
    outcomes = await broadcast(sender, [1, 2])
    await sender.close()

    assert [o.status for o in outcomes] == ["sent", "failed"]
    assert outcomes[1].error is not None
    assert "Bad Request" in outcomes[1].error
    assert chats(api.calls("sendMessage")) == [1, 2]


async def test_messages_to_one_chat_are_spaced_without_holding_up_others(
    api: FakeBotApi, bot: Bot
) -> None:
    sender = PacedSender(bot)
    await asyncio.gather(*(sender.send(c, hello(c, f"{c}-{n}")) for n in range(3) for c in (1, 2)))
    await sender.close()

    for chat_id in (1, 2):
        records = api.sent(chat_id=chat_id)
        assert [r.params["text"] for r in records] == [f"{chat_id}-{n}" for n in range(3)]
        times = [r.time for r in records]
        assert all(b - a > 0.9 for a, b in itertools.pairwise(times))
    # chat 2's first message did not wait behind chat 1's second one
    assert api.sent(chat_id=2)[0].time < api.sent(chat_id=1)[1].time


async def test_close_finishes_in_flight_and_refuses_the_queue() -> None:
    async with FakeBotApi(latency=0.3) as api:
        bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        sender = PacedSender(bot, max_in_flight=4)
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


# Unit tests on a fake clock: exact pacing without waiting for it.


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay
        await asyncio.sleep(0)


class ScriptedBot:
    """Stands in for Bot: records (time, chat_id) and raises the scripted errors first."""

    def __init__(self, clock: FakeClock, errors: list[Exception] | None = None) -> None:
        self.clock = clock
        self.errors = errors or []
        self.calls: list[tuple[float, int]] = []

    async def __call__(self, method: TelegramMethod[Any]) -> Any:
        assert isinstance(method, SendMessage)
        self.calls.append((self.clock.now, int(method.chat_id)))
        if self.errors:
            raise self.errors.pop(0)
        return None


def fake_sender(clock: FakeClock, bot: ScriptedBot, **options: Any) -> PacedSender:
    return PacedSender(bot, clock=clock, sleep=clock.sleep, **options)  # type: ignore[arg-type]


async def test_rate_spacing_on_a_fake_clock() -> None:
    clock = FakeClock()
    bot = ScriptedBot(clock)
    sender = fake_sender(clock, bot, rate=10)
    await broadcast(sender, list(range(50)))
    await sender.close()

    times = [t for t, _ in bot.calls]
    assert [c for _, c in bot.calls] == list(range(50))
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(times))
    assert times[-1] - times[0] == pytest.approx(4.9)


async def test_retry_after_pauses_everyone_on_a_fake_clock() -> None:
    clock = FakeClock()
    flood = TelegramRetryAfter(method=hello(1), message="Too Many Requests", retry_after=30)
    bot = ScriptedBot(clock, errors=[flood])
    sender = fake_sender(clock, bot)
    outcomes = await broadcast(sender, [1, 2, 3])
    await sender.close()

    assert [o.status for o in outcomes] == ["sent"] * 3
    [(refused_at, _), *rest] = bot.calls
    assert [c for _, c in rest] == [1, 2, 3]
    assert all(t >= refused_at + 30 for t, _ in rest)


async def test_close_cancels_requests_that_outlive_its_timeout() -> None:
    async with FakeBotApi(latency=5) as api:
        bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        sender = PacedSender(bot)
        task = asyncio.create_task(sender.send(1, hello(1)))
        await api.wait_for(lambda r: r.method == "sendMessage")
        await asyncio.gather(sender.close(timeout=0.1), sender.close(timeout=0.1))
        outcome = await task
        await bot.session.close()

    assert outcome.status == "failed"
    assert outcome.error == "interrupted by shutdown"
