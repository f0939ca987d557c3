"""The command line as a newcomer and an organiser meet it: the demo, the import, bad config."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.dates import format_date

from bot.app import StartupError, create_app
from bot.demo.session import DemoSession, human_size, map_link, render_html
from bot.settings import load_settings
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.support.process import bot_env, run_bot
from tests.support.recording import RecordingSession

DUSHANBE = ZoneInfo("Asia/Dushanbe")


def _events(db_path: Path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT id, starts_at FROM event"))


# ------------------------------------------------------------------- python -m bot


def test_without_token_exits_2_with_one_clear_message(tmp_path: Path) -> None:
    result = run_bot(cwd=tmp_path, env=bot_env(DATABASE_PATH=str(tmp_path / "db.sqlite3")))
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert ".env.example" in result.stderr
    assert "python -m bot demo" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "db.sqlite3").exists()  # it stopped before opening anything


def test_without_forum_file_a_real_bot_refuses_the_public_sample(tmp_path: Path) -> None:
    """The bundled sample's codes are printed in the README: a bot with a token never
    falls back to it (issue 15, finding 3); the demo still uses it."""
    env = bot_env(BOT_TOKEN="123456:TEST-token", DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    result = run_bot(cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "FORUM_FILE is not set" in result.stderr
    assert "python -m bot demo" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before opening anything


async def test_create_app_without_forum_file_is_a_startup_error(tmp_path: Path) -> None:
    settings = load_settings(
        {"BOT_TOKEN": "123456:TEST-token", "DATABASE_PATH": str(tmp_path / "db.sqlite3")}
    )
    with pytest.raises(StartupError, match="FORUM_FILE is not set"):
        await create_app(settings, session=RecordingSession())


def test_malformed_admin_ids_exits_2_naming_it(tmp_path: Path) -> None:
    env = bot_env(BOT_TOKEN="123456:TEST-token", ADMIN_IDS="abc")
    result = run_bot(cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr and "'abc'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_subcommand_is_a_usage_error(tmp_path: Path) -> None:
    result = run_bot("dance", cwd=tmp_path, env=bot_env())
    assert result.returncode == 2
    assert "usage" in result.stderr.lower() and "Traceback" not in result.stderr


# ------------------------------------------------------------------- python -m bot import


def test_import_prints_what_changed_and_is_idempotent(tmp_path: Path) -> None:
    db_path = tmp_path / "forum.sqlite3"
    env = bot_env(DATABASE_PATH=str(db_path))
    first = run_bot("import", str(SAMPLE_FORUM_PATH), cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert re.search(r"added\s+mou-tut", first.stdout)
    assert re.search(r"added\s+opening-plenary", first.stdout)
    assert "Delegates: 6 added" in first.stdout
    assert len(_events(db_path)) == 8

    again = run_bot("import", str(SAMPLE_FORUM_PATH), cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert "Nothing changed." in again.stdout
    assert "added" not in again.stdout.replace("0 added", "")

    changed_file = tmp_path / "forum.toml"
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    text = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:00:00", 1)
    changed_file.write_text(text, encoding="utf-8")
    moved = run_bot("import", str(changed_file), cwd=tmp_path, env=env)
    assert moved.returncode == 0, moved.stderr
    assert re.search(r"changed\s+mou-tut \(starts\)", moved.stdout)
    assert _events(db_path)["mou-tut"].startswith("2023-09-14T09:00")


def test_import_of_an_invalid_file_names_the_problem_and_imports_nothing(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "forum.sqlite3"
    env = bot_env(DATABASE_PATH=str(db_path))
    assert run_bot("import", str(SAMPLE_FORUM_PATH), cwd=tmp_path, env=env).returncode == 0
    before = _events(db_path)

    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    # A valid change (a new time) and an invalid one (an unknown venue) in the same file.
    text = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T13:00:00", 1)
    text = text.replace('venue = "ips"', 'venue = "atlantis"', 1)
    bad = tmp_path / "bad forum.toml"
    bad.write_text(text, encoding="utf-8")
    result = run_bot("import", str(bad), cwd=tmp_path, env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert str(bad) in output
    assert 'event "agreement-ips"' in output and 'field "venue"' in output
    assert "atlantis" in output
    assert "Traceback" not in output
    assert _events(db_path) == before  # the good change was not taken either


def test_import_of_a_missing_file(tmp_path: Path) -> None:
    env = bot_env(DATABASE_PATH=str(tmp_path / "forum.sqlite3"))
    result = run_bot("import", str(tmp_path / "nope.toml"), cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert "nope.toml" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------- python -m bot demo


def _day_labels() -> set[str]:
    """Today in Dushanbe (or the day of the anchor event, a few minutes from now)."""
    now = datetime.now(tz=UTC)
    days = {(now + timedelta(minutes=m)).astimezone(DUSHANBE).date() for m in (0, 7)}
    return {format_date(d, "EEEE, d MMMM", locale="en") for d in days}


def test_demo_is_a_chat_with_the_real_bot(tmp_path: Path) -> None:
    script = "/schedule\n1\n/language\n2\n/schedule\n/calendar\n/transport\n/contacts\nquit\n"
    env = bot_env(DATABASE_PATH=str(tmp_path / "forum.sqlite3"))
    result = run_bot("demo", cwd=tmp_path, env=env, stdin=script, timeout=30)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    # Registered through the real /start handler, greeted by name.
    assert "you: /start tict-Hq7mX2vL9p" in out
    assert "Welcome, Anvar Normamatovich Shernayev!" in out
    # Today's programme, on today's date: the forum was moved to start today.
    english, _, russian = out.partition("you: 2")
    schedule = english.split("you: /schedule", 1)[1].split("you: 1", 1)[0]
    assert any(label in schedule for label in _day_labels()), schedule
    assert "Opening plenary session of the Forum of Rectors" in schedule
    assert "2023" not in schedule and "September" not in schedule
    assert "<b>" not in schedule and "&amp;" not in out  # rendered, not raw HTML
    assert "[1] " in schedule
    # Pressing [1] opened the first event's card.
    card = english.split("you: 1", 1)[1].split("you: /language", 1)[0]
    assert "Plenary session" in card and "Forum plenary hall, Rudaki Avenue" in card
    assert "Dress: Business formal" in card
    # The language switch edits the chooser and the programme follows it.
    assert "Язык изменён." in russian
    assert "(edited message" in russian and "Русский" in russian
    assert "Открытие Форума ректоров" in russian
    # The calendar file is saved where the person can open it.
    saved = tmp_path / "demo" / "forum-agenda.ics"
    assert saved.exists() and str(saved) in out.replace("\n     ", "")
    assert b"BEGIN:VCALENDAR" in saved.read_bytes()
    # The day is pinned; the transport and the contacts (as contact cards) are there.
    assert "(📌 the bot pinned message #" in out
    transport = out.split("you: /transport", 1)[1].split("you: /contacts", 1)[0]
    assert "Hotel lobby" in transport or "Холл гостиницы" in transport
    contacts = out.split("you: /contacts", 1)[1]
    assert "👤 contact card: Placeholder: Protocol officer of the delegation" in contacts
    # The demo used its own throwaway database, never DATABASE_PATH.
    assert not (tmp_path / "forum.sqlite3").exists()
    assert (tmp_path / "demo" / "demo.sqlite3").exists()
    assert out.rstrip().endswith("Bye.")


def test_demo_shows_the_agreements_marks_one_signed_and_saves_the_report(
    tmp_path: Path,
) -> None:
    # The list, the first card, its "Signed" button, the confirmation, the report.
    script = "/agreements\n1\n2\n1\n/report\nquit\n"
    env = bot_env(DATABASE_PATH=str(tmp_path / "forum.sqlite3"))
    result = run_bot("demo", cwd=tmp_path, env=env, stdin=script, timeout=60)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    listed = out.split("you: /agreements", 1)[1].split("you: 1", 1)[0]
    assert "Agreements of the visit" in listed and listed.count("Planned") == 4
    assert "Memorandum of understanding with Osh Technological University" in listed
    assert "Mark this agreement signed? Its signatories will be told." in out
    assert "Marked signed on" in out and "✅ Signed" in out
    assert "The news of the signing, to forward:" in out and "Русский" in out
    saved = tmp_path / "demo" / "visit-report.docx"
    assert saved.exists() and (tmp_path / "demo" / "agreements-register.xlsx").exists()
    word = docx.Document(str(saved))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "Signed" in cells and "Planned" in cells
    assert "Report on the visit" in [p.text for p in word.paragraphs]


def test_demo_ends_at_end_of_input_and_starts_afresh(tmp_path: Path) -> None:
    env = bot_env(DATABASE_PATH=str(tmp_path / "forum.sqlite3"))
    for _ in range(2):  # the second run recreates the database: registering works again
        result = run_bot("demo", cwd=tmp_path, env=env, stdin="/next\n99\n", timeout=30)
        assert result.returncode == 0, result.stderr
        assert "(there is no button [99] on screen)" in result.stdout
        assert "Welcome, Anvar Normamatovich Shernayev!" in result.stdout
        assert "Opening plenary session of the Forum of Rectors" in result.stdout
        # The bus to the anchor event leaves first (3 minutes), then the event (6).
        assert re.search(r"Leaves in [23] minutes", result.stdout), result.stdout


def test_demo_with_a_broken_forum_file_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "forum.toml"
    bad.write_text("[forum]\nname = 'x'\n", encoding="utf-8")
    env = bot_env(DATABASE_PATH=str(tmp_path / "db.sqlite3"), FORUM_FILE=str(bad))
    result = run_bot("demo", cwd=tmp_path, env=env, stdin="quit\n", timeout=30)
    assert result.returncode == 1
    assert str(bad) in result.stderr and 'field "city"' in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------- the demo's session


def test_render_html_as_a_terminal_shows_it() -> None:
    html = '<b>R&amp;D &lt;Lab&gt;</b> <i>"x"</i> <a href="https://t.me/x">link</a> <s>gone</s>'
    assert render_html(html) == 'R&D <Lab> "x" link (https://t.me/x) gone'
    coloured = render_html("<b>bold</b> plain", color=True)
    assert coloured == "\033[1mbold\033[22m plain"


def test_sizes_and_map_links() -> None:
    assert human_size(512) == "512 B"
    assert human_size(6656) == "6.5 kB"
    assert human_size(3 * 1024 * 1024) == "3.0 MB"
    assert map_link(38.548, 68.77) == "https://maps.google.com/?q=38.548000,68.770000"


@pytest.fixture
async def demo(tmp_path: Path) -> tuple[Bot, DemoSession, io.StringIO]:
    out = io.StringIO()
    session = DemoSession(tmp_path / "files", user_id=5, out=out, color=False)
    bot = Bot("123456:DEMO", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    return bot, session, out


async def test_session_numbers_buttons_and_shows_edits(
    demo: tuple[Bot, DemoSession, io.StringIO],
) -> None:
    bot, session, out = demo
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="A", callback_data="e:a"),
                InlineKeyboardButton(text="B", callback_data="e:b"),
            ],
            [InlineKeyboardButton(text="Site", url="https://example.org")],
        ]
    )
    sent = await bot.send_message(5, "<b>Pick</b> one &amp; go", reply_markup=markup)
    assert "bot: Pick one & go" in out.getvalue()
    assert "[1] A   [2] B" in out.getvalue() and "[3] Site (https://example.org)" in out.getvalue()
    assert session.buttons[2].callback_data == "e:b"
    assert session.buttons[2].message.message_id == sent.message_id
    # More buttons before the person types again continue the numbering ...
    await bot.send_message(5, "More", reply_markup=markup)
    assert session.buttons[4].callback_data == "e:a"
    # ... and after they type, numbering starts again at 1.
    session.new_round()
    await bot.edit_message_text(
        "Edited", chat_id=5, message_id=sent.message_id, reply_markup=markup
    )
    assert f"bot (edited message #{sent.message_id}): Edited" in out.getvalue()
    assert len(session.buttons) == 3 and session.buttons[1].callback_data == "e:a"


async def test_session_describes_venues_documents_and_alerts(
    demo: tuple[Bot, DemoSession, io.StringIO], tmp_path: Path
) -> None:
    from aiogram.types import BufferedInputFile

    bot, _, out = demo
    await bot.send_venue(5, 38.548, 68.77, "Technological University", "63/3 Karabaev St")
    await bot.send_document(5, BufferedInputFile(b"a,b\n1,2\n", "../../roll call.csv"))
    await bot.answer_callback_query("1", "No longer valid.", show_alert=True)
    await bot.answer_callback_query("2", "Saved.")
    await bot.answer_callback_query("3")
    await bot.send_message(77, "To somebody else")
    me = await bot.get_me()
    text = out.getvalue()
    assert "📍 Technological University\n     63/3 Karabaev St" in text
    assert "https://maps.google.com/?q=38.548000,68.770000" in text
    saved = tmp_path / "files" / "roll_call.csv"  # kept inside the demo's folder
    assert saved.read_bytes() == b"a,b\n1,2\n"
    assert f"roll_call.csv (8 B), saved to {saved}" in text
    assert "bot (alert): No longer valid." in text and "bot (notice): Saved." in text
    assert text.count("bot (") == 2
    assert "bot → chat 77: To somebody else" in text
    assert me.is_bot and me.username


async def test_message_arriving_at_the_prompt_keeps_the_prompt_last(
    demo: tuple[Bot, DemoSession, io.StringIO],
) -> None:
    bot, session, out = demo
    out.write("you: ")
    session.prompt = "you: "
    await bot.send_message(5, "⏰ Reminder")
    assert out.getvalue() == "you: \nbot: ⏰ Reminder\n\nyou: "
