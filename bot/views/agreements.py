"""How the agreements look in a chat: the list, a card (with the organisers' buttons), the
confirmations and answers, the block on a signing event's card, a signatory's reminder
lines, and the notice a signatory gets. Every value from the forum file is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.views.agreement_labels import STATUS_MARKS, kind_label, status_label
from bot.views.agreement_news import Translate, news_texts
from bot.views.callbacks import AgreementCb, AgreementPhotoCb, AgreementStatusCb, EventCb
from bot.views.keyboard import Keyboard
from bot.views.languages import LANGUAGE_NAMES
from bot.views.texts import bold, clip, current_locale, day_label, esc, fmt, hhmm, italic
from schedule.agreements import (
    MAX_PHOTOS,
    AgreementCard,
    SigningFacts,
    StatusRefusal,
    allowed_statuses,
    is_signatory,
    our_signers,
    signed_at_event,
)
from schedule.model import Agreement, Delegate, Event, Forum

Rendered = tuple[str, InlineKeyboardMarkup | None]
# The agreement a photo replies to is read from the card's last line (see card_text).
_ID_LINE = re.compile(r"🆔\s*([A-Za-z0-9_-]{1,32})")
# The news goes out in the languages of the visit's announcement.
NEWS_LANGUAGES = ("en", "ru", "uz")


def title(agreement: Agreement) -> str:
    return esc(agreement.title.get(current_locale()))


def status_line(agreement: Agreement) -> str:
    mark = STATUS_MARKS.get(agreement.status, "")
    return f"{mark} {bold(esc(status_label(agreement.status, _)))}"


def _when(event: Event, forum: Forum) -> str:
    tz = forum.timezone
    return f"{day_label(event.starts, tz)}, {hhmm(event.starts, tz)}"


def _detail_lines(
    agreement: Agreement, forum: Forum, event: Event | None, signatories: Mapping[str, Delegate]
) -> list[str]:
    """Partner, signing, who signs on each side, copies and the items of cooperation."""
    partner = agreement.partner
    if agreement.partner_country:
        partner += f" ({agreement.partner_country})"
    lines = ["🤝 " + fmt(_("Partner: {partner}"), partner=partner)]
    if event is not None:
        lines.append(
            "🗓 "
            + fmt(
                _("Signing: {event}, {when}"),
                event=event.title.get(current_locale()),
                when=_when(event, forum),
            )
        )
    ours = our_signers(agreement, signatories)
    if ours:
        lines.append("✍️ " + fmt(_("Signs for the delegation: {names}"), names="; ".join(ours)))
    if agreement.partner_signatories:
        names = "; ".join(agreement.partner_signatories)
        lines.append("✍️ " + fmt(_("Signs for the partner: {names}"), names=names))
    if agreement.copies:
        lines.append("📑 " + fmt(_("Copies to bring: {count}"), count=agreement.copies))
    if agreement.scope:
        lines.append(bold(esc(_("Areas of cooperation"))))
        lines.extend("• " + esc(item.get(current_locale())) for item in agreement.scope)
    return lines


def card_text(card: AgreementCard, *, organiser: bool) -> str:
    agreement = card.agreement
    lines = [
        "📄 " + bold(title(agreement)),
        italic(esc(kind_label(agreement.kind, _))),
        status_line(agreement),
    ]
    if agreement.status == "signed" and agreement.signed_at is not None:
        tz = card.forum.timezone
        when = f"{day_label(agreement.signed_at, tz)}, {hhmm(agreement.signed_at, tz)}"
        who = card.marked_by or "—"
        lines.append(fmt(_("Marked signed on {when} by {who}."), when=when, who=who))
    lines.extend(_detail_lines(agreement, card.forum, card.event, card.signatories))
    if organiser:
        photos = fmt(_("Photos: {count} of {limit}"), count=card.photos, limit=MAX_PHOTOS)
        lines.append("📷 " + photos)
        lines.append("🆔 " + esc(agreement.id))  # a photo sent as a reply finds it here
    return "\n".join(lines)


def card_keyboard(card: AgreementCard, *, organiser: bool) -> InlineKeyboardMarkup | None:
    """Organisers: a button per status it may take, and Add photo; everyone: the event."""
    agreement = card.agreement
    keyboard = Keyboard()
    rows: list[int] = []
    if organiser:
        allowed = allowed_statuses(agreement.status)
        for status in allowed:
            keyboard.button(
                text=f"{STATUS_MARKS[status]} {status_label(status, _)}",
                callback_data=AgreementStatusCb(id=agreement.id, to=status, was=agreement.status),
            )
        rows.extend([2] * (len(allowed) // 2) + [1] * (len(allowed) % 2))
        photo = AgreementPhotoCb(id=agreement.id)
        keyboard.button(text="📷 " + _("Add photo"), callback_data=photo)
        rows.append(1)
    if card.event is not None and card.event.status != "removed":
        keyboard.button(
            text="🗓 " + clip(card.event.title.get(current_locale())),
            callback_data=EventCb(id=card.event.id),
        )
        rows.append(1)
    if not rows:
        return None
    return keyboard.adjust(*rows).as_markup()


def card_message(card: AgreementCard, *, organiser: bool) -> Rendered:
    return card_text(card, organiser=organiser), card_keyboard(card, organiser=organiser)


def list_message(agreements: Sequence[Agreement], *, organiser: bool) -> Rendered:
    if not agreements:
        return esc(_("No agreement of the visit concerns you.")), None
    lines = [bold(esc(_("Agreements of the visit")))]
    keyboard = Keyboard()
    for agreement in agreements:
        mark = STATUS_MARKS.get(agreement.status, "")
        status = esc(status_label(agreement.status, _))
        lines.append(f"{mark} {title(agreement)} — {status}")
        if organiser:
            lines[-1] += f" · {esc(agreement.id)}"
        keyboard.button(
            text=f"{mark} {clip(agreement.title.get(current_locale()))}",
            callback_data=AgreementCb(id=agreement.id),
        )
    return "\n\n".join(lines), keyboard.adjust(1).as_markup()


def confirm_message(card: AgreementCard, to: str) -> Rendered:
    agreement = card.agreement
    if to == "signed":
        question = _("Mark this agreement signed? Its signatories will be told.")
    elif to == "cancelled":
        question = _("Cancel this agreement?")
    else:
        question = _("Undo the signature? Who marked it signed, and when, is forgotten.")
    keyboard = Keyboard()
    confirm = _("Confirm")
    keyboard.button(
        text=f"{STATUS_MARKS.get(to, '')} {confirm}",
        callback_data=AgreementStatusCb(id=agreement.id, to=to, was=agreement.status, ok=1),
    )
    keyboard.button(text=_("Keep it"), callback_data=AgreementCb(id=agreement.id, redraw=1))
    text = card_text(card, organiser=True) + "\n\n" + bold(esc(question))
    return text, keyboard.adjust(2).as_markup()


def status_set(card: AgreementCard) -> str:
    """A button's answer: plain text (not HTML), and Telegram shows 200 characters of it."""
    return _("{title}: now {status}.").format(
        title=clip(card.agreement.title.get(current_locale()), 120),
        status=status_label(card.agreement.status, _),
    )


