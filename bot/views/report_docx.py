"""The report of the visit as a Word document (python-docx): the forum, the delegation, the
programme as held, the agreements with their photos, and what was moved or cancelled.

Plain data in (:class:`schedule.visit_report.VisitReport`), bytes out; ``_`` translates into
the reader's language. No aiogram: the handler fetches the photos and hands them in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from babel.dates import format_date
from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Cm, Pt

from bot.views.agreement_labels import (
    Translate,
    kind_label,
    outcome_label,
    role_label,
    status_label,
)
from bot.views.agreement_news import news_date
from schedule.agreements import our_signers, signed_on
from schedule.model import Agreement, Delegate, Forum
from schedule.visit_report import ProgrammeChange, ReportPhoto, VisitReport, event_outcome

log = logging.getLogger(__name__)
FONT = "Times New Roman"  # has Cyrillic and the Uzbek ʻ in Word and in LibreOffice
PHOTO_WIDTH = Cm(12)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BABEL_LOCALES = {"uz": "uz_Latn"}


def clean(text: str) -> str:
    """Text that XML can hold: a control character from a TOML escape is dropped, not fatal."""
    return _NOT_XML.sub("", text)


def report_docx(report: VisitReport, lang: str, _: Translate) -> bytes:
    """The report in ``lang`` as the bytes of a .docx file."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    forum = report.forum
    doc.core_properties.title = clean(_("Report on the visit") + ": " + forum.name)
    doc.core_properties.language = lang
    _front(doc, report, lang, _)
    _delegation(doc, report, _)
    _programme(doc, report, lang, _)
    _agreements(doc, report, lang, _)
    _changes(doc, report, lang, _)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _locale(lang: str) -> str:
    return _BABEL_LOCALES.get(lang, lang)


def _front(doc: DocumentObject, report: VisitReport, lang: str, _: Translate) -> None:
    forum = report.forum
    tz = forum.timezone
    doc.add_heading(clean(_("Report on the visit")), level=0)
    doc.add_paragraph().add_run(clean(forum.name)).bold = True
    starts = [h.event.starts for h in report.programme] or [report.made_at]
    ends = [h.event.ends for h in report.programme] or [report.made_at]
    first = min(starts).astimezone(tz).date()
    last = max(ends).astimezone(tz).date()
    dates = news_date(first, lang)
    if last != first:
        dates += " – " + news_date(last, lang)
    doc.add_paragraph(clean(f"{forum.city}, {dates}"))
    made = report.made_at.astimezone(tz)
    doc.add_paragraph(
        clean(
            _("Prepared on {date} at {time} ({city} time).").format(
                date=news_date(made.date(), lang), time=f"{made:%H:%M}", city=forum.city
            )
        )
    )


