"""How transport, contacts and a delegate's travel look in a chat: (text, markup) out.

Rendered in the reader's language (callers set the locale). Every value from the forum
file goes through :func:`bot.views.texts.esc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views.callbacks import LateCb, VenueCb
from bot.views.keyboard import Keyboard
from bot.views.texts import bold, current_locale, day_label, duration, esc, fmt, hhmm, italic
from schedule.departures import DepartureNoticeFacts, LateVerdict
from schedule.model import Delegate, Forum, Transport
from schedule.transport import NextDepartures

KIND_ICONS = {"bus": "🚌", "car": "🚗", "minibus": "🚐", "walk": "🚶", "other": "🚘"}


def kind_label(kind: str) -> str:
    labels = {
        "bus": _("Bus"),
        "car": _("Car"),
        "minibus": _("Minibus"),
        "walk": _("On foot"),
        "other": _("Transport"),
    }
    return labels.get(kind, labels["other"])


def icon(transport: Transport) -> str:
    return KIND_ICONS.get(transport.kind, KIND_ICONS["other"])


def venue_name(forum: Forum, venue_id: str) -> str:
    venue = forum.venue(venue_id)
    return venue.name if venue else venue_id


def route(transport: Transport, forum: Forum) -> str:
    """'Hotel → Forum hall', plain text (escape it for HTML)."""
    return f"{venue_name(forum, transport.origin)} → {venue_name(forum, transport.destination)}"


def calendar_title(transport: Transport, forum: Forum) -> str:
    """A calendar entry's summary, plain text: 'Bus: Hotel → Forum hall'."""
    return f"{kind_label(transport.kind)}: {route(transport, forum)}"


def departure_line(transport: Transport, forum: Forum) -> str:
    """One line of a day: time, kind, route, and where to meet."""
    tz = forum.timezone
    line = (
        f"{icon(transport)} {bold(hhmm(transport.departs, tz))}  "
        f"{esc(kind_label(transport.kind))}: {esc(route(transport, forum))}"
    )
    if transport.meeting_point is not None:
        line += "\n      🧭 " + esc(transport.meeting_point.get(current_locale()))
    if transport.status == "cancelled":
        cancelled = _("(cancelled)")
        line = f"<s>{line}</s> {esc(cancelled)}"
    return line


def departure_card(transport: Transport, forum: Forum, *, with_day: bool = False) -> str:
    """Everything a rider needs: when, from where, where to meet, to where, which car."""
    tz = forum.timezone
    when = hhmm(transport.departs, tz)
    if with_day:
        when = f"{day_label(transport.departs, tz)}, {when}"
    if transport.arrives is not None:
        when += f" → {hhmm(transport.arrives, tz)}"
    lines = [
        f"{icon(transport)} {bold(esc(kind_label(transport.kind)))}  {bold(esc(when))}",
        "🅰️ " + fmt(_("From: {place}"), place=venue_name(forum, transport.origin)),
    ]
    if transport.meeting_point is not None:
        meet = transport.meeting_point.get(current_locale())
        lines.append("🧭 " + fmt(_("Meeting point: {place}"), place=meet))
    lines.append("🅱️ " + fmt(_("To: {place}"), place=venue_name(forum, transport.destination)))
    if transport.vehicle:
        lines.append("🚘 " + esc(transport.vehicle))
    if transport.driver:
        lines.append("🧑‍✈️ " + fmt(_("Driver: {name}"), name=transport.driver))
    if transport.phone:
        lines.append("📞 " + esc(transport.phone))
    if transport.status == "cancelled":
        lines.insert(1, "❌ " + bold(esc(_("Cancelled"))))
    return "\n".join(lines)


def _map_button(keyboard: Keyboard, transport: Transport, forum: Forum) -> bool:
    venue = forum.venue(transport.origin)
    if venue is None or not venue.has_location:
        return False
    label = f"📍 {hhmm(transport.departs, forum.timezone)} {venue.name}"
    keyboard.button(text=label[:60], callback_data=VenueCb(id=venue.id))
    return True


