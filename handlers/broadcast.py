"""/broadcast for organisers: ask for the message, preview it, send on the button only.

Delegates' "Received" presses are handled here too (any member, checked against the
recipients of that broadcast).
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery import (
    broadcasts as service,  # a module: bot.delivery.broadcasts imports bot.views.callbacks
)
from bot.views.callbacks import BroadcastCb, BroadcastFlowCb
from bot.views.texts import bold, clip, current_locale, esc, fmt
from db import audit
from db import broadcasts as store
from db.broadcasts import Content
from db.connection import Database
from handlers.filters import IsMember, IsOrganiser
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.services.programme import Programme

if TYPE_CHECKING:
    from bot.delivery.broadcasts import BroadcastService

CANCEL_ALONE = r"^/cancel(@\w+)?\s*$"


class BroadcastFlow(StatesGroup):
    waiting_for_message = State()
    preview = State()


def _audience_label(programme_group: str | None, group_name: str | None) -> str:
    if programme_group is None:
        return _("the whole delegation")
    return _("group {name}").format(name=group_name or programme_group)


def _is_command(message: Message) -> bool:
    """A command, in a text or a caption (/import with a forum file): not a broadcast draft,
    even while a /broadcast waits for its message."""
    return (message.text or message.caption or "").startswith("/")


def preview_keyboard(draft: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text="📣 " + _("Send"), callback_data=BroadcastFlowCb(action="send", draft=draft)
    )
    builder.button(
        text="✅ " + _("Send and ask for confirmation"),
        callback_data=BroadcastFlowCb(action="confirm", draft=draft),
    )
    builder.button(
        text="✖️ " + _("Cancel"), callback_data=BroadcastFlowCb(action="cancel", draft=draft)
    )
    builder.adjust(1)
    return builder.as_markup()


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
        known = ", ".join(g.id for g in forum.groups) or "—"
        await message.answer(
            fmt(
                _("There is no group {group}. Groups: {known}."),
                group=clip(group_id),
                known=known,
            )
        )
        return
    count = len(await broadcasts.audience(group_id))
    await state.set_state(BroadcastFlow.waiting_for_message)
    await state.set_data({"audience": group_id})
    label = _audience_label(group_id, group.name if group else None)
    await message.answer(
        fmt(
            _(
                "Send the message for {audience} ({count} registered delegates): a text, "
                "or a photo or document with a caption. Nothing is sent before you confirm. "
                "/cancel to stop."
            ),
            audience=label,
            count=count,
        )
    )


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


async def draft(
    message: Message,
    bot: Bot,
    state: FSMContext,
    programme: Programme,
    broadcasts: BroadcastService,
) -> None:
    """The organiser's message: show it as delegates will see it, with the count and buttons."""
    content = _content(message)
    if content is None:
        await message.answer(esc(_("Please send a text, a photo or a document (or /cancel).")))
        return
    length, limit = service.visible_length(content.html), service.content_limit(content)
    if length > limit:
        # A caption over 1024 (Telegram Premium allows more to people, not to bots) would be
        # refused for every delegate; say so now, before anything is stored.
        await message.answer(
            fmt(
                _(
                    "This is {length} characters long; Telegram lets a bot send at most "
                    "{limit} here. Please send a shorter version (or /cancel)."
                ),
                length=length,
                limit=limit,
            )
        )
        return
    data = await state.get_data()
    audience = data.get("audience")
    count = len(await broadcasts.audience(audience))
    if count == 0:
        await state.clear()
        await message.answer(esc(_("Nobody in this audience has registered yet: nothing to send.")))
        return
    try:
        await bot(service.content_method(content, message.chat.id))
    except TelegramBadRequest as error:
        # Whatever Telegram refuses here, it would refuse for every delegate too.
        await message.answer(
            fmt(
                _("Telegram refused this message ({error}). Please send another (or /cancel)."),
                error=error.message,
            )
        )
        return
    await state.update_data(content=content.to_json(), draft=message.message_id)
    await state.set_state(BroadcastFlow.preview)
    group = (await programme.forum()).group(audience) if audience else None
    label = _audience_label(audience, group.name if group else None)
    await message.answer(
        bold(esc(_("Preview")))
        + "\n"
        + fmt(
            ngettext(
                "This message will go to {count} delegate ({audience}).",
                "This message will go to {count} delegates ({audience}).",
                count,
            ),
            count=count,
            audience=label,
        )
        + "\n"
        + esc(_("Send a new message to replace it.")),
        reply_markup=preview_keyboard(message.message_id),
    )


