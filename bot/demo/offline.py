"""A Bot API session with no network, for the offline demo and the in-process benchmarks."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from bot.session import PlainJson


class OfflineSession(PlainJson):
    """A session with no network: nothing to close, nothing to download. Subclasses answer
    ``make_request`` themselves (the demo prints; the benchmarks count). It serialises as the
    bot's own session does (:class:`bot.session.PlainJson`)."""

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover - nothing to download offline
        yield b""