def _table(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(text)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = clean(text)


def _group_name(forum: Forum, person: Delegate) -> str:
    group = forum.group(person.group)
    return group.name if group else ""


def _delegation(doc: DocumentObject, report: VisitReport, _: Translate) -> None:
    doc.add_heading(clean(_("The delegation")), level=1)
    rows = [
        [str(number), d.name, d.position, _group_name(report.forum, d), role_label(d.role, _)]
        for number, d in enumerate(report.delegates, start=1)
    ]
    _table(doc, ["№", _("Name"), _("Position"), _("Group"), _("Role")], rows)


def _programme(doc: DocumentObject, report: VisitReport, lang: str, _: Translate) -> None:
    forum = report.forum
    tz = forum.timezone
    doc.add_heading(clean(_("The programme as held")), level=1)
    rows = []
    for held in report.programme:
        event = held.event
        venue = forum.venue(event.venue)
        rows.append(
            [
                format_date(event.starts.astimezone(tz).date(), "d MMMM", locale=_locale(lang)),
                f"{event.starts.astimezone(tz):%H:%M}–{event.ends.astimezone(tz):%H:%M}",
                event.title.get(lang),
                venue.name if venue else "",
                outcome_label(event_outcome(event, report.made_at), _),
                f"{held.present} / {held.expected}",
            ]
        )
    header = [_("Date"), _("Time"), _("Event"), _("Venue"), _("Status"), _("Present / expected")]
    _table(doc, header, rows)


def _agreements(doc: DocumentObject, report: VisitReport, lang: str, _: Translate) -> None:
    doc.add_heading(clean(_("Agreements")), level=1)
    if not report.agreements:
        doc.add_paragraph(clean(_("No agreements.")))
    for agreement in report.agreements:
        _agreement(doc, report, agreement, lang, _)


def _agreement(
    doc: DocumentObject, report: VisitReport, agreement: Agreement, lang: str, _: Translate
) -> None:
    forum = report.forum
    doc.add_heading(clean(agreement.title.get(lang)), level=2)
    event = report.event(agreement.event)
    day = signed_on(agreement, event, forum.timezone)
    ours = our_signers(agreement, report.signatories)
    partner = agreement.partner
    if agreement.partner_country:
        partner += f" ({agreement.partner_country})"
    rows = [
        [_("Kind"), kind_label(agreement.kind, _)],
        [_("Partner"), partner],
        [_("Status"), status_label(agreement.status, _)],
        [_("Date signed"), news_date(day, lang) if day else "—"],
        [_("Signed for the delegation"), "; ".join(ours) or "—"],
        [_("Signed for the partner"), "; ".join(agreement.partner_signatories) or "—"],
    ]
    if event is not None:
        when = news_date(event.starts.astimezone(forum.timezone).date(), lang)
        rows.append([_("Signing event"), f"{event.title.get(lang)} ({when})"])
    if agreement.copies:
        rows.append([_("Copies"), str(agreement.copies)])
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(clean(label)).bold = True
        cells[1].text = clean(value)
    if agreement.scope:
        doc.add_paragraph().add_run(clean(_("Areas of cooperation"))).bold = True
        for item in agreement.scope:
            doc.add_paragraph(clean(item.get(lang)), style="List Bullet")
    _photos(doc, report.photos.get(agreement.id, ()), _)


def _photos(doc: DocumentObject, photos: Sequence[ReportPhoto], _: Translate) -> None:
    if not photos:
        return
    doc.add_paragraph().add_run(clean(_("Photos"))).bold = True
    for number, photo in enumerate(photos, start=1):
        if photo.content is not None:
            try:
                doc.add_picture(BytesIO(photo.content), width=PHOTO_WIDTH)
                continue
            except Exception as error:  # a picture it cannot read must not cost the report
                log.warning("photo %s is not an image python-docx reads: %r", photo.file_id, error)
        doc.add_paragraph(
            clean(
                _("Photo {number} could not be fetched from Telegram ({file_id}).").format(
                    number=number, file_id=photo.file_id
                )
            )
        )


def _when(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    local = moment.astimezone(tz)
    return f"{news_date(local.date(), lang)}, {local:%H:%M}"


def change_lines(
    changes: Sequence[ProgrammeChange], forum: Forum, lang: str, _: Translate
) -> list[str]:
    """One line per change: removed, cancelled, moved, a new place."""
    tz = forum.timezone
    lines = []
    for change in changes:
        event = change.event
        title = event.title.get(lang)
        was = _when(change.first_starts, tz, lang)
        if event.status == "removed":
            removed = _("Removed from the programme: {title}").format(title=title)
            lines.append(f"{removed} ({was})")
            continue
        if event.status == "cancelled":
            lines.append(
                _("Cancelled: {title}").format(title=title)
                + ". "
                + _("It was planned for {when}.").format(when=was)
            )
            continue
        if change.moved:
            moved = _("Moved: {title} now {new}, was {old}")
            lines.append(moved.format(title=title, new=_when(event.starts, tz, lang), old=was))
        if change.new_venue:
            new = forum.venue(event.venue)
            old = forum.venue(change.first_venue)
            lines.append(
                _("New place for {title}: {venue}, was {old}").format(
                    title=title,
                    venue=new.name if new else _("to be announced"),
                    old=old.name if old else _("to be announced"),
                )
            )
    return lines


def _changes(doc: DocumentObject, report: VisitReport, lang: str, _: Translate) -> None:
    doc.add_heading(clean(_("Changes to the programme")), level=1)
    lines = change_lines(report.changes, report.forum, lang, _)
    if not lines:
        doc.add_paragraph(clean(_("No event was moved or cancelled.")))
    for line in lines:
        doc.add_paragraph(clean(line), style="List Bullet")
