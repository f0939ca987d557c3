"""Organisers and the people: /delegates with invitation links, /invite, /stats."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.views import people as views
from db.connection import Database
from handlers.filters import IsOrganiser
from schedule.clock import Clock
from schedule.services import organising, people
from schedule.services.programme import Programme


async def list_people(message: Message, bot: Bot, db: Database, programme: Programme) -> None:
    forum, delegates = await people.delegate_list(db, programme)
    me = await bot.me()
    for piece in views.delegate_list(delegates, forum, me.username or ""):
        await message.answer(piece, disable_web_page_preview=True)


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


async def show_stats(message: Message, db: Database, programme: Programme, clock: Clock) -> None:
    forum, day_start, usage, broadcasts = await people.todays_figures(db, programme, clock())
    for piece in views.stats_text(forum, day_start, usage, broadcasts):
        await message.answer(piece)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsOrganiser())
    router.message.register(list_people, Command("delegates"))
    router.message.register(invite, Command("invite"))
    router.message.register(show_stats, Command("stats"))
    return router