async def cancel_flow(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(esc(_("Broadcast cancelled. Nothing was sent.")))


async def decide(
    query: CallbackQuery,
    callback_data: BroadcastFlowCb,
    state: FSMContext,
    broadcasts: BroadcastService,
    db: Database,
    clock: Clock,
) -> None:
    data = await state.get_data()
    message = query.message if isinstance(query.message, Message) else None
    current = await state.get_state() == BroadcastFlow.preview.state and "content" in data
    if not current or data.get("draft") != callback_data.draft:
        # Sent or cancelled already, replaced by a newer preview, or the draft was lost in a
        # restart (drafts live in memory): this preview's buttons must not send anything.
        if current:
            alert = _("A newer preview replaced this one: use the buttons under it.")
        else:
            alert = _(
                "This preview is out of date: nothing was sent. Send /broadcast to start again."
            )
        await query.answer(alert, show_alert=True)
        if message is not None:
            with suppress(TelegramBadRequest):  # too old to edit, or already without buttons
                await message.edit_reply_markup(reply_markup=None)
        return
    await state.clear()
    if callback_data.action not in ("send", "confirm"):
        await query.answer()
        if message is not None:
            await message.edit_text(esc(_("Broadcast cancelled. Nothing was sent.")))
        return
    content = Content.from_json(data["content"])
    audience = data.get("audience")
    organiser = query.from_user.id
    broadcast_id = await broadcasts.create(
        organiser_id=organiser,
        content=content,
        audience=audience,
        confirm=callback_data.action == "confirm",
        chat_id=organiser,
    )
    counts = await store.counts(db, broadcast_id)
    await audit.log_action(
        db,
        organiser,
        "broadcast",
        f"#{broadcast_id} to {audience or 'everyone'}: {counts.total} recipients",
        clock(),
    )
    await query.answer()
    if message is not None:
        await message.edit_text(
            fmt(
                ngettext(
                    "Broadcast #{id} is on its way to {count} delegate.",
                    "Broadcast #{id} is on its way to {count} delegates.",
                    counts.total,
                ),
                id=broadcast_id,
                count=counts.total,
            )
        )
    broadcasts.launch(broadcast_id)


async def report(
    query: CallbackQuery, callback_data: BroadcastCb, broadcasts: BroadcastService
) -> None:
    pieces, _markup = await broadcasts.report(callback_data.id, current_locale())
    if not pieces:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    await broadcasts.send_report(callback_data.id, query.from_user.id, current_locale())


async def remind(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    broadcasts: BroadcastService,
    db: Database,
    clock: Clock,
) -> None:
    organiser = query.from_user.id
    reminder = await broadcasts.remind_unconfirmed(
        callback_data.id, organiser_id=organiser, chat_id=organiser
    )
    if reminder is None:
        await query.answer(
            _("Nobody to remind: everyone has confirmed or a reminder is on its way to them."),
            show_alert=True,
        )
        return
    await audit.log_action(
        db, organiser, "broadcast", f"#{reminder}: reminder of #{callback_data.id}", clock()
    )
    await query.answer(_("The reminder is on its way."))


async def received(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    delegate: Delegate | None,
    db: Database,
    clock: Clock,
) -> None:
    if delegate is None or not await store.confirm(db, callback_data.id, delegate.id, clock()):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer(_("Thank you: the organisers see that you have received it."))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


def create_router() -> Router:
    """Organisers' broadcast flow, and members' "Received" presses."""
    router = Router(name=__name__)
    organisers = Router(name=f"{__name__}.organisers")
    organisers.message.filter(IsOrganiser())
    organisers.callback_query.filter(IsOrganiser())
    in_flow = StateFilter(BroadcastFlow.waiting_for_message, BroadcastFlow.preview)
    organisers.message.register(start_flow, Command("broadcast"))
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
