"""Organisers and the people: /delegates with invitation links, /invite, /stats."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message

from bot.views import people as views
from bot.views import qr
from bot.views.callbacks import InviteQrCb
from db.connection import Database
from handlers.filters import Cmd, IsOrganiser
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.services import organising, people
from schedule.services.programme import Programme


async def list_people(
    message: Message,
    bot: Bot,
    db: Database,
    programme: Programme,
    command: CommandObject | None = None,
) -> None:
    """/delegates; ``/delegates qr``: the links not opened yet as QR codes to print."""
    forum, delegates = await people.delegate_list(db, programme)
    me = await bot.me()
    if command is not None and (command.args or "").strip().lower() == "qr":
        await _send_qr_page(message, delegates, me.username or "", 0)
        return
    pieces = views.delegate_list(delegates, forum, me.username or "")
    for number, piece in enumerate(pieces, start=1):
        markup = qr.list_keyboard(delegates) if number == len(pieces) else None
        await message.answer(piece, disable_web_page_preview=True, reply_markup=markup)


async def qr_codes(
    query: CallbackQuery, callback_data: InviteQrCb, bot: Bot, db: Database, programme: Programme
) -> None:
    await query.answer()
    _, delegates = await people.delegate_list(db, programme)
    if isinstance(query.message, Message):
        me = await bot.me()
        await _send_qr_page(query.message, delegates, me.username or "", max(0, callback_data.page))


async def _send_qr_page(
    message: Message, delegates: list[Delegate], username: str, page: int
) -> None:
    shown = qr.qr_page(delegates, username, page)
    if not shown.albums:
        await message.answer(qr.nobody_awaiting())
    for album in shown.albums:
        if len(album) == 1:
            await message.answer_photo(album[0].media, caption=album[0].caption)
        else:
            await message.answer_media_group(album)  # type: ignore[arg-type]
    if shown.more is not None:
        text, markup = shown.more
        await message.answer(text, reply_markup=markup)


async def invite(
    message: Message,
    command: CommandObject,
    bot: Bot,
    db: Database,
    programme: Programme,
    clock: Clock,
) -> None:
    organiser = message.from_user.id if message.from_user else 0
    try:
        invited = await organising.invite(
            db, programme, organiser_id=organiser, args=command.args or "", now=clock()
        )
    except ValueError:
        await message.answer(views.invite_usage())
        return
    forum = await programme.forum()
    me = await bot.me()
    await message.answer(
        views.invited_text(invited.delegate, forum, me.username or ""),
        disable_web_page_preview=True,
    )
    card = qr.qr_photo(
        invited.delegate.name,
        views.invite_link(me.username or "", invited.delegate.code or ""),
        invited.delegate.id,
    )
    await message.answer_photo(card.media, caption=card.caption)


async def show_stats(message: Message, db: Database, programme: Programme, clock: Clock) -> None:
    forum, day_start, usage, broadcasts = await people.todays_figures(db, programme, clock())
    for piece in views.stats_text(forum, day_start, usage, broadcasts):
        await message.answer(piece)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsOrganiser())
    router.callback_query.filter(IsOrganiser())
    router.message.register(list_people, Cmd("delegates"))
    router.callback_query.register(qr_codes, InviteQrCb.filter())
    router.message.register(invite, Cmd("invite"))
    router.message.register(show_stats, Cmd("stats"))
    return router
