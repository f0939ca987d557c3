"""The forum file's [[agreement]] table: the sample's four agreements, and every problem."""

from __future__ import annotations

import pytest

from schedule.forum_file import SAMPLE_FORUM_PATH, ForumFileError, load_forum_file, parse_forum
from schedule.model import Localized
from tests.test_forum_file import BASE, FILE, assert_error, edit, errors_of

AGREEMENT = """
[[agreement]]
id = "mou-tut"
kind = "memorandum"
title = { en = "MoU with TUT", ru = "Меморандум с ТУТ", uz = "TTU bilan memorandum" }
partner = "Technological University of Tajikistan"
partner_country = "TJ"
event = "mou-tut"
signatories = ["tict-Hq7mX2vL9p"]
partner_signatories = ["Rector of TUT"]
scope = [{ en = "Joint programmes", ru = "Совместные программы" }, "Student mobility"]
copies = 2
status = "ready"
"""
WITH = BASE + AGREEMENT
TABLE = 'agreement "mou-tut"'
TITLE = 'title = { en = "MoU with TUT", ru = "Меморандум с ТУТ", uz = "TTU bilan memorandum" }\n'
PARTNER = 'partner = "Technological University of Tajikistan"'
COUNTRY = 'partner_country = "TJ"'
SIGNS = 'signatories = ["tict-Hq7mX2vL9p"]'
THEIRS = 'partner_signatories = ["Rector of TUT"]'
SCOPE = 'scope = [{ en = "Joint programmes", ru = "Совместные программы" }, "Student mobility"]'
MANY = "scope = [" + ", ".join(['"s"'] * 21) + "]"


def test_sample_has_the_four_agreements_of_the_visit() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    by_id = {a.id: a for a in forum.agreements}
    assert list(by_id) == ["mou-tut", "agreement-ips", "agreement-sughd", "mou-osh"]
    events = {e.id: e for e in forum.events}
    for agreement in forum.agreements:
        assert agreement.event is not None and events[agreement.event].kind == "signing"
        assert agreement.signatories == ("tict-Hq7mX2vL9p",)
        assert agreement.copies == 2 and agreement.status == "planned"
        assert set(agreement.title.texts) == {"en", "ru", "uz"}
        assert all(set(item.texts) == {"en", "ru", "uz"} for item in agreement.scope)
    assert [by_id[i].kind for i in by_id] == ["memorandum", "agreement", "agreement", "memorandum"]
    assert by_id["mou-osh"].partner_country == "KG"
    ips = [item.get("en") for item in by_id["agreement-ips"].scope]
    assert ips[0].startswith("International joint educational programmes from the 2023-2024")
    assert "Student academic mobility" in ips and len(ips) == 4
    osh = [item.get("ru") for item in by_id["mou-osh"].scope]
    assert osh == [
        "Подготовка инженеров в области пищевых и химических технологий",
        "Стажировки профессоров",
    ]
    assert "Sugʻd" in by_id["agreement-sughd"].title.get("uz")


def test_all_fields_are_read() -> None:
    (agreement,) = parse_forum(WITH, FILE).agreements
    assert agreement.id == "mou-tut" and agreement.kind == "memorandum"
    assert agreement.title.get("ru") == "Меморандум с ТУТ"
    assert agreement.partner == "Technological University of Tajikistan"
    assert agreement.partner_country == "TJ" and agreement.event == "mou-tut"
    assert agreement.signatories == ("tict-Hq7mX2vL9p",)
    assert agreement.partner_signatories == ("Rector of TUT",)
    assert agreement.scope == (
        Localized({"en": "Joint programmes", "ru": "Совместные программы"}),
        Localized.plain("Student mobility"),
    )
    assert agreement.copies == 2 and agreement.status == "ready"
    assert agreement.signed_at is None and agreement.signed_by is None


def test_only_the_required_fields() -> None:
    text = BASE + '[[agreement]]\nid = "a1"\nkind = "other"\ntitle = "A"\npartner = "P"\n'
    (agreement,) = parse_forum(text, FILE).agreements
    assert agreement.status == "planned" and agreement.event is None
    assert agreement.signatories == () and agreement.scope == () and agreement.copies is None


def test_a_file_without_agreements_has_none() -> None:
    assert parse_forum(BASE, FILE).agreements == ()


