"""A small Telegram Bot API server for tests and benchmarks.

It runs in the test's event loop on 127.0.0.1 (a free port), answers the methods the bot uses
with realistic results, records every request, and can misbehave on purpose: latency, flood
control (429), blocked users (403), injected 5xx answers and dropped connections.

    async with FakeBotApi(rate_limit=30) as api:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import socket
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Literal

from aiohttp import web

DROP: Literal["drop"] = "drop"
"""A fault that closes the connection without an answer (the client sees a network error)."""
LATE: Literal["late"] = "late"
"""A fault that delivers the message but answers `late_by` seconds later (past a client's
timeout: the client cannot know that it was delivered)."""

Fault = int | Literal["drop", "late"]

# Methods that Telegram's flood control counts as outgoing messages.
_PACED_PREFIX = "send"
_PACED_EXTRA = frozenset({"copymessage"})
# Fields that aiogram sends as bare strings in a form; every other field is JSON-encoded.
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "title",
        "address", "foursquare_id", "foursquare_type", "google_place_id", "google_place_type",
        "url", "description", "short_description", "language_code", "business_connection_id",
        "message_effect_id", "secret_token", "emoji",
    }
)  # fmt: skip
_BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass(slots=True)
class Recorded:
    """One request as the server saw it; `time` is `time.monotonic()` on arrival."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    token: str
    response: dict[str, Any] | None = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass(slots=True)
class _FaultRule:
    method: str  # lower-case method name or "*"
    chat_id: int | None
    fault: Fault


class _Failure(Exception):
    """An error answer: raised inside the server, turned into {"ok": false, ...}."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class _TextOnly(HTMLParser):
    """What Telegram shows of an HTML-formatted text: the text without its tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(text: str, parse_mode: Any) -> str:
    if str(parse_mode).upper() != "HTML":
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


