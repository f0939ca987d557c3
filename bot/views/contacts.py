"""Whom to call and how the delegate travels: contact cards, links, arrival and departure.

Rendered in the reader's language (callers set the locale). Every value from the forum
file goes through :func:`bot.views.texts.esc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views.keyboard import Keyboard
from bot.views.logistics import venue_name
from bot.views.texts import bold, current_locale, day_label, esc, fmt, hhmm, italic
from schedule.model import Contact, Forum, Journey, Travel


def role_label(role: str) -> str:
    labels = {
        "protocol": _("Protocol officer"),
        "interpreter": _("Interpreter"),
        "transport": _("Transport"),
        "security": _("Security"),
        "medical": _("Medical help"),
        "organiser": _("Organising committee"),
        "embassy": _("Embassy"),
        "other": _("Contact"),
    }
    return labels.get(role, labels["other"])


@dataclass(frozen=True, slots=True)
class ContactCard:
    """A contact with a phone, sent as a Telegram contact card (one tap calls or saves it)."""

    phone: str
    first_name: str
    last_name: str


def contacts_text(contacts: Sequence[Contact]) -> tuple[str, InlineKeyboardMarkup | None]:
    """/contacts: whom to call, with a button to write to each one with a username; the
    cards (:func:`contact_cards`) follow."""
    if not contacts:
        return esc(_("No contacts are listed for you yet.")), None
    parts = [bold(esc(_("Whom to call")))]
    keyboard = Keyboard()
    links = 0
    for contact in contacts:
        lines = [bold(esc(role_label(contact.role))) + ": " + esc(contact.name)]
        if contact.phone:
            lines.append("📞 " + esc(contact.phone))
        if contact.telegram:
            lines.append("✉️ @" + esc(contact.telegram))
            keyboard.button(
                text="✉️ " + fmt(_("Write to @{username}"), username=contact.telegram),
                url=f"https://t.me/{contact.telegram}",
            )
            links += 1
        if contact.note is not None:
            lines.append(italic(esc(contact.note.get(current_locale()))))
        parts.append("\n".join(lines))
    return "\n\n".join(parts), keyboard.adjust(1).as_markup() if links else None


def contact_cards(contacts: Sequence[Contact]) -> list[ContactCard]:
    return [
        ContactCard(c.phone, c.name[:64], role_label(c.role)[:64]) for c in contacts if c.phone
    ]


# ---------------------------------------------------------------- the delegate's own travel


def _journey_line(emoji: str, label: str, journey: Journey, forum: Forum) -> str:
    tz = forum.timezone
    parts = [f"{day_label(journey.at, tz)}, {hhmm(journey.at, tz)}"]
    if journey.place:
        parts.append(venue_name(forum, journey.place))
    if journey.flight:
        parts.append(journey.flight)
    return f"{emoji} {bold(esc(label))}: {esc(', '.join(parts))}"


def travel_lines(travel: Travel | None, forum: Forum) -> list[str]:
    """/my: arrival, hotel, departure (what is known of them)."""
    if travel is None:
        return []
    lines = []
    if travel.arrival is not None:
        lines.append(_journey_line("🛬", _("Arrival"), travel.arrival, forum))
    if travel.hotel is not None:
        hotel = forum.venue(travel.hotel)
        name = travel.hotel
        if hotel is not None:
            name = hotel.name + (f", {hotel.address}" if hotel.address else "")
        label = _("Hotel")
        lines.append(f"🏨 {bold(esc(label))}: {esc(name)}")
    if travel.departure is not None:
        lines.append(_journey_line("🛫", _("Departure"), travel.departure, forum))
    return lines


def journey_words() -> tuple[str, str]:
    """The calendar entries' summaries for the delegate's arrival and departure."""
    return _("Arrival"), _("Departure")
