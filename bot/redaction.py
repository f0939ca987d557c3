"""No log line carries the bot token, whoever logs it and however.

aiogram puts the token in every URL (``/bot<token>/<method>``, ``/file/bot<token>/...``):
a failed download logs that URL, and a server that is not the Bot API echoes the path
into the start-up error. A filter on every handler rewrites the finished record (message,
arguments and traceback) with the token's secret part replaced.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

REDACTED = "<redacted>"


class RedactSecrets(logging.Filter):
    """Replaces each secret (and its URL-encoded form) in what a handler will write."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""))}
        self.secrets = sorted(forms, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def token_secrets(token: str | None) -> list[str]:
    """What of a token must never be shown: all of it, and the part after the bot id
    (which on its own is enough to act as the bot)."""
    if not token:
        return []
    secret = token.split(":", 1)[-1]
    return [token, secret] if len(secret) >= 8 else [token]


def install(token: str | None, root: logging.Logger | None = None) -> RedactSecrets:
    """Put the filter on every handler of the root logger (a filter on a logger would not
    see the records its children propagate)."""
    root = root or logging.getLogger()
    redact = RedactSecrets(token_secrets(token))
    for handler in root.handlers:
        handler.addFilter(redact)
    return redact
