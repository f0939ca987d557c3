"""A TCP proxy on 127.0.0.1 that a test switches off and on: the Bot API "away".

Off, it closes every connection it carries and refuses new ones (nothing listens on its
port), as when the network or the server is gone; on again, it listens on the same port.

    async with SwitchableProxy(api.url) as proxy:   # the bot talks to proxy.url
        await proxy.off(); ...; await proxy.on()
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from urllib.parse import urlsplit


class SwitchableProxy:
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.refused_while_off = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_on(self) -> bool:
        return self._server is not None

    async def on(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._carry, "127.0.0.1", self.port, reuse_address=True
            )

    async def off(self) -> None:
        """Stop listening and cut every connection carried now."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=1)

    async def __aenter__(self) -> SwitchableProxy:
        await self.on()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.off()

    async def _carry(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        pipes = [
            asyncio.ensure_future(self._pipe(reader, up_writer)),
            asyncio.ensure_future(self._pipe(up_reader, writer)),
        ]
        self._pipes.update(pipes)
        try:
            await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            self._pipes.difference_update(pipes)
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
