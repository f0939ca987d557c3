"""The forum file parser: the sample, time conversion, and one test per kind of problem."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from schedule.forum_file import SAMPLE_FORUM_PATH, ForumFileError, load_forum_file, parse_forum
from schedule.model import LANGUAGES, Localized

FILE = "forum.toml"

# Every line is unique so a test can drop or replace exactly one.
BASE = """\
[forum]
name = "Forum of Rectors"
city = "Dushanbe"
timezone = "Asia/Dushanbe"

[[venue]]
id = "tut"
name = "Technological University"
lat = 38.5
lon = 68.7

[[group]]
id = "tict"
name = "TICT"

[[delegate]]
name = "Anvar Shernayev"
code = "tict-Hq7mX2vL9p"
group = "tict"

[[event]]
id = "mou-tut"
kind = "signing"
title = "Memorandum with TUT"
starts = 2023-09-14T10:00:00
ends = 2023-09-14T11:00:00
venue = "tut"
audience = ["tict"]
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def errors_of(text: str) -> list[str]:
    with pytest.raises(ForumFileError) as caught:
        parse_forum(text, FILE)
    return caught.value.errors


def assert_error(text: str, table: str, field: str, *fragments: str) -> None:
    """One message names the file, the table and the field (and says what is wrong)."""
    errors = errors_of(text)
    wanted = (f"{FILE}: {table}: ", f'field "{field}"', *fragments)
    assert any(all(part in error for part in wanted) for error in errors), errors


# ---------------------------------------------------------------- valid files


def test_sample_parses() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    assert forum.city == "Dushanbe"
    assert forum.timezone == ZoneInfo("Asia/Dushanbe")
    ids = {e.id for e in forum.events}
    assert {"opening-plenary", "closing-plenary", "mou-tut", "mou-osh"} <= ids
    kinds = [e.kind for e in forum.events]
    assert kinds.count("signing") == 4 and "lecture" in kinds and "visit" in kinds
    codes = {d.code: d for d in forum.delegates}
    assert codes["tict-Hq7mX2vL9p"].group == "tict"
    assert codes["head-Zq4vN8rT2m"].role == "head" and codes["head-Zq4vN8rT2m"].group is None


TAJIK_HOSTS = {"tut", "ips"}  # the venues of the Tajik universities


def test_sample_titles_are_localised_in_three_languages() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    for event in forum.events:
        assert set(event.title.texts) - {"tg"} == {"en", "ru", "uz"}, event.id
    uzbek = " ".join(e.title.get("uz") for e in forum.events)
    assert "\u02bb" in uzbek and "o'" not in uzbek and "o\u2018" not in uzbek
    lecture = next(e for e in forum.events if e.kind == "lecture")
    assert "дуального образования" in lecture.title.get("ru")
    assert "Shernayev" in (lecture.speaker or "")


def test_sample_signings_carry_protocol_notes() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    for event in (e for e in forum.events if e.kind == "signing"):
        assert event.remind and event.dress and event.arrive_early and event.bring, event.id


def test_local_time_becomes_aware_utc() -> None:
    event = parse_forum(BASE, FILE).events[0]
    assert event.starts == datetime(2023, 9, 14, 5, 0, tzinfo=UTC)
    assert event.starts.utcoffset() is not None
    assert event.ends == datetime(2023, 9, 14, 6, 0, tzinfo=UTC)


def test_a_time_in_a_dst_gap_is_an_error_naming_the_field() -> None:
    """02:30 on 26 March 2023 never happened in Berlin: zoneinfo would silently read it
    as 03:30; the organiser meant something and must say what (issue 15, finding 16)."""
    text = edit('timezone = "Asia/Dushanbe"', 'timezone = "Europe/Berlin"')
    text = edit("starts = 2023-09-14T10:00:00", "starts = 2023-03-26T02:30:00", text)
    text = edit("ends = 2023-09-14T11:00:00", "ends = 2023-03-26T04:00:00", text)
    assert_error(text, 'event "mou-tut"', "starts", "2023-03-26T02:30:00 does not exist in")


