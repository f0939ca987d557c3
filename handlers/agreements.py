"""The agreements of the visit: /agreements and the cards for delegates and organisers; the
organisers' status buttons, photos of a signing, and /report."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from functools import partial

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiohttp import ClientError

from bot.views import agreements as views
from bot.views.attendance import organisers_only
from bot.views.callbacks import AgreementCb, AgreementPhotoCb, AgreementStatusCb
from bot.views.register_xlsx import register_xlsx
from bot.views.report_docx import report_docx
from db.connection import Database
from handlers.filters import Cmd, IsMember, IsOrganiser
from handlers.redraw import redraw
from schedule.clock import Clock
from schedule.model import Delegate
from schedule.rules import Viewer
from schedule.services import agreements as service
from schedule.services.programme import Programme

log = logging.getLogger(__name__)
PHOTO_WINDOW = timedelta(minutes=10)  # after "Add photo", photos go to that agreement


class PhotoFlow(StatesGroup):
    waiting = State()


# --- everyone of the delegation ----------------------------------------------------------


async def list_agreements(
    message: Message, programme: Programme, viewer: Viewer, delegate: Delegate | None = None
) -> None:
    found = await service.agreement_list(programme, viewer, delegate)
    text, markup = views.list_message(found.agreements, organiser=viewer.organiser)
    await message.answer(text, reply_markup=markup)


async def open_card(
    query: CallbackQuery,
    callback_data: AgreementCb,
    bot: Bot,
    db: Database,
    programme: Programme,
    viewer: Viewer,
    delegate: Delegate | None = None,
) -> None:
    try:
        card = await service.agreement_card(db, programme, viewer, delegate, callback_data.id)
    except service.UnknownAgreement:
        await query.answer(views.gone(), show_alert=True)
        return
    await query.answer()
    text, markup = views.card_message(card, organiser=viewer.organiser)
    if callback_data.redraw and isinstance(query.message, Message):
        await redraw(query.message, text, markup)  # "Keep it" under a confirmation
        return
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


# --- organisers ---------------------------------------------------------------------------


async def set_status(
    query: CallbackQuery,
    callback_data: AgreementStatusCb,
    bot: Bot,
    organiser: bool,
    db: Database,
    programme: Programme,
    signing_notices: service.SigningNotices,
    i18n: I18n,
    clock: Clock,
) -> None:
    if not organiser:  # a forged button: refuse and show nothing
        await query.answer(organisers_only(), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    found = {"agreement_id": callback_data.id, "to": callback_data.to, "was": callback_data.was}
    try:
        if not callback_data.ok:
            question = await service.status_question(db, programme, **found)
            if question is not None:
                await query.answer()
                await _show(bot, query, message, *views.confirm_message(question, callback_data.to))
                return
        done = await service.set_status(
            db, programme, signing_notices, organiser_id=query.from_user.id, now=clock(), **found
        )
    except service.UnknownAgreement:
        await query.answer(views.gone(), show_alert=True)
        return
    except service.StatusRefused as refused:
        await query.answer(views.refusal(refused.reason), show_alert=True)
        return
    except service.ChangedMeanwhile as changed:
        await query.answer(views.changed_meanwhile(), show_alert=True)
        await _show(bot, query, message, *views.card_message(changed.card, organiser=True))
        return
    await query.answer(views.status_set(done.card))
    await _show(bot, query, message, *views.card_message(done.card, organiser=True))
    if done.news is not None:
        translators = {lang: partial(i18n.gettext, locale=lang) for lang in views.NEWS_LANGUAGES}
        await bot.send_message(query.from_user.id, views.news_message(done.news, translators))


async def _show(
    bot: Bot, query: CallbackQuery, message: Message | None, text: str, markup: object
) -> None:
    if message is not None:
        await redraw(message, text, markup)  # type: ignore[arg-type]
    else:
        await bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[arg-type]


async def ask_for_photo(
    query: CallbackQuery,
    callback_data: AgreementPhotoCb,
    bot: Bot,
    organiser: bool,
    db: Database,
    programme: Programme,
    state: FSMContext,
    clock: Clock,
) -> None:
    if not organiser:
        await query.answer(organisers_only(), show_alert=True)
        return
    try:
        card = await service.agreement_card(
            db, programme, Viewer(organiser=True), None, callback_data.id
        )
    except service.UnknownAgreement:
        await query.answer(views.gone(), show_alert=True)
        return
    await state.set_state(PhotoFlow.waiting)
    await state.set_data({"agreement": card.agreement.id, "since": clock().isoformat()})
    await query.answer()
    await bot.send_message(query.from_user.id, views.photo_prompt(card.agreement))


async def _attach(
    message: Message, db: Database, programme: Programme, clock: Clock, agreement_id: str
) -> None:
    photo = message.photo[-1] if message.photo else None  # the largest size
    assert photo is not None  # the filters ask for a photo
    try:
        added = await service.add_photo(
            db,
            programme,
            organiser_id=message.from_user.id if message.from_user else 0,
            agreement_id=agreement_id,
            file_id=photo.file_id,
            file_unique_id=photo.file_unique_id,
            now=clock(),
        )
    except service.UnknownAgreement:
        await message.answer(views.gone())
        return
    await message.answer(views.photo_answer(added.outcome, added.agreement, added.count))


class RepliesToAgreement(Filter):
    """A message replying to one of the bot's agreement cards (or photo prompts): hands
    the handler ``agreement_id``."""

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, str]:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
            return False
        agreement_id = views.agreement_replied_to(replied.text or replied.caption)
        return {"agreement_id": agreement_id} if agreement_id else False


async def photo_reply(
    message: Message, agreement_id: str, db: Database, programme: Programme, clock: Clock
) -> None:
    await _attach(message, db, programme, clock, agreement_id)


async def photo_after_button(
    message: Message, db: Database, programme: Programme, state: FSMContext, clock: Clock
) -> None:
    data = await state.get_data()
    since = data.get("since")
    if not since or clock() - datetime.fromisoformat(since) > PHOTO_WINDOW:
        await state.clear()
        await message.answer(views.photo_flow_over())
        return
    await _attach(message, db, programme, clock, str(data.get("agreement")))


async def _fetch(bot: Bot, file_id: str) -> bytes | None:
    """A photo's bytes from the Bot API; None when Telegram does not hand it over."""
    try:
        data = await bot.download(file_id)
    except (TelegramAPIError, ClientError, TimeoutError) as error:
        log.warning("could not fetch photo %s for the report: %s", file_id, error)
        return None
    return data.read() if data is not None else None


