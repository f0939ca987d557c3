"""A wrong but valid file does not lock everyone out silently: an /import that removes
delegates or more than a few events shows what it would do and waits for the organiser's
yes (issue 15, finding 14). Through the real dispatcher."""

from __future__ import annotations

from schedule.forum_file import SAMPLE_FORUM_PATH
from schedule.imports import FEW_EVENTS, needs_confirmation
from schedule.model import ImportReport
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support.recording import Call
from tests.test_organisers_console import send_document, snapshot

SHERNAYEV = 101
ONLY_FORUM = b'[forum]\nname = "Forum"\ncity = "Dushanbe"\ntimezone = "Asia/Dushanbe"\n'


async def _preview(chat: Chat) -> Call:
    calls = await send_document(chat, ORGANISER_ID, ONLY_FORUM, "empty.toml")
    [preview] = [c for c in calls if c.name == "SendMessage"]
    return preview


def test_the_threshold() -> None:
    assert not needs_confirmation(ImportReport(removed=tuple("abc")[:FEW_EVENTS]))
    assert needs_confirmation(ImportReport(removed=tuple(f"e{n}" for n in range(FEW_EVENTS + 1))))
    assert needs_confirmation(ImportReport(delegates_removed=1, removed_delegates=("A",)))
    assert not needs_confirmation(ImportReport(added=("x",) * 50, delegates_added=9))


async def test_a_file_with_only_the_forum_table_asks_first_and_changes_nothing(
    chat: Chat,
) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    before = await snapshot(chat)
    preview = await _preview(chat)
    text = preview.text
    assert "empty.toml would remove 6 delegates and 8 events." in text
    assert "Anvar Normamatovich Shernayev" in text  # names, not only counts
    assert "Signing of a memorandum of understanding" in text
    assert "(mou-tut)" in text
    assert [label for label, _ in preview.buttons()] == ["✅ Import it", "Keep the programme"]
    assert await snapshot(chat) == before

    keep = next(d for label, d in preview.buttons() if label == "Keep the programme")
    calls = await chat.press(ORGANISER_ID, keep)
    assert "kept as it is" in calls[-1].text
    assert await snapshot(chat) == before
    calls = await chat.press(ORGANISER_ID, keep.replace(":0", ":1"))  # forged: gone
    assert calls[-1].params.get("show_alert") is True
    assert await snapshot(chat) == before


async def test_the_organiser_confirms_once_and_the_answer_counts_delegates(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    preview = await _preview(chat)
    go = next(d for label, d in preview.buttons() if label == "✅ Import it")
    calls = await chat.press(ORGANISER_ID, go)
    done = "\n".join(c.text for c in calls if c.name == "SendMessage")
    assert "Imported empty.toml: 0 added, 0 changed, 8 removed." in done
    assert "Delegates: 0 added, 0 changed, 6 removed." in done
    rows = await chat.app.db.fetchall("SELECT count(*) AS n FROM delegate WHERE active = 1")
    assert rows[0]["n"] == 0
    again = await chat.press(ORGANISER_ID, go)
    assert [c.name for c in again] == ["AnswerCallbackQuery"]  # a double tap imports once
    log = await chat.app.db.fetchall("SELECT * FROM organiser_log WHERE action = 'import'")
    assert len(log) == 1


async def test_a_small_edit_is_imported_at_once(chat: Chat) -> None:
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    changed = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:00:00", 1)
    calls = await send_document(chat, ORGANISER_ID, changed.encode(), "forum.toml")
    assert "0 added, 1 changed, 0 removed" in calls[-1].text
    assert "Delegates: 0 added, 0 changed, 0 removed." in calls[-1].text
    assert not calls[-1].buttons()


async def test_a_reimport_does_not_announce_a_return_nobody_was_told_of(
    chat: Chat, clock: FakeClock
) -> None:
    """Everyone was removed with the events, so nobody heard of the removals: putting the
    file back must not tell them 'back in the programme'."""
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    preview = await _preview(chat)
    await chat.press(ORGANISER_ID, next(d for _, d in preview.buttons() if d.endswith(":1")))
    await chat.app.services.notifier.idle()
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8").encode()
    calls = await send_document(chat, ORGANISER_ID, text, "forum.toml")
    assert "0 added, 8 changed, 0 removed" in calls[-1].text
    await chat.app.services.notifier.idle()
    told = [c.text for c in chat.session.sent("SendMessage", SHERNAYEV)]
    assert not any("Back in the programme" in t or "Cancelled" in t for t in told), told
