"""The command line: run the bot, the offline demo, import a forum file, check the
configuration, back up the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from bot.redaction import install as install_redaction
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")

NO_TOKEN = (
    "BOT_TOKEN is not set. Copy .env.example to .env and put the token from @BotFather in it,\n"
    "or try the bot offline, with no token and no network: python -m bot demo"
)
NO_FORUM_FILE = (
    "FORUM_FILE is not set. Write your forum's file (see README, 'The forum file'), check it\n"
    "with python -m bot import FILE and set FORUM_FILE to it. The bundled sample is not\n"
    "served by a real bot: its invitation codes are public. To try the bot with the sample,\n"
    "run python -m bot demo"
)


def _configure_logging(level: str, token: str | None) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # One line per webhook request is the proxy's job (and would log every update).
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: invitation codes,
    # names, Telegram ids. The bot's own DEBUG lines say what it does without them.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLevelName(level)))
    install_redaction(token)


async def run_import(settings: Settings, path: Path) -> int:
    from db.connection import DatabaseUnavailable, open_db
    from schedule.clock import utc_now
    from schedule.forum_file import ForumFileError
    from schedule.services.importing import import_forum_text

    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read the file: {error}")
        return 1
    try:
        db = await open_db(settings.database_path)
    except DatabaseUnavailable as error:
        print(f"Nothing was imported: {error}")
        return 1
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


def run_backup(settings: Settings, target: Path, *, force: bool) -> int:
    from db.files import BackupError, backup

    try:
        rows = backup(settings.database_path, target, force=force)
    except BackupError as error:
        print(f"No backup made: {error}", file=sys.stderr)
        return 1
    print(f"Backed up {settings.database_path} to {target}")
    for table in ("event", "delegate", "delivery", "attendance", "broadcast"):
        if table in rows:
            print(f"  {table:<10} {rows[table]:>7} rows")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="an offline chat with the real bot in this terminal")
    importer = sub.add_parser("import", help="validate a forum file and import it")
    importer.add_argument("file", type=Path)
    checker = sub.add_parser(
        "check", help="check the configuration, FORUM_FILE and the token; writes nothing"
    )
    checker.add_argument("--offline", action="store_true", help="do not call getMe")
    backup = sub.add_parser("backup", help="a consistent copy of the database, while it runs")
    backup.add_argument("file", type=Path)
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    args = parser.parse_args(argv)

    # The .env of the working folder (a bare load_dotenv() searches upwards from this
    # module's file instead); the real environment wins over it.
    load_dotenv(Path.cwd() / ".env", override=False)
    if args.command == "check":
        from bot.check import run_check

        # Before the settings are loaded: every problem is listed, not only the first.
        return asyncio.run(run_check(os.environ, offline=args.offline))
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level, settings.bot_token)

    if args.command == "demo":
        from bot.demo.run import run_demo

        try:
            return asyncio.run(run_demo(settings))
        except KeyboardInterrupt:  # Ctrl-C: the demo closed what it opened on the way out
            return 0
    if args.command == "import":
        return asyncio.run(run_import(settings, args.file))
    if args.command == "backup":
        return run_backup(settings, args.file, force=args.force)
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if settings.forum_file is None:
        print(NO_FORUM_FILE, file=sys.stderr)
        return 2
    from bot.serve import serve

    try:
        return asyncio.run(serve(settings))
    except KeyboardInterrupt:
        return 0
