"""``python -m bot demo``: an offline chat with the real bot in this terminal.

The same application as ``python -m bot`` (dispatcher, handlers, database, scheduler), with a
session that prints what the bot would send instead of calling Telegram. The forum file is
moved so that it starts today and an event with a reminder starts a few minutes from now,
and the person at the keyboard is both a delegate and an organiser.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from aiogram.types import CallbackQuery, Chat, Message, MessageEntity, Update

from bot.app import App, StartupError, create_app
from bot.delivery.budget import Budget
from bot.demo.rehearsal import (
    ANCHOR_IN,
    DEMO_REMINDER,
    DEMO_TRANSPORT_REMINDER,
    DEMO_USER,
    Rehearsal,
    demo_settings,
    prepare_database,
    rehearsal_forum,
)
from bot.demo.session import DemoSession
from bot.settings import Settings
from db.delegates import by_telegram_id
from schedule.clock import utc_now
from schedule.forum_file import SAMPLE_FORUM_PATH, ForumFileError

log = logging.getLogger(__name__)

PROMPT = "you: "
TRY = (
    "/schedule /next /my /transport /contacts /calendar /language /checkin /agreements "
    "/attendance /broadcast /move /report /stats /delegates /help"
)


class Terminal:
    """Turns typed lines into Telegram updates from the demo user."""

    def __init__(self, app: App, session: DemoSession) -> None:
        self.app = app
        self.session = session
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    async def feed(self, update: Update) -> None:
        await self.app.dispatcher.feed_update(self.app.bot, update)

    async def say(self, text: str) -> None:
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(tz=UTC),
            chat=Chat(id=DEMO_USER.id, type="private"),
            from_user=DEMO_USER,
            text=text,
            entities=entities,
        )
        await self.feed(Update(update_id=next(self._update_ids), message=message))

    async def press(self, number: int) -> None:
        button = self.session.buttons.get(number)
        if button is None:
            self.session.note(f"(there is no button [{number}] on screen)")
            return
        if button.callback_data is None:
            self.session.note(f"(a link: {button.url})")
            return
        query = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=DEMO_USER,
            chat_instance=str(DEMO_USER.id),
            message=button.message,
            data=button.callback_data,
        )
        await self.feed(Update(update_id=next(self._update_ids), callback_query=query))

    async def handle(self, line: str) -> None:
        self.session.new_round()
        if line.isdigit():
            await self.press(int(line))
        else:
            await self.say(line)


def _read_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Blocking reads in a daemon thread, so reminders print while the person thinks and
    Ctrl-C never waits for a line."""
    try:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
    except (OSError, ValueError):  # stdin closed under us
        pass
    loop.call_soon_threadsafe(queue.put_nowait, None)


def banner(rehearsal: Rehearsal, folder: Path) -> str:
    forum = rehearsal.forum
    tz = forum.timezone
    lines = [
        "Offline demo of the delegation bot: the real bot, no token, no network.",
        f"You are {DEMO_USER.full_name} (Telegram id {DEMO_USER.id}): "
        "a delegate and an organiser of the forum.",
        f"The forum file ({forum.name}) is moved so that it starts today, "
        f"{datetime.now(tz=tz):%d %B %Y} ({tz.key}).",
    ]
    if rehearsal.anchor is not None:
        starts = rehearsal.anchor.starts.astimezone(tz)
        lines.append(
            f"“{rehearsal.anchor.title.get('en')}” starts at {starts:%H:%M} "
            f"(in {int(ANCHOR_IN.total_seconds() // 60)} minutes); "
            f"a reminder comes {DEMO_REMINDER:g} minutes before it."
        )
    if rehearsal.departure is not None:
        departs = rehearsal.departure.departs.astimezone(tz)
        lines.append(
            f"Your {rehearsal.departure.kind} to it leaves at {departs:%H:%M}; its reminder, "
            f"with an “I'm running late” button, comes {DEMO_TRANSPORT_REMINDER:g} minutes "
            "before. Today's morning briefing is pinned in the chat and follows /move."
        )
    lines += [
        f"Try: {TRY}",
        "Type a number to press the button shown as [number]. "
        "Files the bot sends are saved in " + str(folder.resolve()) + ".",
        "quit or Ctrl-D leaves.",
        "",
    ]
    return "\n".join(lines)


async def run_demo(settings: Settings, *, out: TextIO | None = None) -> int:
    """Run the chat until ``quit`` or the end of input; returns the exit status."""
    out = out or sys.stdout
    # The log would drown the conversation; warnings and errors still show.
    if logging.getLogger().level < logging.WARNING:
        logging.getLogger().setLevel(logging.WARNING)
    folder = Path(settings.database_path).parent / "demo"
    now = utc_now()
    path = settings.forum_file or SAMPLE_FORUM_PATH
    try:
        text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
        rehearsal = rehearsal_forum(text, str(path), now)
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read the forum file: {error}", file=sys.stderr)
        return 1
    except ForumFileError as error:
        print(f"{path} is not valid:\n{error}", file=sys.stderr)
        return 1
    local = demo_settings(settings, folder)
    await prepare_database(local, rehearsal, now)
    session = DemoSession(folder, user_id=DEMO_USER.id, out=out)
    try:
        # A terminal has no flood control: the demo answers at once.
        app = await create_app(local, session=session, budget=Budget.unlimited())
    except StartupError as error:
        print(f"The demo cannot start: {error}", file=sys.stderr)
        return 1
    dispatcher = app.dispatcher
    context = {"bots": [app.bot], "dispatcher": dispatcher, **dispatcher.workflow_data}
    started = False
    try:
        try:
            await dispatcher.emit_startup(bot=app.bot, **context)
        except StartupError as error:
            print(f"The demo cannot start: {error}", file=sys.stderr)
            return 1
        started = True
        print(banner(rehearsal, folder), file=out, flush=True)
        await _converse(app, session, rehearsal, out)
    finally:
        if started:
            await dispatcher.emit_shutdown(bot=app.bot, **context)
        await app.close()
    print("Bye.", file=out, flush=True)
    return 0


async def _converse(app: App, session: DemoSession, rehearsal: Rehearsal, out: TextIO) -> None:
    """The person's lines, in turn, until ``quit`` or the end of input."""
    terminal = Terminal(app, session)
    echo = not sys.stdin.isatty()
    if rehearsal.code is not None:
        await _typed(terminal, f"/start {rehearsal.code}", out, echo=True)
        await _pin_the_day(app, rehearsal)
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_lines, args=(loop, lines), daemon=True).start()
    while True:
        if not echo:
            print(PROMPT, end="", file=out, flush=True)
            session.prompt = PROMPT
        line = await lines.get()
        session.prompt = ""
        if line is None:
            if not echo:
                print(file=out)  # Ctrl-D leaves the cursor after the prompt
            break
        line = line.strip()
        if line.lower() in ("quit", "exit", "q"):
            break
        if line:
            await _typed(terminal, line, out, echo=echo)


async def _pin_the_day(app: App, rehearsal: Rehearsal) -> None:
    """Today's briefing, pinned, whatever the hour (the bot itself sends it at 08:00)."""
    person = await by_telegram_id(app.db, DEMO_USER.id)
    if person is not None:
        today = utc_now().astimezone(rehearsal.forum.timezone).date()
        await app.services.notifier.brief_now(person, today)


async def _typed(terminal: Terminal, line: str, out: TextIO, *, echo: bool) -> None:
    if echo:
        print(f"you: {line}", file=out, flush=True)
    await terminal.handle(line)
