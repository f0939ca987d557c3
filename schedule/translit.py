"""Uzbek from the Latin alphabet to the Cyrillic one, by the official correspondence.

The two alphabets map letter to letter (a а, q қ, x х, h ҳ, oʻ ў, gʻ ғ, sh ш, ch ч,
ng нг, ʼ ъ), with the known exceptions: ``e`` is э at the start of a word and after a
vowel, е after a consonant; ``ye``, ``yo``, ``yu``, ``ya`` are е, ё, ю, я, but ``yoʻ`` is
йў (yoʻl, йўл); ``ts`` of loanwords is ц (delegatsiya, делегация) while the ``ts`` of
Uzbek verb forms stays тс (ketsa, кетса; ketsin, кетсин); ``sʼh`` is сҳ (Isʼhoq,
Исҳоқ); the months sentabr and oktabr are сентябр and октябр. People type the
apostrophe of oʻ and gʻ as ʻ ' ‘ ` or ’; all of them are understood.

A word with a letter the Uzbek alphabet does not have (c, w) is a foreign name and is
left as written, and so are web addresses.
"""

from __future__ import annotations

import re

# ʻ (U+02BB, the official one of oʻ gʻ), ʼ (U+02BC, tutuq belgisi), and what people type.
APOSTROPHES = "\u02bb\u02bc'\u2018\u2019`"
VOWELS = frozenset("aeiouAEIOUўЎ")

LETTERS = {
    "a": "а", "b": "б", "d": "д", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з",
}  # fmt: skip
DIGRAPHS = {"sh": "ш", "ch": "ч", "ye": "е", "yo": "ё", "yu": "ю", "ya": "я"}
# Loanwords whose Cyrillic spelling the letters do not give (they keep the Russian я).
STEMS = {"sentabr": "сентябр", "oktabr": "октябр"}

_A = re.escape(APOSTROPHES)
# A word: Latin letters, with an apostrophe inside it, or after o/g (bogʻ ends with one).
_WORD = re.compile(rf"[A-Za-z](?:[A-Za-z]|[{_A}](?=[A-Za-z])|(?<=[oOgG])[{_A}])*")
_FOREIGN = re.compile(r"[wW]|[cC](?![hH])")
_ADDRESS = re.compile(r"\S*(?:://|www\.|@)\S*")


def to_cyrillic(text: str) -> str:
    """Uzbek Latin text written in Cyrillic; digits, punctuation and other scripts unchanged."""
    pieces: list[str] = []
    last = 0
    for match in _ADDRESS.finditer(text):
        pieces.append(_words(text[last : match.start()]))
        pieces.append(match.group())
        last = match.end()
    pieces.append(_words(text[last:]))
    return "".join(pieces)


def _words(text: str) -> str:
    tokens = re.split(r"(\s+)", text)
    return "".join(
        token if _FOREIGN.search(token) else _WORD.sub(lambda m: _word(m.group()), token)
        for token in tokens
    )


def _word(word: str) -> str:
    low = word.lower()
    out: list[str] = []
    i = 0
    for stem, cyrillic in STEMS.items():
        if low.startswith(stem):
            out.append(_cased(cyrillic, word[: len(stem)]))
            i = len(stem)
            break
    while i < len(word):
        size, letters = _letter(low, i, out)
        out.append(_cased(letters, word[i : i + size]))
        i += size
    cyrillic = "".join(out)
    return cyrillic.upper() if _all_caps(word) else cyrillic  # TAʼLIM is ТАЪЛИМ


def _letter(low: str, i: int, done: list[str]) -> tuple[int, str]:
    """How many Latin characters from ``i`` make the next letter, and its Cyrillic."""
    c = low[i]
    nxt = low[i + 1] if i + 1 < len(low) else ""
    after = low[i + 2] if i + 2 < len(low) else ""
    if c == "s" and nxt in APOSTROPHES and after == "h":
        return 3, "сҳ"
    if c in "og" and nxt and nxt in APOSTROPHES:
        return 2, "ў" if c == "o" else "ғ"
    if c == "y" and nxt == "o" and after and after in APOSTROPHES:
        return 1, "й"
    if c in APOSTROPHES:
        return 1, "ъ"
    if c + nxt in DIGRAPHS:
        return 2, DIGRAPHS[c + nxt]
    if c == "t" and nxt == "s" and _loan_ts(low, i, done):
        return 2, "ц"
    if c == "e":
        previous = done[-1][-1].lower() if done else ""
        return 1, "э" if not previous or previous in "аэиоуўеёюя" else "е"
    return 1, LETTERS.get(c, c)


def _loan_ts(low: str, i: int, done: list[str]) -> bool:
    """The ts of a loanword (ц) rather than t + s of a verb form: at the start of a word, or
    after a vowel before e or before i and a vowel (-tsiya, -tsion, ofitser, protsess)."""
    if i == 0:
        return True
    if low[i - 1] not in VOWELS:
        return False
    rest = low[i + 2 : i + 4]
    return rest[:1] == "e" or (rest[:1] == "i" and len(rest) == 2 and rest[1] in "aeiouy")


def _cased(cyrillic: str, latin: str) -> str:
    """The Cyrillic letters in the case of the Latin ones: Sh is Ш, SH is Ш, Sʼh is Сҳ."""
    letters = [ch for ch in latin if ch not in APOSTROPHES]
    if not letters or not letters[0].isupper():
        return cyrillic
    if _all_caps(latin):
        return cyrillic.upper()
    if len(cyrillic) > 1 and len(letters) == 1:
        return cyrillic.upper()
    return cyrillic[0].upper() + cyrillic[1:]


def _all_caps(latin: str) -> bool:
    letters = [ch for ch in latin if ch not in APOSTROPHES]
    return len(letters) > 1 and all(ch.isupper() for ch in letters)