def test_a_time_that_happens_twice_is_the_first() -> None:
    text = edit('timezone = "Asia/Dushanbe"', 'timezone = "Europe/Berlin"')
    text = edit("starts = 2023-09-14T10:00:00", "starts = 2023-10-29T02:30:00", text)
    text = edit("ends = 2023-09-14T11:00:00", "ends = 2023-10-29T04:00:00", text)
    event = parse_forum(text, FILE).events[0]
    assert event.starts == datetime(2023, 10, 29, 0, 30, tzinfo=UTC)  # still summer time


def test_plain_title_and_defaults() -> None:
    forum = parse_forum(BASE, FILE)
    event = forum.events[0]
    assert event.title == Localized.plain("Memorandum with TUT")
    assert event.remind is True  # signing
    assert event.audience == ("tict",)
    assert forum.delegates[0].role == "member"
    assert forum.venues[0].lat == 38.5


def test_localised_title() -> None:
    text = edit('title = "Memorandum with TUT"', 'title = { en = "MoU", ru = "Меморандум" }')
    event = parse_forum(text, FILE).events[0]
    assert event.title.get("ru") == "Меморандум"
    assert event.title.get("uz") == "MoU"  # falls back to English


def test_sample_events_of_tajik_universities_have_tajik_titles() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    hosted = [e for e in forum.events if e.venue in TAJIK_HOSTS]
    assert {e.id for e in hosted} == {"mou-tut", "tut-faculties", "agreement-ips"}
    for event in hosted:
        assert "tg" in event.title.texts, event.id
        assert any(ch in "ҷӣӯҳқғ" for ch in event.title.get("tg")), event.id
    others = [e for e in forum.events if e.venue not in TAJIK_HOSTS]
    assert all("tg" not in e.title.texts for e in others)
    assert forum.events[0].title.get("tg") == forum.events[0].title.get("ru")  # falls back


def test_texts_in_every_language_of_the_bot() -> None:
    title = (
        'title = { en = "MoU", ru = "Меморандум", uz = "Memorandum", '
        'uz-Cyrl = "Меморандум имзолаш", tg = "Ёддошти тафоҳум", kk = "Өзара түсіністік '
        'меморандумы", ky = "Өз ара түшүнүшүү меморандуму", tk = "Özara düşünişmek '
        'hakynda memorandum" }'
    )
    text = edit('title = "Memorandum with TUT"', title)
    text += 'bring = { kk = "Екі данасы", uz = "Ikki nusxasi" }\n'
    event = parse_forum(text, FILE).events[0]
    assert set(event.title.texts) == set(LANGUAGES)
    assert event.title.get("uz-Cyrl") == "Меморандум имзолаш"
    assert event.title.get("kk").startswith("Өзара")
    assert event.bring is not None and event.bring.get("kk") == "Екі данасы"
    assert event.bring.get("uz-Cyrl") == "Икки нусхаси"  # transliterated from Latin
    assert event.bring.get("tg") == "Екі данасы"  # no Russian, no English: the first given


@pytest.mark.parametrize(("kind", "remind"), [("lecture", True), ("visit", False)])
def test_remind_default_follows_kind(kind: str, remind: bool) -> None:
    text = edit('kind = "signing"', f'kind = "{kind}"')
    assert parse_forum(text, FILE).events[0].remind is remind


def test_remind_can_be_set() -> None:
    assert parse_forum(BASE + "remind = false\n", FILE).events[0].remind is False


def test_empty_programme_is_valid() -> None:
    text = BASE[: BASE.index("[[delegate]]")]
    forum = parse_forum(text, FILE)
    assert forum.events == () and forum.delegates == ()


def test_load_forum_file_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "forum.toml"
    path.write_text(edit('title = "Memorandum with TUT"', 'title = "Меморандум"'), "utf-8")
    assert load_forum_file(path).events[0].title.get("en") == "Меморандум"


# ---------------------------------------------------------------- file-level problems


def test_syntax_error_names_file_line_and_column() -> None:
    errors = errors_of(edit("lat = 38.5", "lat = = 38.5"))
    assert len(errors) == 1
    assert errors[0].startswith(f"{FILE}: ") and "line 9" in errors[0] and "column" in errors[0]


