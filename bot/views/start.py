"""/start and /help: the welcome, the list of commands, and what a stranger is told."""

from __future__ import annotations

from datetime import timedelta

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.views.commands import DELEGATE_COMMANDS, ORGANISER_COMMANDS, help_lines
from bot.views.texts import bold, duration, esc, fmt
from schedule.model import Delegate


def stranger_text() -> str:
    return esc(
        _(
            "This bot serves an official delegation, and its programme is not public.\n\n"
            "If you are a member of the delegation, open the personal invitation link the "
            "organisers sent you, or send /start followed by your invitation code."
        )
    )


def welcome_text(delegate: Delegate | None, organiser: bool) -> str:
    """What the reader can do; a stranger (neither) is told how to get in instead."""
    if delegate is None and not organiser:
        return stranger_text()
    parts: list[str] = []
    if delegate is not None:
        parts.append(fmt(_("Welcome, {name}!"), name=delegate.name))
        parts.append(esc(_("Here is what I can do for you:")))
        parts.append(help_lines(DELEGATE_COMMANDS))
    if organiser:
        if delegate is None:
            parts.append(esc(_("Welcome! You are an organiser of this forum.")))
            parts.append(help_lines(DELEGATE_COMMANDS))
        parts.append(bold(esc(_("Organisers"))))
        parts.append(help_lines(ORGANISER_COMMANDS))
    return "\n\n".join(parts)


def taken_text() -> str:
    return esc(
        _(
            "This invitation has already been used from another Telegram account. "
            "The organisers have been told and will contact you."
        )
    )


def slowed_text(wait: timedelta) -> str:
    return fmt(_("Too many wrong codes. Please try again in {duration}."), duration=duration(wait))


def invalid_code_text() -> str:
    return esc(_("This code is not valid. Please check the link the organisers sent you."))


def taken_alert(
    delegate: Delegate, telegram_name: str, telegram_id: int, unreported: int = 0
) -> str:
    """To the organisers: a forwarded invitation link, who tried to use it, and how many
    tries came since the last alert (they are alerted once per while, not per try)."""
    text = "⚠️ " + fmt(
        _("Invitation of {name} was tried from another account: {who} (id {id})."),
        name=delegate.name,
        who=telegram_name,
        id=telegram_id,
    )
    if unreported:
        text += " " + fmt(
            ngettext(
                "It was tried {count} more time since the last alert.",
                "It was tried {count} more times since the last alert.",
                unreported,
            ),
            count=unreported,
        )
    return text
