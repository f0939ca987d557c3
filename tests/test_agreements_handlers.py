"""The agreements through the real dispatcher: the list and the cards, the organisers'
status buttons (with confirmation, the log, the signatories told, the news), photos,
/report, and every refusal: delegates, strangers, forged and stale buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import BytesIO

import docx
import openpyxl
from aiogram.types import Message, PhotoSize, User

from bot.delivery.notifier import Notifier
from db import agreements as store
from db import audit
from db.forum import import_forum
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import Localized
from tests.conftest import ORGANISER_ID, Chat, FakeClock
from tests.support import updates
from tests.support.recording import Call
from tests.test_visit_report import png

SHERNAYEV = 101  # group tict, signs all four agreements of the sample
HEAD = 102  # no group: no signing in his agenda
STRANGER = 666
TUT = "Memorandum of understanding between the Tashkent Institute of Chemical Technology"


async def delegates(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    await chat.register(HEAD, "head-Zq4vN8rT2m")
    chat.session.clear()


def texts(calls: list[Call]) -> str:
    return "\n".join(c.text for c in calls)


def answers(calls: list[Call]) -> list[str]:
    return [c.params.get("text", "") for c in calls if c.name == "AnswerCallbackQuery"]


def sent_text(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.name in ("SendMessage", "EditMessageText")]


async def status(chat: Chat, agreement_id: str) -> str:
    agreement = await store.get_agreement(chat.app.db, agreement_id)
    assert agreement is not None
    return agreement.status


# ---------------------------------------------------------------- what delegates see


async def test_a_delegate_lists_the_agreements_of_their_agenda(chat: Chat) -> None:
    await delegates(chat)
    calls = await chat.send(SHERNAYEV, "/agreements")
    (message,) = sent_text(calls)
    assert "Agreements of the visit" in message.text
    assert TUT in message.text and "Planned" in message.text
    assert [data for _, data in message.buttons()] == [
        "ag:mou-tut:0",
        "ag:agreement-ips:0",
        "ag:agreement-sughd:0",
        "ag:mou-osh:0",
    ]
    assert "mou-tut" not in message.text  # ids are for organisers


async def test_outside_every_signing_a_delegate_gets_none(chat: Chat) -> None:
    await delegates(chat)
    calls = await chat.send(HEAD, "/agreements")
    assert "No agreement of the visit concerns you." in texts(calls)
    calls = await chat.press(HEAD, "ag:mou-tut:0")
    assert answers(calls) == ["This agreement is no longer in your programme."]
    assert sent_text(calls) == []


async def test_a_stranger_gets_nothing_of_the_agreements(chat: Chat) -> None:
    calls = await chat.send(STRANGER, "/agreements")
    assert "Technological University" not in texts(calls)
    assert "official delegation" in texts(calls)
    calls = await chat.press(STRANGER, "ag:mou-tut:0")
    assert answers(calls) == ["This button is no longer valid."]
    calls = await chat.send(STRANGER, "/report")
    assert [c.name for c in calls] == ["SendMessage"] and "SendDocument" not in str(calls)


async def test_the_card_shows_partner_signatories_scope_and_copies(chat: Chat) -> None:
    await delegates(chat)
    calls = await chat.press(SHERNAYEV, "ag:agreement-ips:0")
    (card,) = sent_text(calls)
    text = card.text
    assert "Agreement" in text and "Planned" in text
    assert "Partner: Institute of Production and Service of Tajikistan (TJ)" in text
    assert "Signing: Signing of an agreement with the Institute" in text
    assert "Signs for the delegation: Anvar Normamatovich Shernayev, Vice-rector" in text
    assert "Signs for the partner: Rector of the Institute of Production" in text
    assert "Copies to bring: 2" in text and "• Student academic mobility" in text
    assert "🆔" not in text and "Photos:" not in text  # the organisers' lines
    assert [data for _, data in card.buttons()] == ["e:agreement-ips"]  # no status buttons


async def test_the_card_in_russian(chat: Chat) -> None:
    await delegates(chat)
    await chat.press(SHERNAYEV, "l:ru")
    calls = await chat.press(SHERNAYEV, "ag:mou-osh:0")
    text = sent_text(calls)[0].text
    assert "Меморандум о взаимопонимании с Ошским технологическим университетом" in text
    assert "• Стажировки профессоров" in text and "Запланировано" in text


async def test_the_signing_events_card_shows_its_agreement(chat: Chat) -> None:
    await delegates(chat)
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    card = sent_text(calls)[0].text
    assert "Signing of a memorandum of understanding" in card
    assert TUT in card and "Planned" in card
    assert "Partner: Technological University of Tajikistan (TJ)" in card
    assert "Signs for the delegation: Anvar Normamatovich Shernayev" in card
    assert "Signs for the partner: Rector of the Technological University" in card
    calls = await chat.press(SHERNAYEV, "e:opening-plenary")
    assert "Partner:" not in sent_text(calls)[0].text


async def test_a_signatorys_reminder_says_they_sign_and_what_to_bring(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.app.start()
    notifier: Notifier = chat.app.services.notifier
    await notifier.idle()
    await delegates(chat)
    clock.now = datetime(2023, 9, 14, 9, 30, tzinfo=UTC) - timedelta(minutes=60)
    await notifier.run_due()
    reminder = next(c for c in chat.session.calls if c.text.startswith("⏰"))
    assert reminder.chat_id == SHERNAYEV
    assert f"You sign: {TUT}" in reminder.text and "Copies to bring: 2" in reminder.text


async def test_delegates_cannot_press_the_organisers_buttons(chat: Chat) -> None:
    await delegates(chat)
    for data in ("as:mou-tut:signed:planned:1", "as:mou-tut:ready:planned:0", "ap:mou-tut"):
        calls = await chat.press(SHERNAYEV, data)
        assert answers(calls) == ["This is for the organisers only."], data
        assert sent_text(calls) == []
    calls = await chat.press(STRANGER, "as:mou-tut:signed:planned:1")
    assert answers(calls) == ["This is for the organisers only."]
    assert await status(chat, "mou-tut") == "planned"
    assert await audit.recent(chat.app.db) == []
    calls = await chat.send(SHERNAYEV, "/report")
    assert "for the organisers only" in texts(calls)


# ---------------------------------------------------------------- what organisers do


async def test_organisers_see_every_agreement_with_its_id(chat: Chat) -> None:
    calls = await chat.send(ORGANISER_ID, "/agreements")
    (message,) = sent_text(calls)
    assert "· mou-tut" in message.text and "· mou-osh" in message.text
    calls = await chat.press(ORGANISER_ID, "ag:mou-tut:0")
    (card,) = sent_text(calls)
    assert "Photos: 0 of 10" in card.text and card.text.endswith("🆔 mou-tut")
    assert [data for _, data in card.buttons()] == [
        "as:mou-tut:ready:planned:0",
        "as:mou-tut:signed:planned:0",
        "as:mou-tut:postponed:planned:0",
        "as:mou-tut:cancelled:planned:0",
        "ap:mou-tut",
        "e:mou-tut",
    ]


async def test_marking_signed_asks_first_then_records_logs_tells_and_gives_the_news(
    chat: Chat, clock: FakeClock
) -> None:
    await delegates(chat)
    calls = await chat.press(ORGANISER_ID, "as:mou-tut:signed:planned:0")
    (question,) = sent_text(calls)
    assert "Mark this agreement signed? Its signatories will be told." in question.text
    assert [d for _, d in question.buttons()] == ["as:mou-tut:signed:planned:1", "ag:mou-tut:1"]
    assert await status(chat, "mou-tut") == "planned"
    # "Keep it" leaves it as it was.
    calls = await chat.press(ORGANISER_ID, "ag:mou-tut:1")
    assert calls[-1].name == "EditMessageText" and await status(chat, "mou-tut") == "planned"
    clock.now = datetime(2023, 9, 14, 9, 55, tzinfo=UTC)  # 14:55 in Dushanbe
    calls = await chat.press(ORGANISER_ID, "as:mou-tut:signed:planned:1")
    agreement = await store.get_agreement(chat.app.db, "mou-tut")
    assert agreement is not None and agreement.status == "signed"
    assert agreement.signed_by == ORGANISER_ID and agreement.signed_at == clock.now
    (entry,) = await audit.recent(chat.app.db)
    assert entry.action == "agreement" and entry.detail == "mou-tut: planned -> signed"
    told = [c for c in calls if c.name == "SendMessage" and c.chat_id == SHERNAYEV]
    assert len(told) == 1 and told[0].text.startswith(f"✅ Signed: {TUT}")
    assert "with Technological University of Tajikistan, Thursday, 14 September." in told[0].text
    card = next(c for c in calls if c.name == "EditMessageText")
    assert "Marked signed on Thursday, 14 September, 14:55 by 900." in card.text
    assert [d for _, d in card.buttons()] == [
        "as:mou-tut:ready:signed:0",  # only undoing the signature
        "ap:mou-tut",
        "e:mou-tut",
    ]
    news = next(c for c in calls if c.chat_id == ORGANISER_ID and "news of the signing" in c.text)
    assert (
        "On 14 September 2023 in Dushanbe, Tashkent Institute of Chemical Technology and "
        "Technological University of Tajikistan signed a memorandum of understanding."
    ) in news.text
    assert "14 сентября 2023 г. в городе Dushanbe" in news.text
    assert "2023-yil 14-sentabr kuni Dushanbe shahrida" in news.text
    assert "Русский" in news.text and "Oʻzbekcha" in news.text
    # The signing event's card now says it is signed.
    calls = await chat.press(SHERNAYEV, "e:mou-tut")
    assert "Signed" in sent_text(calls)[0].text


async def test_a_stale_or_forged_status_button_changes_nothing(chat: Chat) -> None:
    await chat.press(ORGANISER_ID, "as:mou-tut:ready:planned:0")
    assert await status(chat, "mou-tut") == "ready"  # no confirmation for "ready"
    cases = {
        "as:mou-tut:signed:planned:1": "Someone changed this agreement meanwhile",
        "as:mou-tut:ready:ready:0": "It already has this status.",
        "as:mou-tut:planned:ready:0": "This status cannot follow the current one.",
        "as:mou-tut:lost:ready:1": "This status cannot follow the current one.",
        "as:nope:signed:planned:1": "This agreement is no longer in your programme.",
    }
    for data, answer in cases.items():
        calls = await chat.press(ORGANISER_ID, data)
        assert any(a.startswith(answer) for a in answers(calls)), (data, answers(calls))
    for data in ("as:mou-tut", "as:mou-tut:signed:ready:x", "ap:", "ag:"):
        calls = await chat.press(ORGANISER_ID, data)
        assert [c.name for c in calls] == ["AnswerCallbackQuery"], data
    assert await status(chat, "mou-tut") == "ready"
    assert len(await audit.recent(chat.app.db)) == 1


async def test_cancelling_asks_first_and_a_cancelled_one_is_reinstated_before_signing(
    chat: Chat,
) -> None:
    calls = await chat.press(ORGANISER_ID, "as:mou-osh:cancelled:planned:0")
    assert "Cancel this agreement?" in sent_text(calls)[0].text
    await chat.press(ORGANISER_ID, "as:mou-osh:cancelled:planned:1")
    assert await status(chat, "mou-osh") == "cancelled"
    calls = await chat.press(ORGANISER_ID, "as:mou-osh:signed:cancelled:1")
    assert answers(calls) == ["This status cannot follow the current one."]
    assert await status(chat, "mou-osh") == "cancelled"


# ---------------------------------------------------------------- photos


def photo(unique: str) -> list[PhotoSize]:
    return [
        PhotoSize(file_id=f"{unique}-small", file_unique_id=f"{unique}-s", width=90, height=60),
        PhotoSize(file_id=f"{unique}-big", file_unique_id=unique, width=1280, height=853),
    ]


def bots_message(chat: Chat, text: str) -> Message:
    """A message the bot sent, as Telegram quotes it in a reply."""
    return Message(
        message_id=7,
        date=datetime.now(tz=UTC),
        chat={"id": ORGANISER_ID, "type": "private"},  # type: ignore[arg-type]
        from_user=User(id=chat.app.bot.id, is_bot=True, first_name="Forum bot"),
        text=text,
    )


async def reply_photo(chat: Chat, user: int, unique: str, to: Message) -> list[Call]:
    return await chat._feed(updates.message(user, None, photo=photo(unique), reply_to=to))


async def test_a_photo_replying_to_the_card_is_attached(chat: Chat) -> None:
    card = sent_text(await chat.press(ORGANISER_ID, "ag:mou-tut:0"))[0]
    quoted = bots_message(chat, card.text)
    calls = await reply_photo(chat, ORGANISER_ID, "p1", quoted)
    assert "Photo attached to" in texts(calls) and "(1 of 10)" in texts(calls)
    calls = await reply_photo(chat, ORGANISER_ID, "p1", quoted)
    assert "This photo is attached already." in texts(calls)
    (stored,) = await store.photos(chat.app.db, "mou-tut")
    assert stored.file_id == "p1-big" and stored.added_by == ORGANISER_ID  # the largest size


async def test_a_photo_replying_to_something_else_or_from_a_delegate_is_not_attached(
    chat: Chat,
) -> None:
    await delegates(chat)
    forged = bots_message(chat, "🆔 mou-tut")
    forged = forged.model_copy(update={"from_user": User(id=5, is_bot=False, first_name="X")})
    await reply_photo(chat, ORGANISER_ID, "p2", forged)  # not the bot's message
    real = bots_message(chat, "📄 …\n🆔 mou-tut")
    calls = await reply_photo(chat, SHERNAYEV, "p3", real)  # not an organiser
    assert "Photo attached" not in texts(calls)
    calls = await reply_photo(chat, ORGANISER_ID, "p4", bots_message(chat, "🆔 nope"))
    assert "This agreement is no longer in your programme." in texts(calls)
    assert await store.photos(chat.app.db) == []


async def test_add_photo_then_the_photos_within_ten_minutes(chat: Chat, clock: FakeClock) -> None:
    calls = await chat.press(ORGANISER_ID, "ap:agreement-ips")
    assert "Send the photos of the signing of" in texts(calls)
    for unique in ("a", "b"):
        calls = await chat._feed(updates.message(ORGANISER_ID, None, photo=photo(unique)))
        assert "Photo attached to" in texts(calls)
    assert len(await store.photos(chat.app.db, "agreement-ips")) == 2
    clock.advance(minutes=11)
    calls = await chat._feed(updates.message(ORGANISER_ID, None, photo=photo("c")))
    assert "Press Add photo on the agreement's card first." in texts(calls)
    assert len(await store.photos(chat.app.db, "agreement-ips")) == 2


async def test_at_most_ten_photos(chat: Chat) -> None:
    await chat.press(ORGANISER_ID, "ap:mou-osh")
    for n in range(11):
        calls = await chat._feed(updates.message(ORGANISER_ID, None, photo=photo(f"u{n}")))
    assert "has 10 photos already" in texts(calls)
    assert len(await store.photos(chat.app.db, "mou-osh")) == 10


# ---------------------------------------------------------------- /report


def document(call: Call) -> bytes:
    (file,) = [v for k, v in call.params.items() if k.startswith("file:")]
    return file.data  # type: ignore[no-any-return]


async def test_report_sends_the_word_report_and_the_register(chat: Chat) -> None:
    await delegates(chat)
    await chat.press(ORGANISER_ID, "as:mou-tut:signed:planned:1")
    await chat.press(ORGANISER_ID, "ap:mou-tut")
    for unique in ("ok", "gone"):
        await chat._feed(updates.message(ORGANISER_ID, None, photo=photo(unique)))
    chat.session.files["ok-big"] = png()  # "gone-big" is not handed over
    calls = await chat.send(ORGANISER_ID, "/report")
    report, register = [c for c in calls if c.name == "SendDocument"]
    assert report.params["caption"] == "The report of the visit"
    assert "Photos Telegram did not hand over: 1. The report names them." in texts(calls)
    word = docx.Document(BytesIO(document(report)))
    paragraphs = [p.text for p in word.paragraphs]
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert "Report on the visit" in paragraphs and TUT in " ".join(paragraphs)
    assert "Anvar Normamatovich Shernayev" in cells and "Signed" in cells
    assert len(word.inline_shapes) == 1
    assert "Photo 2 could not be fetched from Telegram (gone-big)." in paragraphs
    book = openpyxl.load_workbook(BytesIO(document(register)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5 and rows[1][1] == "mou-tut" and "Signed" in rows[1]


async def test_report_in_the_organisers_language(chat: Chat) -> None:
    await chat.press(ORGANISER_ID, "l:uz")
    calls = await chat.send(ORGANISER_ID, "/report")
    report = next(c for c in calls if c.name == "SendDocument")
    paragraphs = [p.text for p in docx.Document(BytesIO(document(report))).paragraphs]
    assert "Tashrif haqida hisobot" in paragraphs
    assert any("Oʻzaro anglashuv" in p or "oʻzaro anglashuv" in p for p in paragraphs)


async def test_an_odd_title_and_partner_are_shown_as_written(chat: Chat) -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    odd = replace(
        forum.agreements[0],
        title=Localized.plain('R&D <Lab> "Q&A"'),
        partner="<b>Qoʻqon</b> & Co",
        scope=(Localized.plain("x < y & z"),),
    )
    forum = replace(forum, agreements=(odd, *forum.agreements[1:]))
    await import_forum(chat.app.db, forum, source_hash="odd", now=datetime.now(tz=UTC))
    chat.app.programme.invalidate()
    await delegates(chat)
    listed = sent_text(await chat.send(SHERNAYEV, "/agreements"))[0]
    assert 'R&D <Lab> "Q&A"' in listed.text
    card = sent_text(await chat.press(SHERNAYEV, "ag:mou-tut:0"))[0]
    assert 'R&D <Lab> "Q&A"' in card.text and "Partner: <b>Qoʻqon</b> & Co (TJ)" in card.text
    assert "• x < y & z" in card.text
    calls = await chat.press(ORGANISER_ID, "as:mou-tut:signed:planned:1")
    assert answers(calls) == ['R&D <Lab> "Q&A": now Signed.']  # an alert is plain text
    news = next(c for c in calls if "news of the signing" in c.text)
    assert "and <b>Qoʻqon</b> & Co signed a memorandum" in news.text
    told = next(c for c in calls if c.chat_id == SHERNAYEV)
    assert told.text.startswith('✅ Signed: R&D <Lab> "Q&A", with <b>Qoʻqon</b> & Co')
