"""/calendar: the delegate's agenda as an .ics file for their phone's calendar."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.views import contacts as contact_views
from bot.views import logistics as logistics_views
from bot.views.texts import esc
from db.connection import Database
from handlers.filters import Cmd, IsMember
from schedule.calendar import JourneyText, agenda_ics
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.rules import Viewer
from schedule.services import logistics
from schedule.services.programme import Programme
from schedule.transport import rider_of


async def calendar(
    message: Message,
    db: Database,
    programme: Programme,
    viewer: Viewer,
    lang: str,
    clock: Clock,
    delegate: Delegate | None = None,
) -> None:
    rider = rider_of(delegate, viewer.organiser)
    data = await logistics.calendar_data(db, programme, viewer, rider, delegate)
    if data.is_empty:
        await message.answer(esc(_("There are no events in the programme for you yet.")))
        return
    forum = data.forum
    ics = agenda_ics(
        forum,
        data.events,
        lang=lang,
        now=clock(),
        revisions=data.revisions,
        departures=data.departures,
        transport_title={t.id: logistics_views.calendar_title(t, forum) for t in data.departures},
        travel=data.travel,
        traveller=data.traveller,
        journey_text=JourneyText(*contact_views.journey_words()),
    )
    await message.answer_document(
        BufferedInputFile(ics, filename="forum-agenda.ics"),
        caption=esc(
            _("Your agenda: open the file to add it to your calendar. A newer file updates it.")
        ),
    )


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    router.message.filter(IsMember())
    router.message.register(calendar, Cmd("calendar"))
    return router