def refusal(reason: StatusRefusal) -> str:
    if reason == "same":
        return _("It already has this status.")
    return _("This status cannot follow the current one.")  # or one the bot does not set


def changed_meanwhile() -> str:
    return _("Someone changed this agreement meanwhile; here it is as it is now.")


def gone() -> str:
    return _("This agreement is no longer in your programme.")


def news_message(facts: SigningFacts, translators: Mapping[str, Translate]) -> str:
    """The news of a signing in the languages of the visit, each under its own name."""
    texts = news_texts(facts, {lang: translators[lang] for lang in NEWS_LANGUAGES})
    parts = ["📰 " + bold(esc(_("The news of the signing, to forward:")))]
    for lang, text in texts.items():
        parts.append(f"{bold(esc(LANGUAGE_NAMES[lang]))}\n{esc(text)}")
    return "\n\n".join(parts)


def signed_notice(agreement: Agreement, forum: Forum) -> str:
    """What a signatory is told when an organiser marks their agreement signed."""
    when = ""
    if agreement.signed_at is not None:
        when = day_label(agreement.signed_at, forum.timezone)
    return "✅ " + fmt(
        _("Signed: {title}, with {partner}, {when}."),
        title=agreement.title.get(current_locale()),
        partner=agreement.partner,
        when=when,
    )


# ---------------------------------------------------------------- photos


def agreement_replied_to(text: str | None) -> str | None:
    """The id of the agreement whose card (or photo prompt) a message replies to."""
    found = _ID_LINE.search(text or "")
    return found.group(1) if found else None


def photo_prompt(agreement: Agreement) -> str:
    name = agreement.title.get(current_locale())
    ask = fmt(_("Send the photos of the signing of {title} now, as photos."), title=name)
    return f"📷 {ask}\n🆔 {esc(agreement.id)}"


def photo_answer(outcome: str, agreement: Agreement, count: int) -> str:
    name = agreement.title.get(current_locale())
    if outcome == "duplicate":
        return esc(_("This photo is attached already."))
    if outcome == "full":
        full = _("{title} has {limit} photos already: that is the most kept.")
        return fmt(full, title=name, limit=MAX_PHOTOS)
    added = _("Photo attached to {title} ({count} of {limit}).")
    return fmt(added, title=name, count=count, limit=MAX_PHOTOS)


def photo_flow_over() -> str:
    return esc(_("Press Add photo on the agreement's card first."))


# ---------------------------------------------------------------- on other messages


def event_block(event: Event, forum: Forum, signatories: Mapping[str, Delegate]) -> list[str]:
    """The agreements signed at ``event``, for its card."""
    lines: list[str] = []
    for agreement in signed_at_event(forum.agreements, event.id):
        lines.append("")
        kind = italic(esc(kind_label(agreement.kind, _)))
        lines.append(f"📄 {bold(title(agreement))} · {kind}")
        lines.append(status_line(agreement))
        lines.extend(_detail_lines(agreement, forum, None, signatories))
    return lines


def signatory_lines(event: Event, forum: Forum, code: str | None) -> list[str]:
    """For a signatory's reminder: that they sign, and the copies to bring."""
    lines = []
    for agreement in signed_at_event(forum.agreements, event.id):
        if not is_signatory(agreement, code) or agreement.status in ("signed", "cancelled"):
            continue
        name = agreement.title.get(current_locale())
        lines.append("✍️ " + bold(fmt(_("You sign: {title}"), title=name)))
        if agreement.copies:
            lines.append("📑 " + fmt(_("Copies to bring: {count}"), count=agreement.copies))
    return lines


# ---------------------------------------------------------------- /report


def report_captions() -> tuple[str, str]:
    return esc(_("The report of the visit")), esc(_("The register of agreements"))


def photos_not_fetched(count: int) -> str:
    text = _("Photos Telegram did not hand over: {count}. The report names them.")
    return fmt(text, count=count)
