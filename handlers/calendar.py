"""/calendar: the delegate's agenda as an .ics file for their phone's calendar."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.views.texts import esc
from handlers.filters import IsMember
from schedule.calendar import agenda_ics
from schedule.clock import Clock
from schedule.rules import Viewer
from schedule.services.programme import Programme


async def calendar(
    message: Message,
    programme: Programme,
    viewer: Viewer,
    lang: str,
    clock: Clock,
) -> None:
    forum = await programme.forum()
    events = (await programme.agenda(viewer)).events
    if not events:
        await message.answer(esc(_("There are no events in the programme for you yet.")))
        return
    data = agenda_ics(forum, events, lang=lang, now=clock())
    await message.answer_document(
        BufferedInputFile(data, filename="forum-agenda.ics"),
        caption=esc(
            _("Your agenda: open the file to add it to your calendar. A newer file updates it.")
        ),
    )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.message.filter(IsMember())
    router.message.register(calendar, Command("calendar"))
    return router
