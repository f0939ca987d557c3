"""/broadcast for organisers: ask for the message, preview it, send on the button only.

Delegates' "Received" presses are handled here too (any member, checked against the
recipients of that broadcast).
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.delivery import (
    broadcasts as service,  # a module: bot.delivery.broadcasts imports bot.views.callbacks
)
from bot.views import broadcast_flow as views
from bot.views.callbacks import BroadcastCb, BroadcastFlowCb
from bot.views.texts import current_locale
from db import broadcasts as store
from db.broadcasts import Content
from db.connection import Database
from handlers.filters import Cmd, IsMember, IsOrganiser
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.services.programme import Programme

if TYPE_CHECKING:
    from bot.delivery.broadcasts import BroadcastService

CANCEL_ALONE = r"^/cancel(@\w+)?\s*$"


class BroadcastFlow(StatesGroup):
    waiting_for_message = State()
    preview = State()


def _is_command(message: Message) -> bool:
    """A command, in a text or a caption (/import with a forum file): not a broadcast draft,
    even while a /broadcast waits for its message."""
    return (message.text or message.caption or "").startswith("/")


async def start_flow(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    programme: Programme,
    broadcasts: BroadcastService,
) -> None:
    forum = await programme.forum()
    group_id = (command.args or "").strip() or None
    group = forum.group(group_id) if group_id else None
    if group_id is not None and group is None:
        await message.answer(views.no_such_group(group_id, forum.groups))
        return
    count = len(await broadcasts.audience(group_id))
    await state.set_state(BroadcastFlow.waiting_for_message)
    await state.set_data({"audience": group_id})
    await message.answer(views.ask_for_message(views.audience_label(group_id, group), count))


def _content(message: Message) -> Content | None:
    if message.photo:
        caption = message.html_text if message.caption else ""
        return Content("photo", caption, message.photo[-1].file_id)
    if message.document:
        return Content(
            "document", message.html_text if message.caption else "", message.document.file_id
        )
    if message.text and not message.text.startswith("/"):
        return Content("text", message.html_text)
    return None


def _shape_refusal(content: Content | None) -> str | None:
    """Why this draft cannot be a broadcast at all, or None."""
    if content is None:
        return views.not_content()
    length, limit = service.visible_length(content.html), service.content_limit(content)
    if length > limit:
        # A caption over 1024 (Telegram Premium allows more to people, not to bots) would be
        # refused for every delegate; say so now, before anything is stored.
        return views.too_long(length, limit)
    return None


async def _telegram_refusal(bot: Bot, chat_id: int, content: Content) -> str | None:
    """Sent to the organiser as delegates will see it. Whatever Telegram refuses here, it
    would refuse for every delegate too."""
    try:
        await bot(service.content_method(content, chat_id))
    except TelegramBadRequest as error:
        return views.refused_by_telegram(error.message)
    return None


async def draft(
    message: Message,
    bot: Bot,
    state: FSMContext,
    programme: Programme,
    broadcasts: BroadcastService,
) -> None:
    """The organiser's message: show it as delegates will see it, with the count and buttons."""
    content = _content(message)
    problem = _shape_refusal(content)
    if problem is not None or content is None:
        await message.answer(problem or views.not_content())
        return
    audience = (await state.get_data()).get("audience")
    count = len(await broadcasts.audience(audience))
    if count == 0:
        await state.clear()
        await message.answer(views.nobody_registered())
        return
    problem = await _telegram_refusal(bot, message.chat.id, content)
    if problem is not None:
        await message.answer(problem)
        return
    await state.update_data(content=content.to_json(), draft=message.message_id)
    await state.set_state(BroadcastFlow.preview)
    group = (await programme.forum()).group(audience) if audience else None
    in_chat = False if broadcasts.chat is not None else None  # offered when there is one
    await state.update_data(in_chat=False)
    text, markup = views.preview(
        count, views.audience_label(audience, group), message.message_id, in_chat
    )
    await message.answer(text, reply_markup=markup)


