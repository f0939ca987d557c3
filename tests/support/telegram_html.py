"""Telegram's HTML parse mode, strictly: what the real server would reject, we reject too."""

from __future__ import annotations

import re

_TAGS = "b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|a|code|pre|blockquote|tg-emoji"
_TOKEN = re.compile(
    rf"<(?P<close>/)?(?P<tag>{_TAGS})(?P<attrs>\s[^<>]*)?>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);"
    r"|(?P<bad>[<>&])"
)


class HtmlError(ValueError):
    pass


def check_html(text: str) -> None:
    """Raise :class:`HtmlError` where Telegram answers "can't parse entities"."""
    stack: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group("bad"):
            raise HtmlError(
                f"can't parse entities: unexpected {match.group('bad')!r} at {match.start()}"
            )
        tag = match.group("tag")
        if tag is None:
            continue
        if match.group("close"):
            if not stack or stack[-1] != tag:
                raise HtmlError(f"can't parse entities: unmatched </{tag}>")
            stack.pop()
        else:
            stack.append(tag)
    if stack:
        raise HtmlError(f"can't parse entities: unclosed <{stack[-1]}>")


def visible_text(text: str) -> str:
    """What a person sees: tags removed, entities decoded."""
    import html

    return html.unescape(re.sub(rf"</?(?:{_TAGS})(?:\s[^<>]*)?>", "", text))