def transport_board(
    forum: Forum, board: NextDepartures
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/transport: the rest of today, then the next day, each with the meeting point's pin."""
    if board.is_empty:
        return esc(_("No more departures for you in the programme.")), None
    parts = [bold(esc(_("Your transport")))]
    keyboard = Keyboard()
    pins = 0
    if board.today:
        parts.append("🗓 " + bold(esc(_("Today"))))
        for t in board.today:
            parts.append(departure_card(t, forum))
            pins += _map_button(keyboard, t, forum)
    if board.later and board.later_day is not None:
        parts.append("🗓 " + bold(esc(day_label(board.later_day))))
        for t in board.later:
            parts.append(departure_card(t, forum))
            pins += _map_button(keyboard, t, forum)
    parts.append(italic(fmt(_("Times are {city} time."), city=forum.city)))
    return "\n\n".join(parts), keyboard.adjust(1).as_markup() if pins else None


def next_departure_text(transport: Transport, forum: Forum, now: datetime) -> str:
    """/next when a departure comes first."""
    return "\n".join(
        [
            bold(esc(_("Your next departure"))),
            departure_card(transport, forum, with_day=True),
            "⏳ " + fmt(_("Leaves in {duration}"), duration=duration(transport.departs - now)),
        ]
    )


def departure_keyboard(
    transport: Transport, forum: Forum, *, late_button: bool
) -> InlineKeyboardMarkup | None:
    keyboard = Keyboard()
    rows = 0
    if _map_button(keyboard, transport, forum):
        rows += 1
    if late_button and transport.is_active:
        keyboard.button(text="🏃 " + _("I'm running late"), callback_data=LateCb(id=transport.id))
        rows += 1
    return keyboard.adjust(1).as_markup() if rows else None


def event_transport_lines(transports: Sequence[Transport], forum: Forum) -> list[str]:
    """On an event's card: what takes this delegate there."""
    tz = forum.timezone
    lines = []
    for t in transports:
        text = fmt(
            _("{kind} at {time} from {place}"),
            kind=kind_label(t.kind),
            time=hhmm(t.departs, tz),
            place=t.meeting_point.get(current_locale())
            if t.meeting_point
            else venue_name(forum, t.origin),
        )
        lines.append(f"{icon(t)} {text}")
    return lines


# ---------------------------------------------------------------- pushes


def reminder_text(transport: Transport, forum: Forum, now: datetime) -> str:
    """The departure reminder: leaves in N minutes, where to meet, which vehicle."""
    head = fmt(
        _("{kind} leaves at {time}, in {duration}"),
        kind=kind_label(transport.kind),
        time=hhmm(transport.departs, forum.timezone),
        duration=duration(transport.departs - now),
    )
    return f"⏰ {bold(head)}\n{departure_card(transport, forum)}"


def notice_text(facts: DepartureNoticeFacts, transport: Transport, forum: Forum) -> str:
    """'Departure moved: now 09:30, was 09:00', cancelled, back on, or a new meeting point."""
    tz = forum.timezone
    name = f"{kind_label(transport.kind)}: {route(transport, forum)}"
    before_on = facts.before_status == "scheduled"
    after_on = facts.after_status == "scheduled"
    if before_on and not after_on:
        head = fmt(
            _("Departure cancelled: {name}, {time}"),
            name=name,
            time=f"{day_label(facts.before_departs, tz)}, {hhmm(facts.before_departs, tz)}",
        )
        return "❌ " + bold(head)
    lines = []
    if not before_on:
        lines.append("✅ " + bold(fmt(_("Departure back in the programme: {name}"), name=name)))
    elif facts.moved:
        lines.append(
            "🔁 "
            + bold(
                fmt(
                    _("Departure moved: {name} now leaves at {new}, was {old}"),
                    name=name,
                    new=hhmm(facts.after_departs, tz),
                    old=hhmm(facts.before_departs, tz),
                )
            )
        )
    if facts.new_place:
        lines.append("🧭 " + bold(esc(_("New meeting point."))))
    lines.append(departure_card(transport, forum, with_day=True))
    return "\n".join(lines)


def late_alert_text(delegate: Delegate, transport: Transport, forum: Forum, at: datetime) -> str:
    """To protocol staff and organisers: who is late, for which departure, pressed when."""
    tz = forum.timezone
    who = delegate.name + (f" ({delegate.position})" if delegate.position else "")
    return "\n".join(
        [
            "🏃 " + bold(fmt(_("Running late: {name}"), name=who)),
            fmt(
                _("For: {kind} at {time}, {route}"),
                kind=kind_label(transport.kind),
                time=hhmm(transport.departs, tz),
                route=route(transport, forum),
            ),
            fmt(_("Pressed at {time}."), time=hhmm(at, tz)),
        ]
    )


def late_answer(verdict: LateVerdict) -> str:
    """The pop-up after pressing "I'm running late" (plain text: callback answers)."""
    return {
        "alert": _("The protocol officer and the organisers have been told. Hurry up!"),
        "again": _("They already know you are running late."),
        "left": _("This departure has left."),
        "cancelled": _("This departure is cancelled."),
        "not_yours": _("This departure is not in your programme."),
    }[verdict]
