"""The delegation's group or channel (ANNOUNCE_CHAT_ID): change notices posted there once
per change, broadcasts when the organiser asks, a bot that may not post serves anyway and
says so, and members typing commands there still get nothing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetChat, GetChatMember, TelegramMethod
from aiogram.types import ChatFullInfo, ChatMemberAdministrator, ChatMemberMember

from bot.app import App, create_app
from bot.delivery.announce_chat import may_post
from bot.delivery.budget import Budget
from bot.settings import load_settings
from bot.views.callbacks import BroadcastFlowCb
from db import announcements
from db.forum import reschedule_event
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support import updates
from tests.support.recording import BOT_USER, RecordingSession

GROUP = -1001234567890
SHERNAYEV = 101
MOU_AT = FakeClock().now.replace(hour=9, minute=30)  # 14:30 in Dushanbe


def chat_info(chat_type: str = "supergroup") -> ChatFullInfo:
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
             "gifts_from_channels")  # fmt: skip
    return ChatFullInfo.model_validate(
        {
            "id": GROUP,
            "type": chat_type,
            "title": "TICT delegation",
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }
    )


def admin(**rights: bool) -> ChatMemberAdministrator:
    fields: dict[str, Any] = {
        "user": BOT_USER, "can_be_edited": False, "is_anonymous": False,
        "can_manage_chat": True, "can_delete_messages": False, "can_manage_video_chats": False,
        "can_restrict_members": False, "can_promote_members": False, "can_change_info": False,
        "can_invite_users": False, "can_post_stories": False, "can_edit_stories": False,
        "can_delete_stories": False, "can_send_welcome_messages": False,
    }  # fmt: skip
    return ChatMemberAdministrator(**fields, **rights)


class Telegram:
    """How the chat looks to the bot, for the recording session's getChat/getChatMember."""

    def __init__(self, chat: ChatFullInfo | None, member: Any) -> None:
        self.chat = chat
        self.member = member

    def __call__(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetChat | GetChatMember):
            if self.chat is None:
                raise TelegramBadRequest(method, "Bad Request: chat not found")
            return self.chat if isinstance(method, GetChat) else self.member
        return None


def make_env(tmp_path: Any, **extra: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": "123456:TEST-token",
        "DATABASE_PATH": str(tmp_path / "forum.sqlite3"),
        "ADMIN_IDS": str(ORGANISER_ID),
        "ANNOUNCE_CHAT_ID": str(GROUP),
        "FORUM_FILE": str(SAMPLE_FORUM_PATH),
        **extra,
    }


async def open_app(
    env: dict[str, str], clock: FakeClock, telegram: Telegram
) -> tuple[App, RecordingSession]:
    session = RecordingSession()
    original = session.make_request

    async def make_request(bot: Any, method: Any, timeout: int | None = None) -> Any:
        answer = telegram(method)  # raises "chat not found" like Telegram
        return answer if answer is not None else await original(bot, method, timeout)

    session.make_request = make_request  # type: ignore[method-assign]
    app = await create_app(
        load_settings(env), session=session, clock=clock, budget=Budget.unlimited()
    )
    return app, session


@pytest.fixture
async def group_app(tmp_path: Any, clock: FakeClock) -> AsyncIterator[tuple[App, Chat]]:
    app, session = await open_app(
        make_env(tmp_path, ANNOUNCE_LANGUAGE="ru"),
        clock,
        Telegram(chat_info(), ChatMemberMember(user=BOT_USER)),
    )
    try:
        await app.start()
        yield app, Chat(app, session)
    finally:
        await app.stop()
        await app.close()


def posts(session: RecordingSession) -> list[str]:
    return [c.text for c in session.sent("SendMessage", chat_id=GROUP)]


async def test_a_change_is_posted_in_the_chat_once_in_its_language(
    group_app: tuple[App, Chat], clock: FakeClock
) -> None:
    app, chat = group_app
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    new_start = MOU_AT + timedelta(minutes=90)
    change = await reschedule_event(
        app.db, "mou-tut", new_start, new_start + timedelta(minutes=30), clock()
    )
    assert change is not None
    await app.changes.apply([change])
    await app.services.notifier.idle()

    [post] = posts(chat.session)
    assert "Подписание меморандума" in post and "16:00" in post  # ANNOUNCE_LANGUAGE=ru
    [notice] = [c for c in chat.session.sent("SendMessage", SHERNAYEV) if "Moved" in c.text]
    assert "now 16:00, was 14:30" in notice.text  # the delegate's own language, as before
    # Heard again, and at the next start: not posted again.
    await app.changes.apply([change])
    await app.services.notifier.send_pending_notices()
    await app.services.notifier.idle()
    assert len(posts(chat.session)) == 1
    row = await announcements.get(app.db, await _key(app))
    assert row is not None and row.status == "sent" and row.message_id is not None
    # A second change is a second post.
    later = new_start + timedelta(minutes=30)
    end = later + timedelta(minutes=30)
    change = await reschedule_event(app.db, "mou-tut", later, end, clock())
    await app.changes.apply([change])  # type: ignore[list-item]
    await app.services.notifier.idle()
    assert len(posts(chat.session)) == 2


async def test_a_moved_departure_is_posted_in_the_chat_once_in_its_language(
    group_app: tuple[App, Chat],
) -> None:
    app, chat = group_app
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/move car-14-tut 13:55")
    await app.services.notifier.idle()

    def moved() -> list[str]:
        return [p for p in posts(chat.session) if "Выезд перенесён" in p]  # ANNOUNCE_LANGUAGE

    [post] = moved()
    assert "13:55" in post and "13:40" in post
    [notice] = [c for c in chat.session.sent("SendMessage", SHERNAYEV) if "Departure" in c.text]
    assert "now leaves at 13:55, was 13:40" in notice.text  # the rider, in their language
    # Told again (a change heard twice, the catch-up of a start): not posted again.
    await app.services.notifier.announce()
    await app.services.notifier.send_pending_notices()
    await app.services.notifier.idle()
    assert len(moved()) == 1