def test_missing_file_is_a_forum_file_error(tmp_path: Path) -> None:
    with pytest.raises(ForumFileError, match=r"nope\.toml"):
        load_forum_file(tmp_path / "nope.toml")


def test_missing_forum_table() -> None:
    errors = errors_of(BASE.replace("[forum]\n", "[unused]\n", 1))
    assert any(e.startswith(f"{FILE}: forum: missing") for e in errors), errors


def test_all_errors_are_collected_and_listed_one_per_line() -> None:
    text = edit("lat = 38.5", "lat = 138.5")
    text = edit('code = "tict-Hq7mX2vL9p"', 'code = "bad code"', text)
    text = edit("ends = 2023-09-14T11:00:00", "ends = 2023-09-14T09:00:00", text)
    with pytest.raises(ForumFileError) as caught:
        parse_forum(text, FILE)
    assert len(caught.value.errors) == 3
    assert str(caught.value).splitlines() == caught.value.errors


# ---------------------------------------------------------------- unknown keys


def test_unknown_top_level_key() -> None:
    assert_error("colour = 1\n" + BASE, "top level", "colour", "unknown key")


@pytest.mark.parametrize(
    ("anchor", "table"),
    [
        ('city = "Dushanbe"', "forum"),
        ('name = "Technological University"', 'venue "tut"'),
        ('name = "TICT"', 'group "tict"'),
        ('name = "Anvar Shernayev"', 'delegate "tict-Hq7mX2vL9p"'),
        ('title = "Memorandum with TUT"', 'event "mou-tut"'),
    ],
)
def test_unknown_key_in_table(anchor: str, table: str) -> None:
    assert_error(edit(anchor, f"{anchor}\ncolour = 1"), table, "colour", "unknown key")


# ---------------------------------------------------------------- missing keys


@pytest.mark.parametrize(
    ("line", "table", "field"),
    [
        ('name = "Forum of Rectors"\n', "forum", "name"),
        ('city = "Dushanbe"\n', "forum", "city"),
        ('timezone = "Asia/Dushanbe"\n', "forum", "timezone"),
        ('id = "tut"\n', "venue #1", "id"),
        ('name = "Technological University"\n', 'venue "tut"', "name"),
        ('id = "tict"\n', "group #1", "id"),
        ('name = "TICT"\n', 'group "tict"', "name"),
        ('name = "Anvar Shernayev"\n', 'delegate "tict-Hq7mX2vL9p"', "name"),
        ('code = "tict-Hq7mX2vL9p"\n', "delegate #1", "code"),
        ('id = "mou-tut"\n', "event #1", "id"),
        ('kind = "signing"\n', 'event "mou-tut"', "kind"),
        ('title = "Memorandum with TUT"\n', 'event "mou-tut"', "title"),
        ("starts = 2023-09-14T10:00:00\n", 'event "mou-tut"', "starts"),
        ("ends = 2023-09-14T11:00:00\n", 'event "mou-tut"', "ends"),
    ],
)
def test_missing_required_key(line: str, table: str, field: str) -> None:
    text = edit(line, "")
    if field == "id" and table == "group #1":
        text = edit('group = "tict"\n', "", edit('audience = ["tict"]\n', "", text))
    if field == "id" and table == "venue #1":
        text = edit('venue = "tut"\n', "", text)
    assert_error(text, table, field, "missing required key")


def test_empty_required_text() -> None:
    assert_error(edit('city = "Dushanbe"', 'city = ""'), "forum", "city", "empty")


# ---------------------------------------------------------------- wrong types


def test_lat_not_a_number() -> None:
    assert_error(edit("lat = 38.5", 'lat = "38.5"'), 'venue "tut"', "lat", "number")


def test_lat_boolean_is_not_a_number() -> None:
    assert_error(edit("lat = 38.5", "lat = true"), 'venue "tut"', "lat", "number")


def test_name_not_a_string() -> None:
    assert_error(edit('name = "TICT"', "name = 7"), 'group "tict"', "name", "string")


