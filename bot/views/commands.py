"""The one command catalogue: the menus, /help and the fallback all read it.

Each entry is (command, its arguments as /help shows them, the menu's description, the
phrase /help shows after the dash), texts marked for translation and translated when
shown, in the reader's language; /language lists the languages each in its own name.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.utils.i18n import gettext as _

from bot.views.languages import ALL_LANGUAGES
from bot.views.texts import esc


def N_(text: str) -> str:
    """Marks a text for extraction into the catalogues; translated later with a locale."""
    return text


DESCRIPTION = N_(
    "The programme, reminders and attendance of an official delegation at a forum. "
    "Open the personal invitation link from the organisers to start."
)
DELEGATE_COMMANDS = (
    ("schedule", "", N_("Today's programme"), N_("today's programme")),
    ("next", "", N_("What is next for you"), N_("what is next for you")),
    ("my", "", N_("Your agenda for the whole forum"), N_("your agenda for the whole forum")),
    ("calendar", "", N_("Your agenda as a calendar file"), N_("your agenda as a calendar file")),
    (
        "transport",
        "",
        N_("Your next cars and buses"),
        N_("your next cars and buses, and where to meet"),
    ),
    ("contacts", "", N_("Whom to call"), N_("whom to call: protocol, interpreter, drivers")),
    (
        "checkin",
        "",
        N_("Check in to the event that is starting"),
        N_("check in to the event that is starting"),
    ),
    ("reminders", "", N_("Reminders on or off, and when"), N_("reminders on or off, and when")),
    ("language", "", N_("Language"), ALL_LANGUAGES),
    ("agreements", "", N_("Agreements of the visit"), N_("the agreements of the visit")),
    ("help", "", N_("What the bot can do"), N_("this list")),
)
ORGANISER_COMMANDS = (
    (
        "broadcast",
        "[GROUP]",
        N_("Send a message to the delegation"),
        N_("send a message to the delegation"),
    ),
    ("move", "EVENT HH:MM", N_("Move an event"), N_("move an event")),
    ("cancel", "EVENT", N_("Cancel an event"), N_("cancel an event")),
    ("import", "", N_("Import a forum file"), N_("import a forum file (attach it)")),
    ("attendance", "[EVENT]", N_("Roll-call of an event"), N_("roll-call of an event")),
    ("export", "[EVENT]", N_("Attendance as a CSV file"), N_("attendance as a CSV file")),
    (
        "delegates",
        "",
        N_("Delegates and invitation links"),
        N_("delegates and their invitation links"),
    ),
    ("invite", "NAME [GROUP]", N_("Invite a new delegate"), N_("invite a new delegate")),
    ("stats", "", N_("Who uses the bot"), N_("who uses the bot")),
    ("log", "", N_("The last organiser actions"), N_("the last organiser actions")),
    (
        "report",
        "",
        N_("The visit report and the register of agreements"),
        N_("the visit report and the register of agreements, as files"),
    ),
)


Entry = tuple[str, str, str, str]
ORGANISER_ONLY = frozenset(entry[0] for entry in ORGANISER_COMMANDS)


def menu(entries: tuple[Entry, ...], translate: Callable[[str], str]) -> list[tuple[str, str]]:
    """(command, translated description) pairs for a menu."""
    return [(name, translate(description)) for name, _usage, description, _help in entries]


def help_lines(entries: tuple[Entry, ...]) -> str:
    """The commands as /help lists them, in the current language."""
    lines = []
    for name, usage, _description, phrase in entries:
        command = f"/{name} {usage}" if usage else f"/{name}"
        said = phrase if phrase == ALL_LANGUAGES else _(phrase)  # names stay as they are
        lines.append(f"{esc(command)} — {esc(said)}")
    return "\n".join(lines)
