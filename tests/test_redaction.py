"""No log line ever carries the bot token (issue 15, finding 17)."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from pathlib import Path

from aiohttp import web
from aiohttp.client_exceptions import ClientResponseError
from aiohttp.client_reqrep import RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.redaction import REDACTED, install
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.support.process import bot_env

TOKEN = "123456:AAHsecret-Token_value42"
SECRET = TOKEN.split(":")[1]


def _logger() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    root = logging.getLogger("redaction-test")
    root.propagate = False
    root.handlers.clear()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    install(TOKEN, root)
    return root, out


def test_a_failed_download_logs_its_url_without_the_token() -> None:
    _root, out = _logger()
    url = URL(f"https://api.telegram.org/file/bot{TOKEN}/documents/file_1.toml")
    info = RequestInfo(url, "GET", CIMultiDictProxy(CIMultiDict()), url)
    error = ClientResponseError(info, (), status=404, message="Not Found")
    child = logging.getLogger("redaction-test.handlers.organisers")  # propagates to root
    child.warning("could not download %s for /import: %s", "forum.toml", error)
    try:
        raise RuntimeError(f"request to /bot{TOKEN}/getFile failed")
    except RuntimeError:
        child.exception("and with a traceback")
    text = out.getvalue()
    assert SECRET not in text and TOKEN not in text
    assert f"/file/bot{REDACTED}/documents/file_1.toml" in text
    assert "Traceback" in text and "RuntimeError" in text


def test_the_url_encoded_token_is_redacted_too() -> None:
    root, out = _logger()
    root.error("GET /bot123456%3A" + SECRET + "/getMe")
    assert SECRET not in out.getvalue()


async def test_a_server_echoing_the_path_at_start_does_not_put_the_token_in_the_log(
    tmp_path: Path,
) -> None:
    """Not a Bot API server: it answers getMe with a page that repeats the URL."""

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=f"<html>No such page: {request.path}</html>", status=200)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        env = bot_env(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=f"http://127.0.0.1:{port}",
            DATABASE_PATH=str(tmp_path / "db.sqlite3"),
            FORUM_FILE=str(SAMPLE_FORUM_PATH),
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    said = output.decode("utf-8", "replace")
    assert process.returncode == 1, said
    assert "answered getMe wrongly" in said
    assert f"No such page: /bot{REDACTED}/getMe" in said  # the echo, without the token
    assert SECRET not in said