def test_starts_not_a_datetime() -> None:
    text = edit("starts = 2023-09-14T10:00:00", 'starts = "2023-09-14 10:00"')
    assert_error(text, 'event "mou-tut"', "starts", "local date-time")


def test_starts_a_date_only() -> None:
    text = edit("starts = 2023-09-14T10:00:00", "starts = 2023-09-14")
    assert_error(text, 'event "mou-tut"', "starts", "local date-time")


def test_starts_with_offset() -> None:
    text = edit("starts = 2023-09-14T10:00:00", "starts = 2023-09-14T10:00:00+05:00")
    assert_error(text, 'event "mou-tut"', "starts", "without an offset")


def test_remind_not_a_boolean() -> None:
    assert_error(BASE + 'remind = "yes"\n', 'event "mou-tut"', "remind", "true or false")


def test_audience_not_a_list() -> None:
    text = edit('audience = ["tict"]', 'audience = "tict"')
    assert_error(text, 'event "mou-tut"', "audience", "array")


def test_audience_empty() -> None:
    text = edit('audience = ["tict"]', "audience = []")
    assert_error(text, 'event "mou-tut"', "audience", "at least one")


def test_title_not_text() -> None:
    assert_error(edit('title = "Memorandum with TUT"', "title = 5"), 'event "mou-tut"', "title")


def test_venue_written_as_a_table() -> None:
    text = BASE.replace("[[venue]]", "[venue]").replace('venue = "tut"\n', "")
    assert_error(text, "top level", "venue", "array of tables")


# ---------------------------------------------------------------- values


def test_bad_timezone() -> None:
    text = edit('timezone = "Asia/Dushanbe"', 'timezone = "Asia/Atlantis"')
    assert_error(text, "forum", "timezone", "Asia/Atlantis")


def test_ends_before_starts() -> None:
    text = edit("ends = 2023-09-14T11:00:00", "ends = 2023-09-14T09:00:00")
    assert_error(text, 'event "mou-tut"', "ends", "ends before starts")


def test_ends_equal_starts() -> None:
    text = edit("ends = 2023-09-14T11:00:00", "ends = 2023-09-14T10:00:00")
    assert_error(text, 'event "mou-tut"', "ends", "ends when it starts")


def test_unknown_event_venue() -> None:
    text = edit('venue = "tut"', 'venue = "kremlin"')
    assert_error(text, 'event "mou-tut"', "venue", "unknown venue 'kremlin'")


def test_unknown_audience_group() -> None:
    text = edit('audience = ["tict"]', 'audience = ["tict", "mit"]')
    assert_error(text, 'event "mou-tut"', "audience", "unknown group 'mit'")


def test_unknown_delegate_group() -> None:
    text = edit('group = "tict"', 'group = "mit"')
    assert_error(text, 'delegate "tict-Hq7mX2vL9p"', "group", "unknown group 'mit'")


@pytest.mark.parametrize(
    ("block", "table", "what"),
    [
        ('[[venue]]\nid = "tut"\nname = "Again"\n', 'venue "tut"', "duplicate venue id"),
        ('[[group]]\nid = "tict"\nname = "Again"\n', 'group "tict"', "duplicate group id"),
        (
            '[[event]]\nid = "mou-tut"\nkind = "other"\ntitle = "Again"\n'
            "starts = 2023-09-14T12:00:00\nends = 2023-09-14T13:00:00\n",
            'event "mou-tut"',
            "duplicate event id",
        ),
    ],
)
def test_duplicate_id(block: str, table: str, what: str) -> None:
    assert_error(BASE + block, table, "id", what)


def test_duplicate_code() -> None:
    block = '[[delegate]]\nname = "Someone"\ncode = "tict-Hq7mX2vL9p"\n'
    assert_error(BASE + block, 'delegate "tict-Hq7mX2vL9p"', "code", "duplicate code")


def test_duplicate_code_ignoring_case() -> None:
    block = '[[delegate]]\nname = "Someone"\ncode = "TICT-HQ7MX2VL9P"\n'
    assert_error(BASE + block, 'delegate "TICT-HQ7MX2VL9P"', "code", "duplicate code")