def test_repeated_signatories_count_once() -> None:
    text = edit(SIGNS, 'signatories = ["tict-Hq7mX2vL9p", "tict-Hq7mX2vL9p"]', WITH)
    assert parse_forum(text, FILE).agreements[0].signatories == ("tict-Hq7mX2vL9p",)




@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('id = "mou-tut"\nkind = "memorandum"', 'kind = "memorandum"', "id", "missing required"),
        ('kind = "memorandum"', 'kind = "treaty"', "kind", "unknown kind 'treaty'"),
        ('kind = "memorandum"\n', "", "kind", "missing required key"),
        (TITLE, "", "title", "missing required key"),
        ('uz = "TTU bilan memorandum"', 'de = "MoU"', "title", "unknown language 'de'"),
        (PARTNER + "\n", "", "partner", "missing required key"),
        (PARTNER, 'partner = "  "', "partner", "must not be empty"),
        (PARTNER, "partner = 5", "partner", "must be a string"),
        (COUNTRY, 'partner_country = "tj"', "partner_country", "ISO 3166-1 alpha-2"),
        (COUNTRY, 'partner_country = "XX"', "partner_country", "unknown country code 'XX'"),
        (COUNTRY, 'partner_country = "TJK"', "partner_country", "two capitals"),
        ('event = "mou-tut"', 'event = "mou-osh"', "event", "unknown event 'mou-osh'"),
        ('event = "mou-tut"', "event = 1", "event", "must be a string"),
        (SIGNS, 'signatories = ["nobody"]', "signatories", "unknown delegate code 'nobody'"),
        (SIGNS, 'signatories = "tict-Hq7mX2vL9p"', "signatories", "must be an array"),
        (SIGNS, "signatories = []", "signatories", "must not be an empty array"),
        (SIGNS, "signatories = [7]", "signatories", "item #1: must be a string"),
        (THEIRS, 'partner_signatories = ["R", ""]', "partner_signatories", "item #2: must not be"),
        (THEIRS, f'partner_signatories = ["{"x" * 301}"]', "partner_signatories", "at most 300"),
        ('"Student mobility"]', '{ en = "" }]', "scope", "item #2: text for 'en' must not be"),
        ('"Student mobility"]', "3]", "scope", "item #2: must be a string or a table of"),
        (SCOPE, "scope = {}", "scope", "must be an array"),
        (SCOPE, MANY, "scope", "at most 20"),
        ("copies = 2", "copies = 0", "copies", "out of range (1 to 10)"),
        ("copies = 2", "copies = 11", "copies", "out of range (1 to 10)"),
        ("copies = 2", "copies = 2.5", "copies", "whole number"),
        ("copies = 2", "copies = true", "copies", "whole number"),
        ('status = "ready"', 'status = "done"', "status", "unknown status 'done'"),
        ('status = "ready"', 'status = "ready"\nsigned_at = 2023-09-14', "signed_at", "unknown"),
    ],
)
def test_each_problem_names_file_agreement_and_field(
    old: str, new: str, field: str, fragment: str
) -> None:
    text = edit(old, new, WITH)
    table = TABLE if field != "id" else "agreement #1"
    assert_error(text, table, field, fragment)
    with pytest.raises(ForumFileError):  # nothing of the file comes through
        parse_forum(text, FILE)


def test_bad_id_and_duplicate_id() -> None:
    text = edit('id = "mou-tut"\nkind = "memorandum"', 'id = "mou tut"\nkind = "memorandum"', WITH)
    assert_error(text, 'agreement "mou tut"', "id", "bad id")
    assert_error(WITH + AGREEMENT, TABLE, "id", "duplicate agreement id 'mou-tut'")


def test_not_an_array_of_tables() -> None:
    text = BASE.replace("[forum]", 'agreement = "x"\n[forum]')
    errors = errors_of(text)
    assert any('top level: field "agreement": must be an array of tables' in e for e in errors)


def test_a_broken_event_is_reported_at_the_event_only() -> None:
    """The agreement names an event the file declares: its mistake is the event's."""
    text = edit("ends = 2023-09-14T11:00:00", "ends = 2023-09-14T09:00:00", WITH)
    errors = errors_of(text)
    assert any('event "mou-tut": field "ends"' in e for e in errors)
    assert not any("agreement" in e for e in errors), errors


def test_every_problem_of_one_agreement_is_reported_together() -> None:
    text = edit("copies = 2", "copies = 0", edit('kind = "memorandum"', 'kind = "x"', WITH))
    errors = [e for e in errors_of(text) if TABLE in e]
    assert len(errors) == 2
