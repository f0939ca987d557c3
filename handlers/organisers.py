"""Programme changes by organisers: /move, /cancel EVENT, /import a forum file, /log."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiohttp import ClientError

from bot.views import programme as views
from bot.views.callbacks import EventCancelCb
from bot.views.texts import bold, clip, current_locale, day_label, esc, fmt, hhmm, split_message
from db import audit, delegates
from db.connection import Database
from db.forum import (
    ForumImportError,
    forum_hash,
    get_event,
    import_forum,
    reschedule_event,
    set_event_status,
    stored_forum_hash,
)
from handlers.filters import IsOrganiser
from schedule.clock import Clock
from schedule.forum_file import ForumFileError, parse_forum
from schedule.model import Event, Forum
from schedule.moves import MoveError, parse_move
from schedule.services.changes import ProgrammeChanges
from schedule.services.programme import Programme

MAX_FORUM_FILE = 1_000_000  # bytes; the sample is a few kilobytes

log = logging.getLogger(__name__)


def _when(event: Event, forum: Forum) -> str:
    tz = forum.timezone
    return f"{day_label(event.starts, tz)}, {hhmm(event.starts, tz)}–{hhmm(event.ends, tz)}"


def _move_problem(error: MoveError) -> str:
    return {
        "format": _("Write the new time as HH:MM (same day) or YYYY-MM-DD HH:MM, forum time."),
        "date": _("There is no such date."),
        "time": _("There is no such time."),
        "past": _("The new time is in the past."),
        "inactive": _("This event is cancelled or removed: it cannot be moved."),
        "same": _("The event already starts at that time."),
    }[error.problem]


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
        await message.answer(
            esc(_("Usage: /move EVENT_ID HH:MM or /move EVENT_ID YYYY-MM-DD HH:MM"))
        )
        return
    event = await get_event(db, parts[0])
    if event is None:
        await message.answer(fmt(_("There is no event {id}."), id=clip(parts[0])))
        return
    forum = await programme.forum()
    now = clock()
    try:
        starts, ends = parse_move(parts[1], event, forum.timezone, now)
    except MoveError as error:
        await message.answer(esc(_move_problem(error)))
        return
    change = await reschedule_event(db, event.id, starts, ends, now)
    assert change is not None
    await audit.log_action(
        db,
        message.from_user.id if message.from_user else 0,
        "move",
        f"{event.id}: {_when(event, forum)} -> {_when(change.after, forum)}",
        now,
    )
    await changes.apply([change])
    await message.answer(
        fmt(
            _("Moved: {title}, now {when} ({city} time). Those concerned are being told."),
            title=event.title.get(current_locale()),
            when=_when(change.after, forum),
            city=forum.city,
        )
    )


def cancel_keyboard(event_id: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text="❌ " + _("Cancel the event"), callback_data=EventCancelCb(event=event_id))
    builder.button(text=_("Keep it"), callback_data=EventCancelCb(event=event_id, keep=1))
    builder.adjust(2)
    return builder.as_markup()


async def cancel(
    message: Message, command: CommandObject, db: Database, programme: Programme
) -> None:
    """/cancel EVENT_ID asks to confirm; /cancel alone (outside a broadcast) explains."""
    event_id = (command.args or "").strip()
    if not event_id:
        await message.answer(
            esc(
                _(
                    "Usage: /cancel EVENT_ID cancels an event. While preparing a broadcast, "
                    "/cancel alone stops it."
                )
            )
        )
        return
    event = await get_event(db, event_id)
    if event is None:
        await message.answer(fmt(_("There is no event {id}."), id=clip(event_id)))
        return
    if not event.is_active:
        title = event.title.get(current_locale())
        await message.answer(fmt(_("{title} is already cancelled."), title=title))
        return
    forum = await programme.forum()
    await message.answer(
        views.card_text(event, forum)
        + "\n\n"
        + bold(esc(_("Cancel this event? Everyone concerned will be told."))),
        reply_markup=cancel_keyboard(event.id),
    )


async def confirm_cancel(
    query: CallbackQuery,
    callback_data: EventCancelCb,
    db: Database,
    changes: ProgrammeChanges,
    clock: Clock,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    if callback_data.keep:
        await query.answer()
        if message is not None:
            await message.edit_text(esc(_("The event is kept as it is.")))
        return
    event = await get_event(db, callback_data.event)
    if event is None or not event.is_active:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    now = clock()
    change = await set_event_status(db, event.id, "cancelled", now)
    assert change is not None
    await audit.log_action(db, query.from_user.id, "cancel", event.id, now)
    await changes.apply([change])
    await query.answer()
    text = fmt(
        _("Cancelled: {title}. Those concerned are being told."),
        title=event.title.get(current_locale()),
    )
    if message is not None:
        await message.edit_text(text)
    else:
        await query.bot.send_message(query.from_user.id, text)  # type: ignore[union-attr]


async def import_file(
    message: Message,
    bot: Bot,
    db: Database,
    changes: ProgrammeChanges,
    clock: Clock,
) -> None:
    document = message.document
    if document is None:
        await message.answer(
            esc(_("Attach the forum file (.toml) as a document, with /import as its caption."))
        )
        return
    if document.file_size is not None and document.file_size > MAX_FORUM_FILE:
        await message.answer(esc(_("This file is too large to be a forum file.")))
        return
    filename = document.file_name or "forum.toml"
    try:
        data = await bot.download(document)
    except (TelegramAPIError, ClientError) as error:
        log.warning("could not download %s for /import: %s", filename, error)
        await message.answer(
            esc(
                _("Telegram did not hand over the file. Please send it again. Nothing was changed.")
            )
        )
        return
    try:
        text = data.read().decode("utf-8") if data is not None else ""
        forum = parse_forum(text, filename)
        # The stored hash stays that of FORUM_FILE: it tells the next start whether the file
        # on disk changed. Storing this upload's hash would make every restart re-import the
        # older file on disk over this import (and tell everyone of the reversal).
        source_hash = await stored_forum_hash(db) or forum_hash(text)
        report = await import_forum(db, forum, source_hash=source_hash, now=clock())
    except UnicodeDecodeError:
        await message.answer(esc(_("The file is not UTF-8 text. Nothing was changed.")))
        return
    except (ForumFileError, ForumImportError) as error:
        problems = error.errors if isinstance(error, ForumFileError) else [str(error)]
        body = bold(esc(_("The file was not imported; nothing was changed."))) + "\n\n"
        body += "\n".join("• " + esc(p) for p in problems)
        for piece in split_message(body):
            await message.answer(piece)
        return
    organiser = message.from_user.id if message.from_user else 0
    summary = fmt(
        _("Imported {file}: {added} added, {changed} changed, {removed} removed."),
        file=filename,
        added=len(report.added),
        changed=len(report.changed) - len(report.removed),
        removed=len(report.removed),
    )
    await audit.log_action(
        db,
        organiser,
        "import",
        f"{filename}: +{len(report.added)} ~{len(report.changed) - len(report.removed)}"
        f" -{len(report.removed)}",
        clock(),
    )
    await changes.apply(report.changed)
    lines = [summary]
    moved = [c.after.id for c in report.changed if c.after.id not in report.removed]
    for label, ids in (
        (_("Added"), report.added),
        (_("Changed"), moved),
        (_("Removed"), report.removed),
    ):
        if ids:
            lines.append(bold(esc(label)) + ": " + esc(", ".join(ids)))
    for piece in split_message("\n\n".join(lines)):
        await message.answer(piece)


async def show_log(message: Message, db: Database, programme: Programme) -> None:
    entries = await audit.recent(db, 20)
    if not entries:
        await message.answer(esc(_("No organiser actions yet.")))
        return
    tz = (await programme.forum()).timezone
    # Organisers who are also delegates are shown by name; the others by Telegram id.
    who: dict[int, str] = {}
    for organiser_id in {e.organiser_id for e in entries}:
        person = await delegates.by_telegram_id(db, organiser_id)
        who[organiser_id] = f"{esc(person.name)} ({organiser_id})" if person else str(organiser_id)
    lines = [bold(esc(_("The last organiser actions")))]
    for entry in entries:
        at = entry.at.astimezone(tz).strftime("%d.%m %H:%M")
        lines.append(
            f"{esc(at)} · {who[entry.organiser_id]} · {bold(esc(entry.action))} {esc(entry.detail)}"
        )
    for piece in split_message("\n\n".join(lines)):
        await message.answer(piece)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsOrganiser())
    router.callback_query.filter(IsOrganiser())
    router.message.register(move, Command("move"))
    router.message.register(cancel, Command("cancel"))
    router.callback_query.register(confirm_cancel, EventCancelCb.filter())
    router.message.register(import_file, Command("import"))
    router.message.register(show_log, Command("log"))
    return router
