"""An event card's buttons on /next are made once per programme version and reader
state, shared by readers alike, and never stale: another answer, check-in or language,
or a change, gets its own."""

from __future__ import annotations

from datetime import timedelta

from bot.views.programme_buttons import card_state
from db.forum import reschedule_event
from handlers.programme import next_card
from schedule.model import AttendanceRecord
from schedule.services.viewing import Card
from tests.conftest import Chat, FakeClock

MOU = "mou-tut"


def buttons(rendered: object) -> list[str | None]:
    _, markup = rendered  # type: ignore[misc]
    return [b.callback_data for row in markup.inline_keyboard for b in row]


async def test_card_buttons_shared_by_readers_alike_and_their_own_otherwise(
    chat: Chat, clock: FakeClock
) -> None:
    app = chat.app
    forum = await app.programme.forum()
    event = next(e for e in forum.events if e.id == MOU)
    before = event.starts - timedelta(hours=2)  # answers open, check-in not yet

    def card(record: AttendanceRecord | None, attends: bool = True) -> Card:
        return Card(forum, event, attends, record, {}, ())

    with app.i18n.context(), app.i18n.use_locale("en"):
        one = next_card(app.programme, card(AttendanceRecord(MOU, 1)), before)
        two = next_card(app.programme, card(None), before)
        yes = next_card(app.programme, card(AttendanceRecord(MOU, 3, rsvp="yes")), before)
        outsider = next_card(app.programme, card(None, attends=False), before)
        during = next_card(app.programme, card(None), event.starts + timedelta(minutes=5))
    with app.i18n.context(), app.i18n.use_locale("ru"):
        russian = next_card(app.programme, card(None), before)
    assert one[1] is two[1]  # the same state: one keyboard for both readers
    assert yes[1] is not one[1]
    assert yes[1].inline_keyboard[0][0].text != one[1].inline_keyboard[0][0].text  # marked
    assert not any(d and d.startswith("r:") for d in buttons(outsider))
    assert f"c:{MOU}" in buttons(during)
    assert russian[1] is not two[1]
    # A change: a new programme version, new buttons.
    change = await reschedule_event(
        app.db, MOU, event.starts + timedelta(hours=1), event.ends + timedelta(hours=1), clock()
    )
    await app.changes.apply([change])  # type: ignore[list-item]
    forum = await app.programme.forum()
    event = next(e for e in forum.events if e.id == MOU)
    with app.i18n.context(), app.i18n.use_locale("en"):
        after = next_card(app.programme, Card(forum, event, True, None, {}, ()), before)
    assert after[1] is not two[1]


def test_what_a_cards_buttons_depend_on() -> None:
    from datetime import UTC, datetime

    from schedule.model import Event, Localized

    starts = datetime(2023, 9, 14, 9, 30, tzinfo=UTC)
    event = Event(id="e", kind="signing", title=Localized({"en": "E"}), starts=starts,
                  ends=starts + timedelta(hours=1))  # fmt: skip
    early = starts - timedelta(hours=2)
    assert card_state(event, early, False, None) == (False, None, False)
    assert card_state(event, early, True, None) == (True, None, False)
    said_no = AttendanceRecord("e", 1, rsvp="no")
    assert card_state(event, early, True, said_no) == (True, "no", False)
    soon = starts - timedelta(minutes=10)
    assert card_state(event, soon, True, None) == (True, None, True)
    checked = AttendanceRecord("e", 1, checked_in_at=soon)
    assert card_state(event, soon, True, checked) == (True, None, False)
