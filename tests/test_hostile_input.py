"""Hostile or unusual input through the real dispatcher: nothing reaches the error handler,
no reply is one Telegram would refuse, and a refused action changes nothing."""

from __future__ import annotations

import pytest

from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.conftest import ORGANISER_ID, Chat
from tests.test_organisers_console import send_document, snapshot

APOLOGY = "Sorry, something went wrong"
SHERNAYEV = 101
PASTED = "x" * 5000  # a paragraph pasted where an id belongs


def apologised(calls: list) -> bool:
    return any(APOLOGY in str(c.params.get("text")) for c in calls)


@pytest.mark.parametrize(
    "command",
    [f"/move {PASTED} 12:00", f"/cancel {PASTED}", f"/cancel@forum_test_bot {PASTED}",
     f"/broadcast {PASTED}", f"/attendance {PASTED}"],
)
async def test_a_pasted_paragraph_as_an_id_gets_a_short_answer(chat: Chat, command: str) -> None:
    before = await snapshot(chat)
    calls = await chat.send(ORGANISER_ID, command)
    assert not apologised(calls)
    [reply] = [c for c in calls if c.name == "SendMessage"]  # a @mention also asks getMe
    assert "xxx…" in reply.text and len(reply.text) < 300
    assert await snapshot(chat) == before


@pytest.mark.parametrize(
    ("user", "data"),
    [
        (SHERNAYEV, "b:99999999999999999999999:ok"),
        (ORGANISER_ID, "b:99999999999999999999999:st"),
        (ORGANISER_ID, "b:99999999999999999999999:rm"),
        (ORGANISER_ID, "am:mou-tut:99999999999999999999999:1:1"),
    ],
)
async def test_forged_ids_too_large_for_the_database_are_stale_buttons(
    chat: Chat, user: int, data: str
) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    before = await snapshot(chat)
    calls = await chat.press(user, data)
    assert not apologised(calls)
    assert [(c.name, c.params.get("text")) for c in calls] == [
        ("AnswerCallbackQuery", "This button is no longer valid.")
    ]
    assert await snapshot(chat) == before


async def test_import_during_a_forgotten_broadcast_flow_imports(chat: Chat) -> None:
    """A file with /import as its caption is an import, not a broadcast draft, even while an
    earlier /broadcast still waits for its message."""
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.send(ORGANISER_ID, "/broadcast")
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    changed = text.replace("starts = 2023-09-14T14:30:00", "starts = 2023-09-14T14:00:00", 1)
    calls = await send_document(chat, ORGANISER_ID, changed.encode(), "forum.toml")
    assert "0 added, 1 changed, 0 removed" in calls[-1].text
    assert not any(c.buttons() for c in calls)


def refuse_identical_edits(chat: Chat) -> None:
    """Like Telegram: an edit that leaves a message as it is is refused as "not modified"."""
    from aiogram.exceptions import TelegramBadRequest

    shown: dict[object, object] = {}

    def fail(method: object) -> Exception | None:
        if type(method).__name__ != "EditMessageText":
            return None
        content = (method.text, method.reply_markup)  # type: ignore[attr-defined]
        key = method.message_id  # type: ignore[attr-defined]
        if shown.get(key) == content:
            return TelegramBadRequest(method, "Bad Request: message is not modified")  # type: ignore[arg-type]
        shown[key] = content
        return None

    chat.session.fail = fail


@pytest.mark.parametrize("data", ["l:ru", "d:20230915"])
async def test_the_same_button_tapped_twice_is_not_an_error(chat: Chat, data: str) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    refuse_identical_edits(chat)
    first = await chat.press(SHERNAYEV, data)
    second = await chat.press(SHERNAYEV, data)
    assert not apologised(first + second)
    assert not any(c.name == "AnswerCallbackQuery" and c.params.get("show_alert") for c in second)
