"""The webhook, /healthz and /metrics in process: the real app behind aiohttp's test server."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App, create_app
from bot.settings import load_settings
from bot.web import MAX_BODY, SECRET_HEADER, WEBHOOK, webhook_application
from tests.conftest import FakeClock
from tests.support import updates
from tests.support.recording import RecordingSession

SECRET = "s3cret_Token-42"
PATH = "/tg/hook"
DELEGATE = 4242


@pytest.fixture
async def served(
    env: dict[str, str], clock: FakeClock
) -> AsyncIterator[tuple[App, TestClient[Any, Any]]]:
    env = env | {"WEBHOOK_URL": f"https://bot.example.org{PATH}", "WEBHOOK_SECRET": SECRET}
    app = await create_app(load_settings(env), session=RecordingSession(), clock=clock)
    # The test server's startup runs the app's (App.start), its cleanup the drain.
    client = TestClient(TestServer(webhook_application(app), host="127.0.0.1"))
    await client.start_server()
    try:
        yield app, client
    finally:
        await client.close()
        await app.stop()
        await app.close()


def _session(app: App) -> RecordingSession:
    assert isinstance(app.bot.session, RecordingSession)
    return app.bot.session


def _body(user_id: int, text: str) -> str:
    return updates.message(user_id, text).model_dump_json(exclude_none=True)


async def _handled(client: TestClient[Any, Any]) -> None:
    async with asyncio.timeout(5):
        await client.server.app[WEBHOOK].idle()


async def test_an_update_with_the_secret_is_answered(served: tuple[App, TestClient]) -> None:
    app, client = served
    assert app.scheduler.running, "the listener's startup started the app"
    response = await client.post(
        PATH, data=_body(DELEGATE, "/start tict-Hq7mX2vL9p"), headers={SECRET_HEADER: SECRET}
    )
    assert response.status == 200
    await _handled(client)
    assert "Welcome" in _session(app).last_text(DELEGATE)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SECRET_HEADER: ""},
        {SECRET_HEADER: SECRET + "x"},
        {SECRET_HEADER: SECRET[:-1]},
        {SECRET_HEADER: SECRET.upper()},
        # Not ASCII: aiogram's own comparison of str raises TypeError (a 500) on this.
        {SECRET_HEADER: "sécret"},
    ],
)
async def test_without_the_secret_401_and_nothing_handled(
    served: tuple[App, TestClient], headers: dict[str, str]
) -> None:
    app, client = served
    before = len(_session(app).calls)
    response = await client.post(PATH, data=_body(DELEGATE, "/start tict-Hq7mX2vL9p"),
                                 headers=headers)  # fmt: skip
    assert response.status == 401
    # Then a good update: once it is answered, the refused one would have been too.
    ok = await client.post(PATH, data=_body(5151, "/help"), headers={SECRET_HEADER: SECRET})
    assert ok.status == 200
    await _handled(client)
    assert _session(app).sent("SendMessage", 5151)
    assert _session(app).sent(chat_id=DELEGATE) == []
    assert len(_session(app).calls) == before + 1
    metrics = (await (await client.get("/metrics")).read()).decode()
    assert 'forum_bot_updates_handled_total{type="message"} 1.0' in metrics


async def test_only_post_small_updates_on_the_path(served: tuple[App, TestClient]) -> None:
    app, client = served
    secret = {SECRET_HEADER: SECRET}
    assert (await client.get(PATH, headers=secret)).status == 405
    assert (await client.put(PATH, data="{}", headers=secret)).status == 405
    elsewhere = await client.post("/other", data=_body(DELEGATE, "/help"), headers=secret)
    assert elsewhere.status == 404
    big = json.dumps({"update_id": 1, "padding": "x" * MAX_BODY}).encode()
    assert (await client.post(PATH, data=io.BytesIO(big), headers=secret)).status == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: aiohttp counts itself
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    assert (await client.post(PATH, data=chunks(), headers=secret)).status == 413
    assert (await client.post(PATH, data="not json", headers=secret)).status == 400
    assert (await client.post(PATH, data='{"no": "update_id"}', headers=secret)).status == 400
    await _handled(client)
    assert _session(app).sent("SendMessage") == []


async def test_after_the_stop_began_updates_are_refused_for_telegram_to_resend(
    served: tuple[App, TestClient],
) -> None:
    app, client = served
    for callback in client.server.app.on_shutdown:
        await callback(client.server.app)
    response = await client.post(PATH, data=_body(DELEGATE, "/help"),
                                 headers={SECRET_HEADER: SECRET})  # fmt: skip
    assert response.status == 503
    assert _session(app).sent("SendMessage") == []


async def test_healthz_reports_figures_only(served: tuple[App, TestClient]) -> None:
    _, client = served
    await client.post(PATH, data=_body(DELEGATE, "/start tict-Hq7mX2vL9p"),
                      headers={SECRET_HEADER: SECRET})  # fmt: skip
    await _handled(client)
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["database_writable"] is True and body["scheduler_running"] is True
    assert body["deliveries_pending"] == 0
    assert 0 <= body["seconds_since_last_update"] < 5
    metrics = await (await client.get("/metrics")).text()
    for text in (await response.text(), metrics):
        assert "Shernayev" not in text and "tict" not in text and "Dushanbe" not in text


async def test_healthz_is_503_when_the_database_file_is_gone(
    served: tuple[App, TestClient],
) -> None:
    app, client = served
    await asyncio.to_thread(Path(app.settings.database_path).unlink)
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["database_writable"] is False and body["status"] == "failing"
    assert str(app.settings.database_path) not in await response.text()


async def test_healthz_is_503_when_writes_fail_or_the_scheduler_stopped(
    served: tuple[App, TestClient],
) -> None:
    app, client = served
    await app.db.conn.execute("PRAGMA query_only = ON")  # every write now fails
    body = await (await client.get("/healthz")).json()
    assert body["database_writable"] is False
    await app.db.conn.execute("PRAGMA query_only = OFF")
    assert (await client.get("/healthz")).status == 200
    app.scheduler.shutdown(wait=False)
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["scheduler_running"] is False
