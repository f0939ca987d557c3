"""What many readers see alike is rendered once per programme version, and a change is
seen at once: the day, and an event card's buttons."""

from __future__ import annotations

from datetime import timedelta

from db.forum import reschedule_event
from schedule.model import AttendanceRecord
from tests.conftest import Chat, FakeClock

HEAD = 104  # placeholder-rector-2, no group
RECTOR = 103  # placeholder-rector-1, no group
MOU = "mou-tut"


async def test_one_day_rendered_once_for_readers_alike_and_again_after_a_change(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.register(HEAD, "placeholder-rector-2")
    await chat.register(RECTOR, "placeholder-rector-1")
    [first] = [c for c in await chat.send(HEAD, "/schedule") if c.name == "SendMessage"]
    [second] = [c for c in await chat.send(RECTOR, "/schedule") if c.name == "SendMessage"]
    assert first.text == second.text
    # The same markup object: rendered once, not once per reader.
    assert first.method.reply_markup is second.method.reply_markup

    # Russian is rendered on its own.
    await chat.press(RECTOR, "l:ru")
    [russian] = [c for c in await chat.send(RECTOR, "/schedule") if c.name == "SendMessage"]
    assert russian.text != first.text

    # A change: the programme is a new version, and the day is rendered anew.
    app = chat.app
    plenary = next(e for e in (await app.programme.forum()).events if e.kind == "plenary")
    moved = plenary.starts + timedelta(hours=1)
    change = await reschedule_event(
        app.db, plenary.id, moved, moved + (plenary.ends - plenary.starts), clock()
    )
    assert change is not None
    await app.changes.apply([change])
    [after] = [c for c in await chat.send(HEAD, "/schedule") if c.name == "SendMessage"]
    assert after.method.reply_markup is not first.method.reply_markup
    assert after.text != first.text


async def test_card_buttons_follow_the_readers_state(chat: Chat, clock: FakeClock) -> None:
    app = chat.app
    forum = await app.programme.forum()
    event = next(e for e in forum.events if e.id == MOU)
    cache = app.services.render_cache
    before = event.starts - timedelta(hours=2)  # answers open, check-in not yet
    undecided = AttendanceRecord(MOU, 1)
    said_yes = AttendanceRecord(MOU, 2, rsvp="yes")
    with app.i18n.context(), app.i18n.use_locale("en"):
        none = cache.card_keyboard(event, forum, before, attends=True, record=None)
        empty = cache.card_keyboard(event, forum, before, attends=True, record=undecided)
        yes = cache.card_keyboard(event, forum, before, attends=True, record=said_yes)
        again = cache.card_keyboard(event, forum, before, attends=True, record=said_yes)
        outsider = cache.card_keyboard(event, forum, before, attends=False, record=None)
        during = cache.card_keyboard(
            event, forum, event.starts + timedelta(minutes=5), attends=True, record=None
        )
    assert none is empty  # the same state: rendered once
    assert yes is again and yes is not none
    assert yes.inline_keyboard[0][0].text.startswith("✅")
    assert yes.inline_keyboard[0][0].text != none.inline_keyboard[0][0].text  # marked chosen
    assert not any("r:" in (b.callback_data or "") for row in outsider.inline_keyboard for b in row)
    assert any(b.callback_data == f"c:{MOU}" for row in during.inline_keyboard for b in row)
