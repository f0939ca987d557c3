"""The short news text of a signing, in every language at once, ready to forward to the
institute's channel.

Plain text, not HTML: it is pasted elsewhere (a chat that shows it escapes it). The
templates are gettext texts like every other, rendered through one translator per language,
so a new catalogue gets its news too. No aiogram here: the caller hands the translators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from babel.dates import format_date

from schedule.agreements import SigningFacts
from schedule.model import Localized

Translate = Callable[[str], str]

# How a date is written in a sentence of news; other languages get Babel's long form.
_DATE_PATTERNS = {"en": "d MMMM y", "ru": "d MMMM y 'г.'", "uz": "y-'yil' d-MMMM"}
_BABEL_LOCALES = {"uz": "uz_Latn"}


def news_date(day: date, lang: str) -> str:
    locale = _BABEL_LOCALES.get(lang, lang)
    return format_date(day, _DATE_PATTERNS.get(lang, "long"), locale=locale)


def _sentence(kind: str, _: Translate) -> str:
    sentences = {
        "memorandum": _(
            "On {date} in {city}, {ours} and {partner} signed a memorandum of understanding."
        ),
        "agreement": _("On {date} in {city}, {ours} and {partner} signed an agreement."),
        "contract": _("On {date} in {city}, {ours} and {partner} signed a contract."),
        "protocol": _("On {date} in {city}, {ours} and {partner} signed a protocol."),
        "other": _("On {date} in {city}, {ours} and {partner} signed a document."),
    }
    return sentences.get(kind, sentences["other"])


def _items(texts: Sequence[Localized], lang: str) -> str:
    return "; ".join(t.get(lang).strip().rstrip(".;") for t in texts)


def news_text(facts: SigningFacts, lang: str, _: Translate) -> str:
    """The news in ``lang``, with ``_`` translating into it."""
    agreement = facts.agreement
    ours = ", ".join(facts.ours) if facts.ours else _("the delegation")
    parts = [
        _sentence(agreement.kind, _).format(
            date=news_date(facts.day, lang), city=facts.city, ours=ours, partner=agreement.partner
        )
    ]
    if agreement.scope:
        items = _items(agreement.scope, lang)
        parts.append(_("Areas of cooperation: {items}.").format(items=items))
    if facts.signers:
        parts.append(_("Signed by: {names}.").format(names="; ".join(facts.signers)))
    return " ".join(parts)


def news_texts(facts: SigningFacts, translators: Mapping[str, Translate]) -> dict[str, str]:
    """The news in each language of ``translators`` (language -> its gettext), in order."""
    return {lang: news_text(facts, lang, translate) for lang, translate in translators.items()}
