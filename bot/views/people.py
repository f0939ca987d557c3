"""What organisers read about the people: /delegates, /invite's answer, /stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.utils.i18n import gettext as _

from bot.views.languages import LANGUAGE_NAMES
from bot.views.texts import bold, day_label, esc, fmt, split_message
from schedule.model import BroadcastSummary, Delegate, Forum, Usage


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


def delegate_list(people: Sequence[Delegate], forum: Forum, username: str) -> list[str]:
    if not people:
        return [esc(_("No delegates yet."))]
    head = bold(
        fmt(
            _("Delegates: {registered} of {total} registered"),
            registered=sum(1 for d in people if d.registered),
            total=len(people),
        )
    )
    blocks = [head, *(_delegate_block(d, forum, username) for d in people)]
    return split_message("\n\n".join(blocks))


def invite_usage() -> str:
    return esc(_("Usage: /invite NAME [GROUP_ID], e.g. /invite Dilshod Karimov tict"))


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


def _broadcast_line(summary: BroadcastSummary, forum: Forum) -> str:
    line = fmt(
        _("#{id} {when}: sent {sent}, blocked {blocked}, failed {failed} of {total}"),
        id=summary.id,
        when=summary.created_at.astimezone(forum.timezone).strftime("%d.%m %H:%M"),
        sent=summary.sent,
        blocked=summary.blocked,
        failed=summary.failed,
        total=summary.total,
    )
    if summary.unsent:
        line += " " + fmt(_("({n} still to send)"), n=summary.unsent)
    if summary.confirm:
        line += " " + fmt(_("· confirmed {n}"), n=summary.confirmed)
    return line


def stats_text(
    forum: Forum, day_start: datetime, usage: Usage, broadcasts: Sequence[BroadcastSummary]
) -> list[str]:
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
    lines.append(bold(esc(day_label(day_start.date()))))
    lines.append(fmt(_("Reminders sent today: {n}"), n=usage.reminders_sent))
    lines.append(fmt(_("Check-ins today: {n}"), n=usage.check_ins))
    lines.append("")
    lines.append(bold(esc(_("Broadcasts"))))
    if not broadcasts:
        lines.append(esc(_("None yet.")))
    lines.extend(_broadcast_line(b, forum) for b in broadcasts)
    return split_message("\n".join(lines))
