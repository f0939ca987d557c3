"""Organisers and the people: /delegates with invitation links, /invite, /stats."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.views.languages import LANGUAGE_NAMES
from bot.views.texts import bold, day_label, esc, fmt, split_message
from db import broadcasts as store
from db import delegates, stats
from db.connection import Database
from handlers.filters import IsOrganiser
from schedule.clock import Clock
from schedule.model import Delegate, Forum
from schedule.services import organising
from schedule.services.programme import Programme


def invite_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def _delegate_block(delegate: Delegate, forum: Forum, username: str) -> str:
    group = forum.group(delegate.group)
    lines = [bold(esc(delegate.name))]
    if delegate.position:
        lines.append(esc(delegate.position))
    lines.append(
        fmt(_("Group: {group}"), group=group.name if group else delegate.group or _("none"))
    )
    if delegate.registered:
        lines.append("✅ " + esc(_("registered")))
    else:
        lines.append("— " + esc(_("not registered")))
    if delegate.source == "shared":
        # Not on the organisers' list: they joined with DELEGATION_CODE under their Telegram name.
        lines.append("🔓 " + esc(_("joined with the shared delegation code")))
    if delegate.blocked_at is not None:
        lines.append("⛔ " + esc(_("has blocked the bot")))
    if delegate.code:
        lines.append(esc(invite_link(username, delegate.code)))
    return "\n".join(lines)


async def list_people(message: Message, bot: Bot, db: Database, programme: Programme) -> None:
    people = await delegates.list_delegates(db)
    if not people:
        await message.answer(esc(_("No delegates yet.")))
        return
    forum = await programme.forum()
    me = await bot.me()
    registered = sum(1 for d in people if d.registered)
    head = bold(
        fmt(
            _("Delegates: {registered} of {total} registered"),
            registered=registered,
            total=len(people),
        )
    )
    blocks = [head, *(_delegate_block(d, forum, me.username or "") for d in people)]
    for piece in split_message("\n\n".join(blocks)):
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
        await message.answer(
            esc(_("Usage: /invite NAME [GROUP_ID], e.g. /invite Dilshod Karimov tict"))
        )
        return
    forum = await programme.forum()
    me = await bot.me()
    await message.answer(
        invited_text(invited.delegate, forum, me.username or ""), disable_web_page_preview=True
    )


def invited_text(delegate: Delegate, forum: Forum, username: str) -> str:
    group = forum.group(delegate.group)
    return (
        fmt(
            _("Invited {name} (group: {group}). Their personal link:"),
            name=delegate.name,
            group=group.name if group else _("none"),
        )
        + "\n"
        + esc(invite_link(username, delegate.code or ""))
    )


def _today(now: datetime, forum: Forum) -> tuple[datetime, datetime]:
    day = now.astimezone(forum.timezone).date()
    start = datetime.combine(day, time(0), tzinfo=forum.timezone)
    return start, start + timedelta(days=1)


async def show_stats(message: Message, db: Database, programme: Programme, clock: Clock) -> None:
    forum = await programme.forum()
    start, end = _today(clock(), forum)
    usage = await stats.usage(db, start, end)
    lines = [
        bold(esc(_("Statistics"))),
        fmt(
            _("Registered: {registered} of {total} delegates"),
            registered=usage.registered,
            total=usage.delegates,
        ),
    ]
    for lang, count in usage.by_language:
        label = LANGUAGE_NAMES.get(lang or "", _("not chosen"))
        lines.append(f"  • {esc(label)}: {count}")
    lines.append("")
    lines.append(bold(esc(day_label(start.date()))))
    lines.append(fmt(_("Reminders sent today: {n}"), n=usage.reminders_sent))
    lines.append(fmt(_("Check-ins today: {n}"), n=usage.check_ins))
    recent = await store.recent(db, 5)
    lines.append("")
    lines.append(bold(esc(_("Broadcasts"))))
    if not recent:
        lines.append(esc(_("None yet.")))
    for broadcast in recent:
        counts = await store.counts(db, broadcast.id)
        line = fmt(
            _("#{id} {when}: sent {sent}, blocked {blocked}, failed {failed} of {total}"),
            id=broadcast.id,
            when=broadcast.created_at.astimezone(forum.timezone).strftime("%d.%m %H:%M"),
            sent=counts.sent,
            blocked=counts.blocked,
            failed=counts.failed,
            total=counts.total,
        )
        if counts.pending or counts.sending:
            line += " " + fmt(_("({n} still to send)"), n=counts.pending + counts.sending)
        if broadcast.confirm:
            line += " " + fmt(_("· confirmed {n}"), n=counts.confirmed)
        lines.append(line)
    for piece in split_message("\n".join(lines)):
        await message.answer(piece)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsOrganiser())
    router.message.register(list_people, Command("delegates"))
    router.message.register(invite, Command("invite"))
    router.message.register(show_stats, Command("stats"))
    return router
