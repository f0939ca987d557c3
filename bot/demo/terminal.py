"""How the demo prints what the bot sends: Telegram's HTML as terminal text, sizes, links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

_STYLE = {
    "b": ("\033[1m", "\033[22m"),
    "strong": ("\033[1m", "\033[22m"),
    "i": ("\033[3m", "\033[23m"),
    "em": ("\033[3m", "\033[23m"),
    "u": ("\033[4m", "\033[24m"),
    "ins": ("\033[4m", "\033[24m"),
    "s": ("\033[9m", "\033[29m"),
    "strike": ("\033[9m", "\033[29m"),
    "del": ("\033[9m", "\033[29m"),
}
INDENT = "     "


class _Terminal(HTMLParser):
    """Telegram's HTML as a terminal shows it: emphasis as ANSI styles (or nothing)."""

    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.parts: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif self.color and tag in _STYLE:
            self.parts.append(_STYLE[tag][0])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            href = self.links.pop() if self.links else None
            if href:
                self.parts.append(f" ({href})")
        elif self.color and tag in _STYLE:
            self.parts.append(_STYLE[tag][1])

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render_html(text: str, *, color: bool = False) -> str:
    """What a person reads of an HTML-formatted message: tags gone, entities decoded,
    bold and italics as terminal styles when ``color``, links followed by their address."""
    parser = _Terminal(color)
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / 1024 / 1024:.1f} MB"


def map_link(lat: float, lon: float) -> str:
    return f"https://maps.google.com/?q={lat:.6f},{lon:.6f}"


def safe_name(name: str) -> str:
    """A file name that stays inside the demo's folder."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._")
    return cleaned or "file"
