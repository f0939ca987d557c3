"""``python -m bot check [--offline]``: would ``python -m bot`` start with this setup?

It reads the configuration and FORUM_FILE as a start does, lists every problem of both,
looks at the database without writing (not even creating it), asks the Bot API who the
token belongs to (unless ``--offline``) and exits 0 or 1 with a summary.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings
from db.files import inspect, known_schema
from db.forum import forum_hash
from schedule.forum_file import ForumFileError, parse_forum

Say = Callable[[str], None]


async def run_check(env: Mapping[str, str], *, offline: bool, say: Say = print) -> int:
    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = load_settings(env)
    except SettingsError as error:
        problems.extend(error.problems)
    if not (env.get("BOT_TOKEN") or "").strip():
        problems.append("BOT_TOKEN: not set; `python -m bot` needs the token from @BotFather")
    _section(say, "configuration", problems, "fine")

    forum_file = settings.forum_file if settings else _forum_file(env)
    if forum_file is None:
        text, file_problems = None, [
            "FORUM_FILE: not set; `python -m bot` does not serve the bundled sample, whose "
            "invitation codes are public (python -m bot demo does)"
        ]
    else:
        text, file_problems = await asyncio.to_thread(_check_forum_file, forum_file)
    problems.extend(file_problems)
    if forum_file is not None and text is not None and not file_problems:
        forum = parse_forum(text, str(forum_file))
        counts = (
            (forum.events, "event"), (forum.venues, "venue"), (forum.groups, "group"),
            (forum.delegates, "delegate"),
        )  # fmt: skip
        summary = "valid: " + ", ".join(_count(len(items), noun) for items, noun in counts)
    else:
        summary = ""
    _section(say, f"forum file {forum_file or ''}".strip(), file_problems, summary)

    if settings is not None:
        db_problems, note = await asyncio.to_thread(_check_database, settings.database_path, text)
        problems.extend(db_problems)
        _section(say, f"database {settings.database_path}", db_problems, note)
        say(f"mode: {_mode(settings)}")
        if offline:
            say("Bot API: not asked (--offline)")
        elif settings.bot_token is not None:
            api_problem, who = await _ask_bot_api(settings)
            if api_problem is not None:
                problems.append(api_problem)
            _section(say, "Bot API", [api_problem] if api_problem else [], who)

    if problems:
        found = _count(len(problems), "problem")
        say(f"FAILED: {found}; `python -m bot` would not start as it should.")
        return 1
    say("OK: `python -m bot` can start with this configuration.")
    return 0


def _section(say: Say, title: str, problems: list[str], fine: str) -> None:
    if not problems:
        say(f"{title}: {fine}" if fine else title)
        return
    say(f"{title}: {_count(len(problems), 'problem')}")
    for problem in problems:
        for line in problem.splitlines():
            say(f"  {line}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _forum_file(env: Mapping[str, str]) -> Path | None:
    raw = (env.get("FORUM_FILE") or "").strip()
    return Path(raw) if raw else None


def _check_forum_file(path: Path) -> tuple[str | None, list[str]]:
    """The text and every problem of the file, as the import at start reads it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [f"{path}: cannot read the file: {error}"]
    try:
        parse_forum(text, str(path))
    except ForumFileError as error:
        return text, error.errors
    return text, []


def _check_database(path: Path, forum_text: str | None) -> tuple[list[str], str]:
    if not path.exists():
        folder = next((p for p in path.absolute().parents if p.exists()), Path("/"))
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return [f"DATABASE_PATH: {path} cannot be created ({folder} is not writable)"], ""
        return [], "not there yet; the start creates it and imports the forum file"
    if not path.is_file():
        return [f"DATABASE_PATH: {path} is not a file"], ""
    if not os.access(path, os.R_OK | os.W_OK):
        return [f"DATABASE_PATH: {path} is not readable and writable by this user"], ""
    try:
        facts = inspect(path)
    except sqlite3.Error as error:
        return [f"DATABASE_PATH: {path} is not a usable SQLite database: {error}"], ""
    if facts.schema_version > known_schema():
        return [
            f"DATABASE_PATH: {path} has schema {facts.schema_version}, newer than this "
            f"version of the bot knows ({known_schema()})"
        ], ""
    note = f"schema {facts.schema_version}, {facts.size:,} bytes"
    if forum_text is not None:
        if facts.forum_hash == forum_hash(forum_text):
            note += "; the forum file is the one imported last"
        else:
            note += "; the forum file differs from the last import and is imported at start"
    return [], note


def _mode(settings: Settings) -> str:
    if settings.webhook_url is None:
        health = f", /healthz on {settings.health_listen}" if settings.health_listen else ""
        return f"long polling (any webhook is deleted at start){health}"
    url = settings.webhook_url.split("?", 1)[0]
    return f"webhook: Telegram calls {url}, served on {settings.webhook_listen}"


async def _ask_bot_api(settings: Settings) -> tuple[str | None, str]:
    from bot.app import StartupError, check_bot_api, create_bot

    bot = create_bot(settings)
    try:
        me = await check_bot_api(bot, settings)
    except StartupError as error:
        return str(error), ""
    finally:
        await bot.session.close()
    return None, f"the token belongs to @{me.username}"