async def cancel_flow(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(views.cancelled())


async def _current_draft(
    state: FSMContext, callback_data: BroadcastFlowCb
) -> tuple[dict[str, Any] | None, bool]:
    """(the draft this preview's button may act on, whether a newer preview replaced it)."""
    data = await state.get_data()
    current = await state.get_state() == BroadcastFlow.preview.state and "content" in data
    if current and data.get("draft") == callback_data.draft:
        return data, False
    return None, current


async def decide(
    query: CallbackQuery,
    callback_data: BroadcastFlowCb,
    state: FSMContext,
    broadcasts: BroadcastService,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    data, replaced = await _current_draft(state, callback_data)
    if data is None:
        # Sent or cancelled already, replaced by a newer preview, or the draft was lost in a
        # restart (drafts live in memory): this preview's buttons must not send anything.
        await query.answer(views.stale_preview(replaced), show_alert=True)
        if message is not None:
            with suppress(TelegramBadRequest):  # too old to edit, or already without buttons
                await message.edit_reply_markup(reply_markup=None)
        return
    if callback_data.action == "chat":
        # Also post it in the delegation's chat, or not: the same preview, ticked or not.
        in_chat = not data.get("in_chat", False)
        await state.update_data(in_chat=in_chat)
        await query.answer()
        if message is not None and broadcasts.chat is not None:
            with suppress(TelegramBadRequest):
                await message.edit_reply_markup(
                    reply_markup=views.preview_keyboard(callback_data.draft, in_chat)
                )
        return
    await state.clear()
    if callback_data.action not in ("send", "confirm"):
        await query.answer()
        if message is not None:
            await message.edit_text(views.cancelled())
        return
    broadcast_id, total = await broadcasts.open(
        organiser_id=query.from_user.id,
        content=Content.from_json(data["content"]),
        audience=data.get("audience"),
        confirm=callback_data.action == "confirm",
        post_in_chat=bool(data.get("in_chat")),
    )
    await query.answer()
    if message is not None:
        await message.edit_text(views.on_its_way(broadcast_id, total))
    broadcasts.launch(broadcast_id)


async def report(
    query: CallbackQuery, callback_data: BroadcastCb, broadcasts: BroadcastService
) -> None:
    pieces, _markup = await broadcasts.report(callback_data.id, current_locale())
    if not pieces:
        await query.answer(views.button_gone(), show_alert=True)
        return
    await query.answer()
    await broadcasts.send_report(callback_data.id, query.from_user.id, current_locale())


async def remind(
    query: CallbackQuery, callback_data: BroadcastCb, broadcasts: BroadcastService
) -> None:
    organiser = query.from_user.id
    reminder = await broadcasts.remind_unconfirmed(
        callback_data.id, organiser_id=organiser, chat_id=organiser
    )
    if reminder is None:
        await query.answer(views.nobody_to_remind(), show_alert=True)
        return
    await query.answer(views.reminder_on_its_way())


async def received(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    delegate: Delegate | None,
    db: Database,
    clock: Clock,
) -> None:
    if delegate is None or not await store.confirm(db, callback_data.id, delegate.id, clock()):
        await query.answer(views.button_gone(), show_alert=True)
        return
    await query.answer(views.thanks_for_confirming())
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


def create_router() -> Router:
    """Organisers' broadcast flow, and members' "Received" presses."""
    router = Router(name=__name__)
    organisers = Router(name=f"{__name__}.organisers")
    organisers.message.filter(IsOrganiser())
    organisers.callback_query.filter(IsOrganiser())
    in_flow = StateFilter(BroadcastFlow.waiting_for_message, BroadcastFlow.preview)
    organisers.message.register(start_flow, Cmd("broadcast"))
    organisers.message.register(cancel_flow, in_flow, F.text.regexp(CANCEL_ALONE))
    organisers.message.register(draft, in_flow, ~F.func(_is_command))
    organisers.callback_query.register(decide, BroadcastFlowCb.filter())
    organisers.callback_query.register(report, BroadcastCb.filter(F.action == "st"))
    organisers.callback_query.register(remind, BroadcastCb.filter(F.action == "rm"))
    members = Router(name=f"{__name__}.members")
    members.callback_query.filter(IsMember())
    members.callback_query.register(received, BroadcastCb.filter(F.action == "ok"))
    router.include_routers(organisers, members)
    return router
