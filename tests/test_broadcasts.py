"""Broadcasts through the real app, its paced sender and a local fake Bot API server that
enforces 30 messages a second (429 with retry_after) and answers 403 for blocked users."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app import App, create_app
from bot.delivery.broadcasts import BroadcastService, broadcast_and_wait
from bot.delivery.sender import PacedSender
from bot.menus import MENU_LANGUAGES
from bot.settings import Settings
from db import broadcasts as store
from db import delegates
from db.broadcasts import Content
from tests.conftest import ORGANISER_ID, FakeClock
from tests.support.fake_bot_api import LATE, FakeBotApi

FIRST_CHAT = 10_000


@asynccontextmanager
async def running_app(settings: Settings, api: FakeBotApi, clock: FakeClock) -> AsyncIterator[App]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    app = await create_app(settings, session=session, clock=clock)
    try:
        yield app
    finally:
        await app.stop()
        await app.close()


def service(app: App) -> BroadcastService:
    return app.services.broadcasts  # type: ignore[no-any-return]


async def add_registered(app: App, count: int, clock: FakeClock) -> list[int]:
    """`count` registered delegates with Telegram ids FIRST_CHAT, FIRST_CHAT + 1, ..."""
    ids = []
    for number in range(count):
        code = f"bulk-{number:04}"
        delegate = await delegates.create_invited(app.db, f"Delegate {number:04}", code, group=None)
        await delegates.register_with_code(
            app.db, code, FIRST_CHAT + number, clock(), language=None
        )
        ids.append(delegate.id)
    return ids


def deliveries(api: FakeBotApi, marker: str) -> Counter[int]:
    return Counter(r.chat_id for r in api.sent("sendMessage") if marker in r.params.get("text", ""))


async def test_everyone_not_blocked_gets_it_exactly_once_within_the_rate(
    settings: Settings, clock: FakeClock
) -> None:
    blocked = {FIRST_CHAT + 3, FIRST_CHAT + 17}
    async with (
        FakeBotApi(latency=0.02, rate_limit=30, blocked=blocked) as api,
        running_app(settings, api, clock) as app,
    ):
        ids = await add_registered(app, 50, clock)
        broadcast_id, counts = await broadcast_and_wait(
            service(app),
            organiser_id=ORGANISER_ID,
            content=Content("text", "Bus at 9 <b>sharp</b>"),
            delegate_ids=ids,
            chat_id=ORGANISER_ID,
        )
        assert (counts.total, counts.sent, counts.blocked, counts.failed) == (50, 48, 2, 0)
        got = deliveries(api, "Bus at 9")
        assert set(got) == {FIRST_CHAT + n for n in range(50)} - blocked
        assert set(got.values()) == {1}
        assert api.count_429 == 0
        report = api.sent("sendMessage", chat_id=ORGANISER_ID)[-1].params["text"]
        assert "Delivered: 48 of 50" in report and "Delegate 0003" in report
        stored = await delegates.by_telegram_id(app.db, FIRST_CHAT + 3)
        assert stored is not None and stored.blocked_at is not None
        broadcast = await store.get(app.db, broadcast_id)
        assert broadcast is not None and broadcast.status == "done"


async def test_flood_control_is_honoured_and_nobody_gets_it_twice(
    settings: Settings, clock: FakeClock
) -> None:
    async with FakeBotApi(latency=0.01, rate_limit=30) as api:
        api.fail("sendMessage", 429)  # retry_after 1
        async with running_app(settings, api, clock) as app:
            ids = await add_registered(app, 20, clock)
            _, counts = await broadcast_and_wait(
                service(app),
                organiser_id=ORGANISER_ID,
                content=Content("text", "Flood"),
                delegate_ids=ids,
            )
            assert counts.sent == 20
            assert set(deliveries(api, "Flood").values()) == {1}
            assert api.count_429 == 1


async def test_two_organisers_at_once_share_the_rate_and_both_are_delivered(
    settings: Settings, clock: FakeClock
) -> None:
    async with (
        FakeBotApi(latency=0.02, rate_limit=30) as api,
        running_app(settings, api, clock) as app,
    ):
        ids = await add_registered(app, 30, clock)
        first, second = await asyncio.gather(
            broadcast_and_wait(
                service(app),
                organiser_id=ORGANISER_ID,
                content=Content("text", "First"),
                delegate_ids=ids,
            ),
            broadcast_and_wait(
                service(app),
                organiser_id=ORGANISER_ID + 1,
                content=Content("text", "Second"),
                delegate_ids=ids,
            ),
        )
        assert first[1].sent == second[1].sent == 30
        assert set(deliveries(api, "First").values()) == {1}
        assert set(deliveries(api, "Second").values()) == {1}
        assert len(deliveries(api, "First")) == len(deliveries(api, "Second")) == 30
        assert api.count_429 == 0
        order = [r.params["text"] for r in api.sent("sendMessage") if r.chat_id >= FIRST_CHAT]
        # Interleaved in the one sender, not one broadcast after the other.
        assert order.index("Second") < len(order) - 1 - order[::-1].index("First")


async def test_resumes_after_a_crash_without_sending_twice(
    settings: Settings, clock: FakeClock
) -> None:
    async with FakeBotApi(latency=0.01, rate_limit=30) as api:
        app = await create_app(
            settings, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)), clock=clock
        )
        ids = await add_registered(app, 12, clock)
        broadcast_id = await service(app).create(
            organiser_id=ORGANISER_ID,
            content=Content("text", "Resume me"),
            audience=None,
            confirm=False,
            chat_id=ORGANISER_ID,
            delegate_ids=ids,
        )
        # The crash: three were sent, one was being sent, the process died.
        for delegate_id in ids[:3]:
            assert await store.take(app.db, broadcast_id, delegate_id)
            await store.record(app.db, broadcast_id, delegate_id, "sent", clock(), message_id=1)
        in_doubt = await store.next_pending(app.db, broadcast_id)
        assert in_doubt is not None and in_doubt.delegate_id == ids[3]
        assert await store.take(app.db, broadcast_id, ids[3])
        await app.db.close()  # no stop, no drain: the process is gone
        await app.bot.session.close()
        assert app.lock is not None
        app.lock.release()  # as the kernel does for a process that died

        async with running_app(settings, api, clock) as restarted:
            await restarted.start()
            await service(restarted).join()
            got = deliveries(api, "Resume me")
            assert set(got) == {FIRST_CHAT + n for n in range(4, 12)}
            assert set(got.values()) == {1}
            counts = await store.counts(restarted.db, broadcast_id)
            assert (counts.sent, counts.interrupted, counts.pending) == (11, 1, 0)
            [interrupted] = await store.recipients(restarted.db, broadcast_id, ("interrupted",))
            assert interrupted.delegate_id == ids[3]
            broadcast = await store.get(restarted.db, broadcast_id)
            assert broadcast is not None and broadcast.status == "done"
            report = api.sent("sendMessage", chat_id=ORGANISER_ID)[-1].params["text"]
            assert "Interrupted by a restart" in report and "Delegate 0003" in report


async def test_stop_lets_in_flight_finish_and_the_rest_goes_at_next_start(
    settings: Settings, clock: FakeClock
) -> None:
    async with FakeBotApi(latency=0.15, rate_limit=30) as api:
        async with running_app(settings, api, clock) as app:
            ids = await add_registered(app, 40, clock)
            broadcast_id = await service(app).create(
                organiser_id=ORGANISER_ID,
                content=Content("text", "Drain me"),
                audience=None,
                confirm=False,
                chat_id=ORGANISER_ID,
                delegate_ids=ids,
            )
            service(app).launch(broadcast_id)
            await api.wait_for(
                lambda r: r.method == "sendMessage" and r.chat_id != ORGANISER_ID, count=8
            )
            await app.stop()  # SIGTERM: the dispatcher's shutdown hook
            counts = await store.counts(app.db, broadcast_id)
            answered = deliveries(api, "Drain me")
            # Every request that reached the server was answered and recorded; none in doubt.
            assert counts.sending == 0 and counts.interrupted == 0 and counts.failed == 0
            reached = [r for r in api.calls("sendMessage") if r.chat_id >= FIRST_CHAT]
            assert counts.sent == len(answered) == len(reached)
            assert 0 < counts.sent < 40 and counts.pending == 40 - counts.sent
        async with running_app(settings, api, clock) as restarted:
            await restarted.start()
            await service(restarted).join()
            got = deliveries(api, "Drain me")
            assert set(got) == {FIRST_CHAT + n for n in range(40)}
            assert set(got.values()) == {1}
            counts = await store.counts(restarted.db, broadcast_id)
            assert counts.sent == 40


async def test_progress_is_edited_while_it_runs(settings: Settings, clock: FakeClock) -> None:
    async with (
        FakeBotApi(latency=0.01, rate_limit=30) as api,
        running_app(settings, api, clock) as app,
    ):
        ids = await add_registered(app, 30, clock)
        quick = BroadcastService(app.db, app.bot, app.sender, app.i18n, clock, progress_every=0.2)
        await broadcast_and_wait(
            quick, organiser_id=ORGANISER_ID, content=Content("text", "Progress"),
            delegate_ids=ids, chat_id=ORGANISER_ID,
        )  # fmt: skip
        edits = [r.params["text"] for r in api.sent("editMessageText", chat_id=ORGANISER_ID)]
        assert len(edits) >= 3  # about one a fifth of a second over ~1 s, then the final one
        assert any("Sending…" in text for text in edits)
        assert "Sent 30, blocked 0, failed 0 of 30" in edits[-1] and "Finished" in edits[-1]


async def test_start_sets_the_menus_at_once_not_one_round_trip_each(
    settings: Settings, clock: FakeClock
) -> None:
    """App.start runs before polling: the menu calls one after the other held a restarted
    bot up by ~1.5 s against a 0.15 s server."""
    latency = 0.5
    async with (
        FakeBotApi(latency=latency) as api,
        running_app(settings, api, clock) as app,
    ):
        await app.start()
        menus = [r for r in api.requests if r.method in ("setMyCommands", "setMyDescription")]
        assert len(menus) == len(MENU_LANGUAGES) * (2 + len(settings.admin_ids))
        # All of them reached the server before the first was answered.
        assert max(r.time for r in menus) - min(r.time for r in menus) < latency


async def test_a_spell_of_502s_is_waited_out_and_nobody_is_failed_for_good(
    settings: Settings, clock: FakeClock
) -> None:
    """Issue 15, finding 6: the old sender gave a recipient up after five 5xx answers."""
    async with (
        FakeBotApi(latency=0.01, rate_limit=30) as api,
        running_app(settings, api, clock) as app,
    ):
        ids = await add_registered(app, 6, clock)
        api.fail("sendMessage", *([502] * 6), chat_id=FIRST_CHAT + 2)
        quick = PacedSender(app.bot, app.sender.outbound, backoff=0.01, max_backoff=0.05)
        service_ = BroadcastService(app.db, app.bot, quick, app.i18n, clock)
        _, counts = await broadcast_and_wait(
            service_, organiser_id=ORGANISER_ID, content=Content("text", "Outage"),
            delegate_ids=ids,
        )  # fmt: skip
        assert (counts.sent, counts.failed) == (6, 0)
        assert set(deliveries(api, "Outage").values()) == {1}
        tries = [r.status for r in api.calls("sendMessage") if r.chat_id == FIRST_CHAT + 2]
        assert tries == [502] * 6 + [200]


async def test_an_answer_lost_after_the_request_left_is_not_sent_twice(
    settings: Settings, clock: FakeClock
) -> None:
    """Issue 15, finding 9: delivered, but the answer came after the client's timeout."""
    async with FakeBotApi(latency=0.01, late_by=1.5) as api:
        api.fail("sendMessage", LATE, chat_id=FIRST_CHAT + 1)
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.url), timeout=0.5)
        app = await create_app(settings, session=session, clock=clock)
        try:
            ids = await add_registered(app, 3, clock)
            broadcast_id, counts = await broadcast_and_wait(
                service(app), organiser_id=ORGANISER_ID, content=Content("text", "Late"),
                delegate_ids=ids, chat_id=ORGANISER_ID,
            )  # fmt: skip
            assert set(deliveries(api, "Late").values()) == {1}  # once each, FIRST_CHAT+1 too
            assert (counts.sent, counts.interrupted) == (2, 1)
            [doubt] = await store.recipients(app.db, broadcast_id, ("interrupted",))
            assert doubt.delegate_id == ids[1]
            assert doubt.error is not None and "may or may not have been delivered" in doubt.error
        finally:
            await app.stop()
            await app.close()
