"""What reminders, morning briefings and change notices say, and their buttons.

Rendered in the recipient's language: callers set the locale (``i18n.use_locale``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views import agreements
from bot.views import programme as views
from bot.views.callbacks import CheckInCb, RsvpCb, VenueCb
from bot.views.keyboard import Keyboard
from bot.views.logistics import departure_line
from bot.views.texts import bold, current_locale, day_label, duration, esc, fmt, hhmm, italic
from schedule.attendance import check_in_open, rsvp_open
from schedule.model import Delegate, Event, Forum, Transport
from schedule.reminders import NoticeFacts
from schedule.transport import merged_agenda


def reminder_text(
    event: Event, forum: Forum, now: datetime, reader: Delegate | None = None
) -> str:
    """A reminder; a signatory's also says that they sign, and the copies to bring."""
    tz = forum.timezone
    lines = [
        "⏰ " + bold(views.title(event)),
        "🕘 "
        + fmt(
            _("Starts at {time}, in {duration}"),
            time=hhmm(event.starts, tz),
            duration=duration(event.starts - now),
        ),
    ]
    venue = views.venue_line(event, forum)
    if venue:
        lines.append("📍 " + venue)
    lines.extend(views.protocol_lines(event, forum, now))
    lines.extend(agreements.signatory_lines(event, forum, reader.code if reader else None))
    return "\n".join(lines)


def reminder_keyboard(
    event: Event, forum: Forum, now: datetime, *, first: bool
) -> InlineKeyboardMarkup | None:
    """The venue pin; check-in once it is open; RSVP on the delegate's first reminder."""
    builder = Keyboard()
    rows: list[int] = []
    venue = forum.venue(event.venue)
    if venue is not None and venue.has_location:
        builder.button(text="📍 " + _("Show on map"), callback_data=VenueCb(id=venue.id))
        rows.append(1)
    if check_in_open(event, now):
        builder.button(text="✅ " + _("Check in"), callback_data=CheckInCb(event=event.id))
        rows.append(1)
    if first and rsvp_open(event, now):
        builder.button(
            text="👍 " + _("I will attend"), callback_data=RsvpCb(event=event.id, answer="y")
        )
        builder.button(
            text="🙅 " + _("I cannot attend"), callback_data=RsvpCb(event=event.id, answer="n")
        )
        rows.append(2)
    if not rows:
        return None
    builder.adjust(*rows)
    return builder.as_markup()


BRIEFING_LIMIT = 4000  # Telegram allows 4096 characters; the briefing is one message


def briefing_text(
    forum: Forum, day: date, events: list[Event], departures: Sequence[Transport] = ()
) -> str:
    """The day's agenda in one message, departures among the events: a long day loses its
    protocol lines first, then its last items, named by count and pointing to /schedule."""
    head = "☀️ " + bold(fmt(_("Good morning! Your programme for {day}"), day=day_label(day)))
    foot = italic(fmt(_("Times are {city} time."), city=forum.city))
    items = merged_agenda(events, departures)
    lines = [
        views.event_line(i.event, forum) if i.event else departure_line(i.transport, forum)  # type: ignore[arg-type]
        for i in items
    ]
    full = []
    for line, item in zip(lines, items, strict=True):
        protocol = views.protocol_lines(item.event, forum) if item.event else []
        full.append(line + "".join("\n      " + p for p in protocol))
    text = "\n\n".join([head, *full, foot])
    if len(text) <= BRIEFING_LIMIT:
        return text
    text = "\n\n".join([head, *lines, foot])
    shown = len(lines)
    while len(text) > BRIEFING_LIMIT and shown > 0:
        shown -= 1
        more = f"… +{len(lines) - shown} → /schedule"  # no words: every language reads it
        text = "\n\n".join([head, *lines[:shown], more, foot])
    return text


def _when(moment: datetime, forum: Forum, *, with_day: bool) -> str:
    time = hhmm(moment, forum.timezone)
    return f"{day_label(moment, forum.timezone)}, {time}" if with_day else time


def notice_text(facts: NoticeFacts, event: Event, forum: Forum) -> str:
    """'Moved: X now 15:30, was 14:00', 'Cancelled: X', a new place, or back on."""
    name = event.title.get(current_locale())
    tz = forum.timezone
    active_before = facts.before_status == "scheduled"
    active_after = facts.after_status == "scheduled"
    other_day = (
        facts.before_starts.astimezone(tz).date() != facts.after_starts.astimezone(tz).date()
    )
    if active_before and not active_after:
        return "\n".join(
            [
                "❌ " + bold(fmt(_("Cancelled: {title}"), title=name)),
                fmt(
                    _("It was planned for {when}."),
                    when=_when(facts.before_starts, forum, with_day=True),
                ),
            ]
        )
    lines: list[str] = []
    if not active_before:
        lines.append(
            "✅ "
            + bold(
                fmt(
                    _("Back in the programme: {title}, {when}"),
                    title=name,
                    when=_when(facts.after_starts, forum, with_day=True),
                )
            )
        )
    elif facts.moved:
        lines.append(
            "🔁 "
            + bold(
                fmt(
                    _("Moved: {title} now {new}, was {old}"),
                    title=name,
                    new=_when(facts.after_starts, forum, with_day=other_day),
                    old=_when(facts.before_starts, forum, with_day=other_day),
                )
            )
        )
    if facts.new_venue:
        new = forum.venue(facts.after_venue)
        old = forum.venue(facts.before_venue)
        lines.append(
            "📍 "
            + fmt(
                _("New place for {title}: {venue}, was {old}"),
                title=name,
                venue=new.name if new else _("to be announced"),
                old=old.name if old else _("to be announced"),
            )
        )
        if new is not None and new.address:
            lines.append(esc(new.address))
    return "\n".join(lines)


def notice_keyboard(event: Event, forum: Forum) -> InlineKeyboardMarkup | None:
    venue = forum.venue(event.venue)
    if not event.is_active or venue is None or not venue.has_location:
        return None
    builder = Keyboard()
    builder.button(text="📍 " + _("Show on map"), callback_data=VenueCb(id=venue.id))
    return builder.as_markup()