@pytest.mark.parametrize("code", ["has space", "x" * 65, "ключ", "a/b"])
def test_bad_code(code: str) -> None:
    text = edit('code = "tict-Hq7mX2vL9p"', f'code = "{code}"')
    assert_error(text, f'delegate "{code}"', "code", "bad code")


@pytest.mark.parametrize(
    ("line", "table"),
    [
        ('id = "tut"', "venue"),
        ('id = "tict"', "group"),
        ('id = "mou-tut"', "event"),
    ],
)
def test_bad_id(line: str, table: str) -> None:
    text = edit(line, 'id = "bad:id"')
    assert_error(text, f'{table} "bad:id"', "id", "bad id")


def test_event_id_longer_than_button_data_allows() -> None:
    long_id = "e" * 33
    text = edit('id = "mou-tut"', f'id = "{long_id}"')
    assert_error(text, f'event "{long_id}"', "id", "use 1-32")


def test_code_may_be_64_characters() -> None:
    text = edit('code = "tict-Hq7mX2vL9p"', f'code = "{"Kq7W-" * 12}abcd"')
    parse_forum(text, "forum.toml")


def test_unknown_kind() -> None:
    text = edit('kind = "signing"', 'kind = "banquet"')
    assert_error(text, 'event "mou-tut"', "kind", "unknown kind 'banquet'")


def test_unknown_role() -> None:
    text = edit('group = "tict"', 'group = "tict"\nrole = "king"')
    assert_error(text, 'delegate "tict-Hq7mX2vL9p"', "role", "unknown role 'king'")


def test_localised_text_unknown_language() -> None:
    text = edit('title = "Memorandum with TUT"', 'title = { en = "MoU", fr = "Protocole" }')
    assert_error(text, 'event "mou-tut"', "title", "unknown language 'fr'")
    text = edit('title = "Memorandum with TUT"', 'title = { en = "MoU", uz_Cyrl = "Мемо" }')
    assert_error(text, 'event "mou-tut"', "title", "allowed: en, ru, uz, uz-Cyrl, tg, kk, ky, tk")


def test_localised_text_empty_table() -> None:
    text = edit('title = "Memorandum with TUT"', "title = {}")
    assert_error(text, 'event "mou-tut"', "title", "empty")


def test_localised_text_empty_string() -> None:
    assert_error(BASE + 'bring = ""\n', 'event "mou-tut"', "bring", "empty")


def test_localised_text_empty_translation() -> None:
    assert_error(
        BASE + 'description = { en = "x", ru = "" }\n',
        'event "mou-tut"',
        "description",
        "'ru' must not be empty",
    )


def test_arrive_early_negative() -> None:
    assert_error(BASE + "arrive_early = -5\n", 'event "mou-tut"', "arrive_early", "negative")


@pytest.mark.parametrize("value", ["12.5", "true", '"20"'])
def test_arrive_early_not_an_int(value: str) -> None:
    text = BASE + f"arrive_early = {value}\n"
    assert_error(text, 'event "mou-tut"', "arrive_early", "whole number")


def test_lat_out_of_range() -> None:
    assert_error(edit("lat = 38.5", "lat = 91"), 'venue "tut"', "lat", "out of range")


def test_lon_out_of_range() -> None:
    assert_error(edit("lon = 68.7", "lon = -180.5"), 'venue "tut"', "lon", "out of range")



@pytest.mark.parametrize(
    ("old", "new", "table", "field"),
    [
        ('title = "Memorandum with TUT"', f'title = "{"x" * 301}"', 'event "mou-tut"', "title"),
        ('name = "Technological University"', f'name = "{"x" * 301}"', 'venue "tut"', "name"),
    ],
)
def test_a_text_too_long_for_a_message(old: str, new: str, table: str, field: str) -> None:
    assert_error(edit(old, new), table, field, "characters long; at most 300")


def test_a_localised_text_too_long_for_a_message() -> None:
    long = "d" * 1501
    text = edit('audience = ["tict"]', f'audience = ["tict"]\ndescription = {{ en = "{long}" }}')
    assert_error(text, 'event "mou-tut"', "description", "text for 'en' is 1501 characters long")
