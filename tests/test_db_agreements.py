"""Agreements in SQLite: imported with the forum, their status across re-imports, photos,
and the history of event changes the visit report tells."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from db import Database
from db import agreements as repo
from db.audit import recent
from db.forum import import_forum, reschedule_event, set_event_status
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import Agreement, AgreementPhoto, AgreementState, Forum, Localized

NOW = datetime(2023, 9, 1, 12, 0, tzinfo=UTC)
SIGNING = datetime(2023, 9, 14, 9, 40, tzinfo=UTC)
ORGANISER = 900


def with_agreement(forum: Forum, agreement_id: str, **changes: object) -> Forum:
    return replace(
        forum,
        agreements=tuple(
            replace(a, **changes) if a.id == agreement_id else a for a in forum.agreements
        ),
    )


async def imported(database: Database, forum: Forum, now: datetime = NOW) -> None:
    await import_forum(database, forum, source_hash="h", now=now)


async def sign(database: Database, agreement_id: str, expected: str = "planned") -> bool:
    state = await repo.get_state(database, agreement_id)
    assert state is not None
    return await repo.set_state(
        database,
        agreement_id,
        expected=expected,  # type: ignore[arg-type]
        state=state.changed_to("signed", ORGANISER, SIGNING),
        organiser=ORGANISER,
        now=SIGNING,
    )


async def test_the_sample_agreements_are_stored_as_the_file_gives_them(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    stored = await repo.list_agreements(database)
    assert stored == list(sample.agreements)
    assert [a.id for a in stored] == ["mou-tut", "agreement-ips", "agreement-sughd", "mou-osh"]
    ips = await repo.get_agreement(database, "agreement-ips")
    assert ips is not None and ips.scope[3].get("uz") == "Talabalar akademik mobilligi"
    assert await repo.get_agreement(database, "nope") is None


async def test_import_is_idempotent(database: Database, sample: Forum) -> None:
    async with database.transaction() as conn:
        assert await repo.import_agreements(conn, sample.agreements, NOW) == (4, 0, 0)
    async with database.transaction() as conn:
        assert await repo.import_agreements(conn, sample.agreements, NOW) == (0, 0, 0)


async def test_marking_signed_records_who_and_when_and_logs_it(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    assert await sign(database, "mou-tut")
    agreement = await repo.get_agreement(database, "mou-tut")
    assert agreement is not None and agreement.status == "signed"
    assert agreement.signed_by == ORGANISER and agreement.signed_at == SIGNING
    (entry,) = await recent(database)
    assert (entry.organiser_id, entry.action) == (ORGANISER, "agreement")
    assert entry.detail == "mou-tut: planned -> signed" and entry.at == SIGNING


async def test_a_status_changed_meanwhile_is_not_overwritten(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    assert await sign(database, "mou-tut")
    assert not await sign(database, "mou-tut", expected="planned")  # a second, stale tap
    assert len(await recent(database)) == 1
    unknown = await repo.set_state(
        database,
        "nope",
        expected="planned",
        state=AgreementState("ready", "planned"),
        organiser=ORGANISER,
        now=SIGNING,
    )
    assert not unknown and await repo.get_state(database, "nope") is None


async def test_reimport_keeps_the_status_set_in_the_bot(database: Database, sample: Forum) -> None:
    await imported(database, sample)
    assert await sign(database, "mou-tut")
    changed_title = with_agreement(sample, "mou-tut", partner="TUT (Dushanbe)")
    await imported(database, changed_title, NOW + timedelta(days=20))
    agreement = await repo.get_agreement(database, "mou-tut")
    assert agreement is not None and agreement.partner == "TUT (Dushanbe)"
    assert agreement.status == "signed" and agreement.signed_at == SIGNING


async def test_reimport_takes_the_files_status_when_the_file_changes_it(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    assert await sign(database, "mou-tut")
    await imported(database, with_agreement(sample, "mou-tut", status="postponed"))
    agreement = await repo.get_agreement(database, "mou-tut")
    assert agreement is not None and agreement.status == "postponed"
    assert agreement.signed_by is None and agreement.signed_at is None
    # The file says postponed again: nothing new, and a status set since then stands.
    state = await repo.get_state(database, "mou-tut")
    assert state is not None and state.file_status == "postponed"


async def test_the_file_saying_signed_keeps_the_record_of_who_signed(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    assert await sign(database, "mou-tut")
    signed_in_file = with_agreement(sample, "mou-tut", status="signed")
    await imported(database, signed_in_file)
    state = await repo.get_state(database, "mou-tut")
    assert state == AgreementState("signed", "signed", ORGANISER, SIGNING)
    # Later the file goes back to planned: that is a change of the file's status, and wins.
    await imported(database, sample)
    assert await repo.get_state(database, "mou-tut") == AgreementState("planned", "planned")


async def test_an_agreement_dropped_from_the_file_is_hidden_and_comes_back_with_its_photos(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    photo = AgreementPhoto("mou-osh", "file-1", "uniq-1", ORGANISER, SIGNING)
    assert await repo.add_photo(database, photo, limit=10) == "added"
    dropped = replace(sample, agreements=sample.agreements[:3])
    async with database.transaction() as conn:
        assert await repo.import_agreements(conn, dropped.agreements, NOW) == (0, 0, 1)
    assert [a.id for a in await repo.list_agreements(database)] == [
        "mou-tut",
        "agreement-ips",
        "agreement-sughd",
    ]
    assert await repo.get_agreement(database, "mou-osh") is None
    assert await repo.add_photo(database, photo, limit=10) == "unknown"
    async with database.transaction() as conn:
        assert await repo.import_agreements(conn, sample.agreements, NOW) == (1, 0, 0)
    assert [p.file_id for p in await repo.photos(database, "mou-osh")] == ["file-1"]


async def test_photos_are_kept_once_each_and_at_most_the_limit(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    outcomes = [
        await repo.add_photo(
            database,
            AgreementPhoto("mou-tut", f"file-{n}", f"uniq-{n}", ORGANISER, SIGNING),
            limit=3,
        )
        for n in (1, 2, 2, 3, 4)
    ]
    assert outcomes == ["added", "added", "duplicate", "added", "full"]
    stored = await repo.photos(database, "mou-tut")
    assert [p.file_id for p in stored] == ["file-1", "file-2", "file-3"]
    assert stored[0] == AgreementPhoto("mou-tut", "file-1", "uniq-1", ORGANISER, SIGNING)
    assert await repo.photos(database, "mou-osh") == []
    assert len(await repo.photos(database)) == 3


async def test_every_move_and_cancel_is_recorded_for_the_report(
    database: Database, sample: Forum
) -> None:
    await imported(database, sample)
    assert await repo.event_revisions(database) == []
    event = next(e for e in sample.events if e.id == "mou-osh")
    later = event.starts + timedelta(hours=1)
    await reschedule_event(database, "mou-osh", later, event.ends + timedelta(hours=1), SIGNING)
    await set_event_status(database, "tut-faculties", "cancelled", SIGNING + timedelta(minutes=5))
    moved, cancelled = await repo.event_revisions(database)
    assert (moved.event_id, moved.starts_before, moved.starts_after) == (
        "mou-osh",
        event.starts,
        later,
    )
    assert moved.status_before == moved.status_after == "scheduled" and moved.at == SIGNING
    assert (cancelled.event_id, cancelled.status_before, cancelled.status_after) == (
        "tut-faculties",
        "scheduled",
        "cancelled",
    )
    # A re-import puts the file's time and status back (one revision each); the speaker it
    # changes is no revision.
    retitled = replace(
        sample,
        events=tuple(
            replace(e, speaker="Someone else") if e.id == "dual-education-lecture" else e
            for e in sample.events
        ),
    )
    before = len(await repo.event_revisions(database))
    await imported(database, retitled)
    revisions = await repo.event_revisions(database)
    assert {r.event_id for r in revisions[before:]} == {"mou-osh", "tut-faculties"}


async def test_an_agreement_with_plain_texts_reads_back_equal(database: Database) -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    odd = Agreement(
        id="odd",
        kind="other",
        title=Localized.plain('R&D <Lab> "Q&A" ʻ'),
        partner="Oʻzbekiston",
    )
    await imported(database, replace(forum, agreements=(odd,)))
    assert await repo.list_agreements(database) == [odd]