class FakeBotApi:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limit: float | None = None,
        per_chat_limit: float | None = None,
        blocked: Iterable[int] = (),
        fail_next: dict[str, list[Fault]] | None = None,
        valid_token: str | None = None,
        username: str = "forum_test_bot",
        bot_id: int = 7000000001,
        late_by: float = 1.5,
    ) -> None:
        self.latency = latency
        self.late_by = late_by
        self.in_flight = 0  # requests received and not answered yet
        self.rate_limit = rate_limit
        self.per_chat_limit = per_chat_limit
        self.blocked: set[int] = set(blocked)
        self.valid_token = valid_token
        self.username = username
        self.bot_id = bot_id
        self.requests: list[Recorded] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        # Groups and channels the bot knows (getChat) and its membership in them
        # (getChatMember for the bot's own id); an unknown chat is "chat not found".
        self.chats: dict[int | str, dict[str, Any]] = {}
        self.memberships: dict[int | str, dict[str, Any]] = {}
        self._faults: list[_FaultRule] = []
        for method, faults in (fail_next or {}).items():
            self.fail(method, *faults)
        self._paced: deque[float] = deque()
        self._last_per_chat: dict[Any, float] = {}
        self._message_ids: defaultdict[Any, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        # What setWebhook set (url, secret_token, allowed_updates...); None: polling works.
        self.webhook: dict[str, Any] | None = None
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None

    # lifecycle

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # A short shutdown: a long poll still waiting is woken by stop() anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._port = self._socket.getsockname()[1]
        await web.SockSite(self._runner, self._socket).start()

    async def stop(self) -> None:
        self._stopping.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # test controls

    def fail(self, method: str, *faults: Fault, chat_id: int | None = None) -> None:
        """Answer the next calls of `method` ("*" for any) with these statuses, DROP or LATE,
        in order."""
        self._faults.extend(_FaultRule(method.lower(), chat_id, fault) for fault in faults)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._notify()
        return update

    def push_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue an Update with a private text message from the user."""
        user = self._user(user_id, first_name, last_name, username, language_code)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[user_id]),
            "date": int(time.time()),
            "chat": self._chat(user),
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.messages[(user_id, message["message_id"])] = message
        return self.push_update({"message": message})

    def push_callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        first_name: str = "Test",
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue an Update with a button press on the bot's message (the last one by default)."""
        user = self._user(user_id, first_name, None, None, language_code)
        if message_id is None:
            ours = [
                mid for (cid, mid), m in self.messages.items() if cid == user_id and _is_ours(m)
            ]
            message_id = max(ours, default=None) or next(self._message_ids[user_id])
        message = self.messages.get((user_id, message_id))
        if message is None:
            message = self._new_message(user_id, {"text": "…"}, message_id=message_id)
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "chat_instance": str(user_id),
            "data": data,
            "message": message,
        }
        return self.push_update({"callback_query": query})

    # inspection

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Recorded]:
        """Requests of `method` answered with 200 (to `chat_id` if given)."""
        return [
            r
            for r in self.requests
            if r.method.lower() == method.lower()
            and r.status == 200
            and (chat_id is None or r.chat_id == chat_id)
        ]

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    @property
    def count_429(self) -> int:
        return sum(1 for r in self.requests if r.status == 429)

    async def wait_for(
        self,
        predicate: Callable[[Recorded], bool],
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Recorded]:
        """Wait until `count` recorded requests match; return them. TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                found = [r for r in self.requests if predicate(r)]
                if len(found) >= count:
                    return found
                await changed.wait()

    # server

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _read_params(request)
        name = method.lower()
        handler = self._methods().get(name)
        self.in_flight += 1
        try:
            return await self._answer(request, arrived, token, method, name, params, handler)
        finally:
            self.in_flight -= 1

    async def _answer(
        self,
        request: web.Request,
        arrived: float,
        token: str,
        method: str,
        name: str,
        params: dict[str, Any],
        handler: Callable[[dict[str, Any]], Awaitable[Any]] | None,
    ) -> web.StreamResponse:
        fault: Fault | None = None
        refusal = None
        try:
            if self.valid_token is not None and token != self.valid_token:
                raise _Failure(401, "Unauthorized")
            if handler is None:
                raise _Failure(404, "Not Found")
            fault = self._inject_fault(name, params)
            self._check_limits(name, params, arrived)
        except _Failure as failure:
            refusal = failure
        drop = fault == DROP
        status = 0 if drop else refusal.status if refusal else 200
        record = Recorded(method, params, arrived, status, token)
        self.requests.append(record)
        self._notify()
        if self.latency:
            await asyncio.sleep(self.latency)
        if fault == LATE:
            await asyncio.sleep(self.late_by)
        if drop:
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        try:
            if refusal is not None:
                raise refusal
            assert handler is not None
            payload = {"ok": True, "result": await handler(params)}
        except _Failure as failure:
            record.status = failure.status
            payload = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                payload["parameters"] = {"retry_after": failure.retry_after}
        record.response = payload
        return web.json_response(payload, status=record.status)

    def _inject_fault(self, name: str, params: dict[str, Any]) -> Fault | None:
        for rule in self._faults:
            if rule.method in ("*", name) and rule.chat_id in (None, params.get("chat_id")):
                self._faults.remove(rule)
                if rule.fault in (DROP, LATE):
                    return rule.fault
                status = int(rule.fault)
                if status == 429:
                    raise _Failure(429, "Too Many Requests: retry after 1", retry_after=1)
                if status == 403:
                    raise _Failure(403, _BLOCKED)
                text = "Bad Request: injected" if status < 500 else "Internal Server Error"
                raise _Failure(status, text)
        return None

    def _check_limits(self, name: str, params: dict[str, Any], now: float) -> None:
        if not (name.startswith(_PACED_PREFIX) or name in _PACED_EXTRA):
            return
        chat_id = params.get("chat_id")
        if chat_id in self.blocked:
            raise _Failure(403, _BLOCKED)
        while self._paced and self._paced[0] <= now - 1.0:
            self._paced.popleft()
        if self.rate_limit is not None and len(self._paced) >= self.rate_limit:
            _flood(self._paced[0] + 1.0 - now)
        if self.per_chat_limit is not None and chat_id in self._last_per_chat:
            wait = self._last_per_chat[chat_id] + 1.0 / self.per_chat_limit - now
            if wait > 0:
                _flood(wait)
        self._paced.append(now)
        self._last_per_chat[chat_id] = now

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
        return {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": _true,
            "deletemycommands": _true,
            "setmydescription": _true,
            "setmyshortdescription": _true,
            "setchatmenubutton": _true,
            "answercallbackquery": _true,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendvenue": self._send_venue,
            "sendlocation": self._send_location,
            "copymessage": self._copy_message,
            "deletemessage": self._delete_message,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
        }

    # methods

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith(("https://", "http://127.")):
            raise _Failure(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = dict(params)
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise _Failure(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Telegram forgets the updates the client confirmed by asking for a later offset.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        try:
            async with asyncio.timeout(timeout):
                while not self._updates and not self._stopping.is_set():
                    await self._changed.wait()
        except TimeoutError:
            pass
        return self._updates[:limit]

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(params.get("chat_id"))
        if chat is None:
            raise _Failure(400, "Bad Request: chat not found")
        return {"accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False},
                **chat}  # fmt: skip

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id not in self.chats:
            raise _Failure(400, "Bad Request: chat not found")
        member = self.memberships.get(chat_id, {"status": "left"})
        return {"user": self._bot_user(), **member}

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = _plain(str(params.get("text", "")), params.get("parse_mode"))
        return self._new_message(params["chat_id"], {"text": text}, params)

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        upload = params.get("document")
        document = {
            "file_id": f"doc{len(self.requests)}",
            "file_unique_id": f"d{len(self.requests)}",
        }
        if isinstance(upload, UploadedFile):
            document |= {"file_name": upload.filename, "file_size": len(upload.content)}
        return self._new_message(params["chat_id"], {"document": document}, params)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        sizes = [
            {"file_id": f"ph{len(self.requests)}-{w}", "file_unique_id": f"p{w}", "width": w,
             "height": w * 3 // 4}
            for w in (90, 320, 800)
        ]  # fmt: skip
        return self._new_message(params["chat_id"], {"photo": sizes}, params)

    async def _send_venue(self, params: dict[str, Any]) -> dict[str, Any]:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        return self._new_message(params["chat_id"], {"venue": venue, "location": location})

    async def _send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return self._new_message(params["chat_id"], {"location": location}, params)

    async def _copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self.messages.get((params["from_chat_id"], params["message_id"]))
        if source is None:
            raise _Failure(400, "Bad Request: message to copy not found")
        content = {k: v for k, v in source.items() if k in ("text", "caption", "document")}
        message = self._new_message(params["chat_id"], content, params)
        return {"message_id": message["message_id"]}

    async def _edit_text(self, params: dict[str, Any]) -> Any:
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        text = _plain(str(params.get("text", "")), params.get("parse_mode"))
        markup = _inline_markup(params)
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise _Failure(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        _set_markup(message, markup)
        message["edit_date"] = int(time.time())
        return message

    async def _edit_markup(self, params: dict[str, Any]) -> Any:
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        _set_markup(message, _inline_markup(params))
        message["edit_date"] = int(time.time())
        return message

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        if self.messages.pop((params["chat_id"], params["message_id"]), None) is None:
            raise _Failure(400, "Bad Request: message to delete not found")
        return True

    # helpers

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise _Failure(400, "Bad Request: message to edit not found")
        if not _is_ours(message):
            raise _Failure(400, "Bad Request: message can't be edited")
        return message

    def _new_message(
        self,
        chat_id: Any,
        content: dict[str, Any],
        params: dict[str, Any] | None = None,
        *,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        params = params or {}
        if message_id is None:
            message_id = next(self._message_ids[chat_id])
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat({"id": chat_id, "first_name": "Test"}),
            "from": self._bot_user(),
            **content,
        }
        if params.get("caption"):
            message["caption"] = _plain(str(params["caption"]), params.get("parse_mode"))
        _set_markup(message, _inline_markup(params))
        self.messages[(chat_id, message_id)] = message
        return message

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Forum Test Bot",
                "username": self.username}  # fmt: skip

    @staticmethod
    def _user(
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        extra = {"last_name": last_name, "username": username, "language_code": language_code}
        return user | {k: v for k, v in extra.items() if v is not None}

    @staticmethod
    def _chat(user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        return chat | {k: user[k] for k in ("last_name", "username") if k in user}


def _is_ours(message: dict[str, Any]) -> bool:
    return bool(message.get("from", {}).get("is_bot"))


def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    # Telegram echoes only inline keyboards in the returned Message.
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup


def _flood(wait: float) -> None:
    retry_after = max(1, math.ceil(wait))
    raise _Failure(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


async def _true(params: dict[str, Any]) -> bool:
    return True


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Decode query, JSON, urlencoded and multipart bodies into one dict of typed values."""
    params: dict[str, Any] = {k: _decode(k, v) for k, v in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body or {})
        return params
    if not request.can_read_body:
        return params
    form = await request.post()
    files: dict[str, UploadedFile] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            upload = UploadedFile(value.filename, value.file.read(), value.content_type)
            files[key] = upload
            params[key] = upload
        else:
            params[key] = _decode(key, value if isinstance(value, str) else value.decode())
    # aiogram uploads a file as a separate part and refers to it as "attach://<part name>".
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part in files:
                params[key] = files[part]
                del params[part]
    return params


def _decode(key: str, value: str) -> Any:
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
