"""The command line: run the bot, the offline demo, or import a forum file."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from dotenv import load_dotenv

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")
# Updates handled at once; one getUpdates answer holds at most 100.
POLLING_CONCURRENCY = 100

NO_TOKEN = (
    "BOT_TOKEN is not set. Copy .env.example to .env and put the token from @BotFather in it,\n"
    "or try the bot offline, with no token and no network: python -m bot demo"
)


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))


async def run_polling(settings: Settings) -> int:
    from bot.app import StartupError, create_app

    try:
        app = await create_app(settings)
    except StartupError as error:
        log.error("%s", error)
        return 1
    try:
        await app.dispatcher.start_polling(
            app.bot,
            handle_signals=True,
            close_bot_session=False,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            # aiogram keeps polling while handlers run: in a burst (a whole delegation
            # pressing a button) thousands would be in flight at once, each holding its
            # update and rendering; RSS rose 75 MiB for 1,000 updates (BENCHMARKS.md).
            tasks_concurrency_limit=POLLING_CONCURRENCY,
        )
    except StartupError as error:
        log.error("%s", error)
        await app.stop()  # the start may have got as far as the scheduler and the sender
        return 1
    finally:
        await app.close()
    return 0


async def run_import(settings: Settings, path: Path) -> int:
    from db.connection import open_db
    from schedule.clock import utc_now
    from schedule.forum_file import ForumFileError
    from schedule.services.importing import import_forum_text

    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read the file: {error}")
        return 1
    db = await open_db(settings.database_path)
    try:
        report = await import_forum_text(db, text, str(path), utc_now())
    except ForumFileError as error:
        print(f"{path} is not valid; nothing was imported:\n{error}")
        return 1
    finally:
        await db.close()
    print(f"Imported {path} into {settings.database_path}")
    if report.is_empty:
        print("Nothing changed.")
    for event_id in report.added:
        print(f"  added    {event_id}")
    for change in report.changed:
        what = ", ".join(sorted(change.fields))
        print(f"  changed  {change.after.id} ({what})")
    for event_id in report.removed:
        print(f"  removed  {event_id}")
    print(
        f"Delegates: {report.delegates_added} added, {report.delegates_changed} changed, "
        f"{report.delegates_removed} removed."
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="an offline chat with the real bot in this terminal")
    importer = sub.add_parser("import", help="validate a forum file and import it")
    importer.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    # The .env of the working folder (a bare load_dotenv() searches upwards from this
    # module's file instead); the real environment wins over it.
    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)

    if args.command == "demo":
        from bot.demo.run import run_demo

        try:
            return asyncio.run(run_demo(settings))
        except KeyboardInterrupt:  # Ctrl-C: the demo closed what it opened on the way out
            return 0
    if args.command == "import":
        return asyncio.run(run_import(settings, args.file))
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        return asyncio.run(run_polling(settings))
    except KeyboardInterrupt:
        return 0
