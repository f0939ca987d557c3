"""The shape of a TOML text, checked before it is parsed.

``tomllib`` recurses on nested arrays and tables (a RecursionError past a few hundred
levels) and takes time that grows with the square of a dotted key's length: a 60 KB key
``a.a.a...`` held the event loop for 23 s and 3.5 GB. A forum file needs none of that, so
a text that has it is refused with a named error before ``tomllib`` sees it.

The scan blanks out strings and comments (the leftmost match of one pattern is always
the right token), then measures what is left. It never refuses a file the forum file
format allows: its tables are two levels deep, its keys one or two parts long.
"""

from __future__ import annotations

import re

MAX_CHARACTERS = 1_000_000  # the sample is 10 KB; 2,000 events fit in about 600 KB
MAX_DEPTH = 8  # nested [ and {; the forum file needs 2
MAX_KEY_PARTS = 8  # a.b.c...; the forum file needs 2 (title.en)
MAX_KEYS = 50_000  # key = value pairs; 2,000 events of 15 keys are 30,000

_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^\\]|\\.)*?"{3,5}'  # multi-line basic (it may end with up to 2 quotes)
    r"|'''.*?'{3,5}"  # multi-line literal
    r'|"(?:[^"\\\n]|\\.)*"'  # basic
    r"|'[^'\n]*'"  # literal
    r"|#[^\n]*",  # comment
    re.DOTALL,
)
_BRACKET = re.compile(r"[\[\]{}]")
_DOTTED = re.compile(r"[\w-]+(?:[ \t]*\.[ \t]*[\w-]+)+")


def shape_problem(text: str) -> str | None:
    """Why ``text`` is too large or too deep to be a forum file, or None."""
    if len(text) > MAX_CHARACTERS:
        return (
            f"the file has {len(text):,} characters; a forum file has at most "
            f"{MAX_CHARACTERS:,}"
        )
    # Strings become one word (a quoted key is still a key part), comments disappear.
    bare = _STRINGS_AND_COMMENTS.sub(
        lambda m: "" if m.group().startswith("#") else "s", text
    )
    depth = deepest = 0
    for bracket in _BRACKET.finditer(bare):
        depth = depth + 1 if bracket.group() in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return f"arrays or tables are nested more than {MAX_DEPTH} levels deep"
    for dotted in _DOTTED.finditer(bare):
        parts = dotted.group().count(".") + 1
        if parts > MAX_KEY_PARTS:
            return f"a dotted key has {parts:,} parts; at most {MAX_KEY_PARTS} are allowed"
    keys = bare.count("=")
    if keys > MAX_KEYS:
        return f"the file has {keys:,} keys; a forum file has at most {MAX_KEYS:,}"
    return None