async def _key(app: App) -> str:
    row = await app.db.fetchone("SELECT key FROM announcement")
    assert row is not None
    return str(row["key"])


async def test_a_post_is_not_repeated_by_a_restart(tmp_path: Any, clock: FakeClock) -> None:
    env = make_env(tmp_path)
    telegram = Telegram(chat_info(), ChatMemberMember(user=BOT_USER))
    app, session = await open_app(env, clock, telegram)
    await app.start()
    change = await reschedule_event(
        app.db, "mou-tut", MOU_AT + timedelta(hours=1), MOU_AT + timedelta(hours=2), clock()
    )
    await app.changes.apply([change])  # type: ignore[list-item]
    await app.services.notifier.idle()
    assert len(posts(session)) == 1
    await app.stop()
    await app.close()

    again, second = await open_app(env, clock, telegram)
    await again.start()
    await again.services.notifier.idle()
    await again.stop()
    await again.close()
    assert posts(second) == []


async def test_members_typing_commands_in_the_group_get_nothing(
    group_app: tuple[App, Chat],
) -> None:
    app, chat = group_app
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    chat.session.clear()
    for text in ("/schedule", "/next", "/start tict-Hq7mX2vL9p", "/help"):
        update = updates.message(SHERNAYEV, text, chat_id=GROUP, chat_type="supergroup")
        await app.dispatcher.feed_update(app.bot, update)
    assert chat.session.calls == []


async def test_a_bot_that_may_not_post_serves_anyway_and_says_so(
    tmp_path: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Telegram(chat_info("channel"), admin(can_post_messages=False))
    app, session = await open_app(make_env(tmp_path), clock, channel)
    try:
        await app.start()  # no exception: it serves
        [error] = [r for r in caplog.records if "ANNOUNCE_CHAT_ID" in r.getMessage()]
        assert error.levelno == logging.ERROR and "cannot post" in error.getMessage()
        [warning] = session.sent("SendMessage", ORGANISER_ID)
        assert "cannot post in the delegation chat" in warning.text
        assert "administrator of this channel" in warning.text
        chat = Chat(app, session)
        await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
        calls = await chat.send(SHERNAYEV, "/schedule")
        assert "Signing of a memorandum" in calls[-1].text
        # Told once, at start: a change does not repeat the warning.
        change = await reschedule_event(
            app.db, "mou-tut", MOU_AT + timedelta(hours=1), MOU_AT + timedelta(hours=2), clock()
        )
        await app.changes.apply([change])  # type: ignore[list-item]
        await app.services.notifier.idle()
        assert len(session.sent("SendMessage", ORGANISER_ID)) == 1
    finally:
        await app.stop()
        await app.close()


async def test_a_chat_the_bot_is_not_in_is_reported_too(
    tmp_path: Any, clock: FakeClock
) -> None:
    app, session = await open_app(make_env(tmp_path), clock, Telegram(None, None))
    try:
        await app.start()
        [warning] = session.sent("SendMessage", ORGANISER_ID)
        assert "not found, or the bot is not in it" in warning.text
    finally:
        await app.stop()
        await app.close()


def test_who_may_post_where() -> None:
    member = ChatMemberMember(user=BOT_USER)
    assert may_post("supergroup", member).may_post
    assert may_post("group", admin()).may_post
    assert not may_post("channel", member).may_post
    assert not may_post("channel", admin(can_post_messages=False)).may_post
    assert may_post("channel", admin(can_post_messages=True)).may_post
    from aiogram.types import ChatMemberLeft, ChatMemberRestricted

    assert not may_post("supergroup", ChatMemberLeft(user=BOT_USER)).may_post
    restricted = ChatMemberRestricted.model_validate(
        {"user": BOT_USER.model_dump(), "is_member": True, "until_date": 0,
         **{k: False for k, f in ChatMemberRestricted.model_fields.items()
            if k.startswith("can_") and f.is_required()}}
    )  # fmt: skip
    assert not may_post("supergroup", restricted).may_post


async def test_the_preview_offers_the_chat_and_the_broadcast_is_posted_there_once(
    group_app: tuple[App, Chat],
) -> None:
    app, chat = group_app
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/broadcast")
    calls = await chat.send(ORGANISER_ID, "Buses leave at 9 sharp")
    preview = calls[-1]
    [toggle] = [(t, d) for t, d in preview.buttons() if "delegation chat" in t]
    assert toggle[0].startswith("⬜")
    draft = BroadcastFlowCb.unpack(toggle[1]).draft  # type: ignore[arg-type]
    calls = await chat.press(ORGANISER_ID, toggle[1], message_id=preview.result.message_id)
    [edit] = [c for c in calls if c.name == "EditMessageReplyMarkup"]
    assert any(t.startswith("☑️") and "delegation chat" in t for t, _ in edit.buttons())
    await chat.press(
        ORGANISER_ID, BroadcastFlowCb(action="send", draft=draft).pack(),
        message_id=preview.result.message_id,
    )  # fmt: skip
    await app.services.broadcasts.join()
    assert posts(chat.session) == ["Buses leave at 9 sharp"]
    assert [c.text for c in chat.session.sent("SendMessage", SHERNAYEV)][-1] == (
        "Buses leave at 9 sharp"
    )