async def report(
    message: Message,
    bot: Bot,
    db: Database,
    programme: Programme,
    i18n: I18n,
    lang: str,
    clock: Clock,
) -> None:
    data = await service.visit_report(db, programme, partial(_fetch, bot), clock())
    translate = partial(i18n.gettext, locale=lang)
    # Building the files takes a moment of CPU: the other updates go on meanwhile.
    document = await asyncio.to_thread(report_docx, data, lang, translate)
    register = await asyncio.to_thread(register_xlsx, data, lang, translate)
    report_caption, register_caption = views.report_captions()
    await message.answer_document(
        BufferedInputFile(document, "visit-report.docx"), caption=report_caption
    )
    await message.answer_document(
        BufferedInputFile(register, "agreements-register.xlsx"), caption=register_caption
    )
    missing = sum(1 for photos in data.photos.values() for p in photos if p.content is None)
    if missing:
        await message.answer(views.photos_not_fetched(missing))


def create_router() -> Router:
    """A fresh router: a router can belong to one dispatcher only."""
    router = Router(name=__name__)
    members = Router(name=__name__ + ".delegates")
    members.message.filter(IsMember())
    members.callback_query.filter(IsMember())
    members.message.register(list_agreements, Cmd("agreements"))
    members.callback_query.register(open_card, AgreementCb.filter())
    organisers = Router(name=__name__ + ".organisers")
    organisers.message.filter(IsOrganiser())
    organisers.message.register(report, Cmd("report"))
    # Before the broadcast flow: a photo replying to a card is for the card.
    organisers.message.register(photo_reply, F.photo, RepliesToAgreement())
    organisers.message.register(photo_after_button, F.photo, StateFilter(PhotoFlow.waiting))
    # No router filter for the buttons: a forged one gets a clear answer, not the fallback's.
    buttons = Router(name=__name__ + ".buttons")
    buttons.callback_query.register(set_status, AgreementStatusCb.filter())
    buttons.callback_query.register(ask_for_photo, AgreementPhotoCb.filter())
    router.include_routers(members, organisers, buttons)
    return router
