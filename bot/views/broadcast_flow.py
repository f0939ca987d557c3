"""What an organiser reads while preparing a broadcast: the prompts, the preview and its
buttons, the refusals; and what a delegate reads after pressing "Received"."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.views.callbacks import BroadcastFlowCb
from bot.views.keyboard import Keyboard
from bot.views.texts import bold, clip, esc, fmt
from schedule.model import Group


def audience_label(group_id: str | None, group: Group | None) -> str:
    if group_id is None:
        return _("the whole delegation")
    return _("group {name}").format(name=group.name if group else group_id)


def no_such_group(group_id: str, groups: Sequence[Group]) -> str:
    known = ", ".join(g.id for g in groups) or "—"
    return fmt(_("There is no group {group}. Groups: {known}."), group=clip(group_id), known=known)


def ask_for_message(label: str, count: int) -> str:
    return fmt(
        _(
            "Send the message for {audience} ({count} registered delegates): a text, "
            "or a photo or document with a caption. Nothing is sent before you confirm. "
            "/cancel to stop."
        ),
        audience=label,
        count=count,
    )


def not_content() -> str:
    return esc(_("Please send a text, a photo or a document (or /cancel)."))


def too_long(length: int, limit: int) -> str:
    return fmt(
        _(
            "This is {length} characters long; Telegram lets a bot send at most "
            "{limit} here. Please send a shorter version (or /cancel)."
        ),
        length=length,
        limit=limit,
    )


def nobody_registered() -> str:
    return esc(_("Nobody in this audience has registered yet: nothing to send."))


def refused_by_telegram(error: str) -> str:
    return fmt(
        _("Telegram refused this message ({error}). Please send another (or /cancel)."),
        error=error,
    )


def preview_keyboard(draft: int, in_chat: bool | None = None) -> InlineKeyboardMarkup:
    """Send, send asking for confirmation, cancel; and, when the delegation has a group or
    channel (``in_chat`` not None), the choice to post it there too (ticked when chosen)."""
    keyboard = Keyboard()
    if in_chat is not None:
        keyboard.button(
            text=("☑️ " if in_chat else "⬜ ") + _("Also post to the delegation chat"),
            callback_data=BroadcastFlowCb(action="chat", draft=draft),
        )
    keyboard.button(
        text="📣 " + _("Send"), callback_data=BroadcastFlowCb(action="send", draft=draft)
    )
    keyboard.button(
        text="✅ " + _("Send and ask for confirmation"),
        callback_data=BroadcastFlowCb(action="confirm", draft=draft),
    )
    keyboard.button(
        text="✖️ " + _("Cancel"), callback_data=BroadcastFlowCb(action="cancel", draft=draft)
    )
    return keyboard.adjust(1).as_markup()


def preview(
    count: int, label: str, draft: int, in_chat: bool | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    text = (
        bold(esc(_("Preview")))
        + "\n"
        + fmt(
            ngettext(
                "This message will go to {count} delegate ({audience}).",
                "This message will go to {count} delegates ({audience}).",
                count,
            ),
            count=count,
            audience=label,
        )
        + "\n"
        + esc(_("Send a new message to replace it."))
    )
    return text, preview_keyboard(draft, in_chat)


def cancelled() -> str:
    return esc(_("Broadcast cancelled. Nothing was sent."))


def stale_preview(replaced: bool) -> str:
    """Plain (an alert): a preview whose buttons must not send anything any more."""
    if replaced:
        return _("A newer preview replaced this one: use the buttons under it.")
    return _("This preview is out of date: nothing was sent. Send /broadcast to start again.")


def on_its_way(broadcast_id: int, count: int) -> str:
    return fmt(
        ngettext(
            "Broadcast #{id} is on its way to {count} delegate.",
            "Broadcast #{id} is on its way to {count} delegates.",
            count,
        ),
        id=broadcast_id,
        count=count,
    )


def button_gone() -> str:
    return _("This button is no longer valid.")


def nobody_to_remind() -> str:
    return _("Nobody to remind: everyone has confirmed or a reminder is on its way to them.")


def reminder_on_its_way() -> str:
    return _("The reminder is on its way.")


def thanks_for_confirming() -> str:
    return _("Thank you: the organisers see that you have received it.")
