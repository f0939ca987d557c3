"""Programme changes by organisers: /move, /cancel EVENT, /import a forum file, /log."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from aiohttp import ClientError

from bot.views import organisers as views
from bot.views.callbacks import EventCancelCb, ImportCb
from db.connection import Database
from db.forum import ForumImportError
from handlers.filters import Cmd, IsOrganiser
from schedule.clock import Clock
from schedule.forum_file import ForumFileError
from schedule.imports import ImportPreview
from schedule.moves import MoveError
from schedule.services import organising
from schedule.services.changes import ProgrammeChanges
from schedule.services.programme import Programme

MAX_FORUM_FILE = 1_000_000  # bytes; the sample is a few kilobytes

log = logging.getLogger(__name__)


def _sender_id(message: Message) -> int:
    return message.from_user.id if message.from_user else 0


async def move(
    message: Message,
    command: CommandObject,
    db: Database,
    programme: Programme,
    changes: ProgrammeChanges,
    clock: Clock,
) -> None:
    parts = (command.args or "").split(maxsplit=1)
    if len(parts) < 2:
        await message.answer(views.move_usage())
        return
    try:
        moved = await organising.move_event(
            db, programme, changes,
            organiser_id=_sender_id(message), event_id=parts[0], when=parts[1], now=clock(),
        )  # fmt: skip
    except organising.UnknownEvent:
        await message.answer(views.no_such_event(parts[0]))
    except MoveError as error:
        await message.answer(views.move_problem(error))
    else:
        await message.answer(views.moved(moved.change.before, moved.change.after, moved.forum))


async def cancel(
    message: Message, command: CommandObject, db: Database, programme: Programme
) -> None:
    """/cancel EVENT_ID asks to confirm; /cancel alone (outside a broadcast) explains."""
    event_id = (command.args or "").strip()
    if not event_id:
        await message.answer(views.cancel_usage())
        return
    try:
        found = await organising.cancellable(db, programme, event_id)
    except organising.UnknownEvent:
        await message.answer(views.no_such_event(event_id))
    except organising.AlreadyCancelled as error:
        await message.answer(views.already_cancelled(error.event, await programme.forum()))
    else:
        text, markup = views.cancel_question(found.event, found.forum)
        await message.answer(text, reply_markup=markup)


async def confirm_cancel(
    query: CallbackQuery,
    callback_data: EventCancelCb,
    bot: Bot,
    db: Database,
    programme: Programme,
    changes: ProgrammeChanges,
    clock: Clock,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    if callback_data.keep:
        await query.answer()
        if message is not None:
            await message.edit_text(views.kept())
        return
    try:
        change = await organising.cancel_event(
            db, changes, organiser_id=query.from_user.id, event_id=callback_data.event, now=clock()
        )
    except organising.UnknownEvent:
        await query.answer(views.button_gone(), show_alert=True)
        return
    await query.answer()
    text = views.cancelled(change.before, await programme.forum())
    if message is not None:
        await message.edit_text(text)
    else:
        await bot.send_message(query.from_user.id, text)


async def import_file(
    message: Message, bot: Bot, db: Database, changes: ProgrammeChanges, clock: Clock
) -> None:
    document = message.document
    if document is None:
        await message.answer(views.import_how())
        return
    if document.file_size is not None and document.file_size > MAX_FORUM_FILE:
        await message.answer(views.import_too_large())
        return
    filename = document.file_name or "forum.toml"
    try:
        data = await bot.download(document)
    except (TelegramAPIError, ClientError) as error:
        log.warning("could not download %s for /import: %s", filename, error)
        await message.answer(views.import_not_handed_over())
        return
    content = data.read(MAX_FORUM_FILE + 1) if data is not None else b""
    if len(content) > MAX_FORUM_FILE:  # Telegram did not say the size, or said it wrong
        await message.answer(views.import_too_large())
        return
    try:
        text = content.decode("utf-8")
        outcome = await organising.import_upload(
            db, changes, organiser_id=_sender_id(message), text=text, filename=filename, now=clock()
        )
    except UnicodeDecodeError:
        pieces = [views.import_not_utf8()]
    except ForumFileError as error:
        pieces = views.import_refused(error.errors)
    except ForumImportError as error:
        pieces = views.import_refused([str(error)])
    else:
        if isinstance(outcome, ImportPreview):
            preview, markup = views.import_preview(outcome)
            await message.answer(preview, reply_markup=markup)
            return
        pieces = views.imported(filename, outcome)
    for piece in pieces:
        await message.answer(piece)


async def confirm_import(
    query: CallbackQuery,
    callback_data: ImportCb,
    bot: Bot,
    db: Database,
    changes: ProgrammeChanges,
    clock: Clock,
) -> None:
    """The buttons under an import preview: import the waiting file, or keep the programme."""
    message = query.message if isinstance(query.message, Message) else None
    organiser_id = query.from_user.id
    if not callback_data.go:
        dropped = await organising.drop_import(
            db, organiser_id=organiser_id, token=callback_data.token
        )
        if not dropped:
            await query.answer(views.button_gone(), show_alert=True)
            return
        await query.answer()
        if message is not None:
            await message.edit_text(views.import_kept())
        return
    try:
        filename, report = await organising.confirm_import(
            db, changes, organiser_id=organiser_id, token=callback_data.token, now=clock()
        )
    except organising.ImportExpired:
        await query.answer(views.button_gone(), show_alert=True)
        return
    except ForumFileError as error:  # the rules changed between preview and yes
        pieces = views.import_refused(error.errors)
    except ForumImportError as error:
        pieces = views.import_refused([str(error)])
    else:
        pieces = views.imported(filename, report)
    await query.answer()
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
    for piece in pieces:
        await bot.send_message(organiser_id, piece)


async def show_log(message: Message, db: Database, programme: Programme) -> None:
    entries = await organising.recent_actions(db, 20)
    tz = (await programme.forum()).timezone
    for piece in views.log_lines(entries, tz):
        await message.answer(piece)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsOrganiser())
    router.callback_query.filter(IsOrganiser())
    router.message.register(move, Cmd("move"))
    router.message.register(cancel, Cmd("cancel"))
    router.callback_query.register(confirm_cancel, EventCancelCb.filter())
    router.message.register(import_file, Cmd("import"))
    router.callback_query.register(confirm_import, ImportCb.filter())
    router.message.register(show_log, Cmd("log"))
    return router
