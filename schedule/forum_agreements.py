"""Reading the forum file's ``[[agreement]]`` tables: the documents the delegation signs.

Like the other tables, every problem names the file, the agreement and the field, and an
agreement with a problem is not returned (the caller imports nothing of an invalid file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schedule.forum_fields import MISSING, TableReader, type_name
from schedule.model import AGREEMENT_KINDS, AGREEMENT_STATUSES, Agreement, Localized

AGREEMENT_KEYS = frozenset(
    {
        "id",
        "kind",
        "title",
        "partner",
        "partner_country",
        "event",
        "signatories",
        "partner_signatories",
        "scope",
        "copies",
        "status",
    }
)
MAX_COPIES = 10
MAX_LIST = 20  # signatories or scope items: a card must still fit one message

# ISO 3166-1 alpha-2, the 249 officially assigned codes.
_COUNTRIES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRIES.split())


class _ItemReader(TableReader):
    """One item of an array field, reported as ``field "scope": item #2: ...``."""

    def __init__(self, parent: TableReader, key: str, number: int, value: object) -> None:
        self.errors = parent.errors
        self.prefix = parent.prefix
        self.data = {key: value}
        self.number = number

    def error(self, key: str, message: str) -> None:
        super().error(key, f"item #{self.number}: {message}")


def parse_agreements(
    errors: list[str],
    filename: str,
    tables: list[dict[str, Any]],
    label: Callable[[dict[str, Any], int], str],
    event_ids: set[str],
    delegate_codes: set[str],
) -> list[Agreement]:
    """The valid agreements of ``tables``, every problem appended to ``errors``.

    ``event_ids`` and ``delegate_codes`` are those the file declares, so that a mistake in
    an event is reported once, at the event, and not again at its agreement.
    """
    agreements: list[Agreement] = []
    seen: set[str] = set()
    for number, data in enumerate(tables, start=1):
        table = TableReader(errors, filename, label(data, number), data, AGREEMENT_KEYS)
        before = len(errors)
        ident = table.ident("id")
        if ident is not None:
            if ident in seen:
                table.error("id", f"duplicate agreement id {ident!r}")
            seen.add(ident)
        kind = table.choice("kind", AGREEMENT_KINDS, required=True)
        title = table.localized("title", required=True)
        partner = table.text("partner", required=True)
        country = _country(table)
        event = table.text("event")
        if event is not None and event not in event_ids:
            table.error("event", f"unknown event {event!r}")
        signatories = _names(table, "signatories")
        for code in signatories:
            if code not in delegate_codes:
                table.error("signatories", f"unknown delegate code {code!r}")
        partner_signatories = _names(table, "partner_signatories")
        scope = _scope(table)
        copies = _copies(table)
        status = table.choice("status", AGREEMENT_STATUSES, required=False) or "planned"
        if len(errors) > before:
            continue
        assert ident and kind and title and partner  # guaranteed by no new errors
        agreements.append(
            Agreement(
                id=ident,
                kind=kind,
                title=title,
                partner=partner,
                partner_country=country,
                event=event,
                signatories=signatories,
                partner_signatories=partner_signatories,
                scope=scope,
                copies=copies,
                status=status,  # type: ignore[arg-type]  # one of AGREEMENT_STATUSES
            )
        )
    return agreements


def _country(table: TableReader) -> str | None:
    code = table.text("partner_country")
    if code is not None and code not in COUNTRY_CODES:
        table.error(
            "partner_country",
            f"unknown country code {code!r}: use ISO 3166-1 alpha-2, two capitals like TJ",
        )
        return None
    return code


def _array(table: TableReader, key: str) -> list[Any] | None:
    value = table.value(key, False)
    if value is MISSING:
        return None
    if not isinstance(value, list):
        table.error(key, f"must be an array, not {type_name(value)}")
        return None
    if not value:
        table.error(key, "must not be an empty array (omit it instead)")
        return None
    if len(value) > MAX_LIST:
        table.error(key, f"has {len(value)} items; at most {MAX_LIST} fit a card")
        return None
    return value


def _names(table: TableReader, key: str) -> tuple[str, ...]:
    """An array of non-empty strings (codes or names), repeated ones once, in order."""
    items = _array(table, key)
    if items is None:
        return ()
    names: list[str] = []
    for number, item in enumerate(items, start=1):
        name = _ItemReader(table, key, number, item).text(key)
        if name is not None:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _scope(table: TableReader) -> tuple[Localized, ...]:
    items = _array(table, "scope")
    if items is None:
        return ()
    scope = [
        _ItemReader(table, "scope", number, item).localized("scope")
        for number, item in enumerate(items, start=1)
    ]
    return tuple(item for item in scope if item is not None)


def _copies(table: TableReader) -> int | None:
    value = table.value("copies", False)
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        table.error("copies", f"must be a whole number, not {type_name(value)}")
        return None
    if not 1 <= value <= MAX_COPIES:
        table.error("copies", f"{value} is out of range (1 to {MAX_COPIES})")
        return None
    return value
