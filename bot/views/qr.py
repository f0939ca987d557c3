"""Invitation links as QR codes, to print on a card for delegates who will not type a code."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, InputMediaPhoto
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.views.callbacks import InviteQrCb
from bot.views.keyboard import Keyboard
from bot.views.people import invite_link
from bot.views.texts import bold, esc
from schedule.model import Delegate

ALBUM = 10  # Telegram sends at most ten photos in one album
PAGE = 30  # three albums a press: a chat takes that in a row without flood control


def qr_png(link: str, *, scale: int = 8) -> bytes:
    """The PNG of a QR code of ``link``: error correction M (a card may get creased), a
    quiet zone of four modules as the standard asks, ``scale`` pixels a module."""
    code = segno.make_qr(link, error="m")
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def awaiting(people: Sequence[Delegate]) -> list[Delegate]:
    """Those with a personal link who have not registered: who needs a card."""
    return [d for d in people if d.code and not d.registered]


def qr_photo(name: str, link: str, number: int) -> InputMediaPhoto:
    png = BufferedInputFile(qr_png(link), filename=f"invitation-{number}.png")
    return InputMediaPhoto(media=png, caption=bold(esc(name)) + "\n" + esc(link))


@dataclass(frozen=True, slots=True)
class QrPage:
    albums: list[list[InputMediaPhoto]]
    more: tuple[str, InlineKeyboardMarkup] | None  # a button for the next page


def qr_page(people: Sequence[Delegate], username: str, page: int) -> QrPage:
    """One page of QR cards of those awaiting, in albums of ten; a button for the rest."""
    waiting = awaiting(people)
    shown = waiting[page * PAGE : (page + 1) * PAGE]
    photos = [qr_photo(d.name, invite_link(username, d.code or ""), d.id) for d in shown]
    albums = [photos[i : i + ALBUM] for i in range(0, len(photos), ALBUM)]
    rest = len(waiting) - (page + 1) * PAGE
    more = None
    if rest > 0:
        keyboard = Keyboard()
        label = ngettext("{n} more QR code", "{n} more QR codes", rest).format(n=rest)
        keyboard.button(text="🔳 " + label, callback_data=InviteQrCb(page=page + 1))
        more = (esc(_("More to print:")), keyboard.as_markup())
    return QrPage(albums, more)


def nobody_awaiting() -> str:
    return esc(_("Everyone with a personal link has registered."))


def list_keyboard(people: Sequence[Delegate]) -> InlineKeyboardMarkup | None:
    """Under /delegates: QR codes of the links still to be opened, if there are any."""
    if not awaiting(people):
        return None
    keyboard = Keyboard()
    keyboard.button(text="🔳 " + _("QR codes to print"), callback_data=InviteQrCb())
    return keyboard.as_markup()
