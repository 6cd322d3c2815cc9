"""``FakeKeyholdApp``: an in-process stand-in for the Keyhold app, for unit tests
of Python MCP servers without the app. A port of ``@keyhold/bridge/testing``'s
fake: it speaks the real bridge protocol v1 over a loopback WebSocket (every
request checked with this package's mirror of the protocol), so the code under
test runs the real ``KeyholdClient`` unchanged; only the user and the
keychain are simulated:

- the keychain is a dict in memory, seeded from ``secrets``;
- the user is a queue of scripted decisions (``decide(...)``), a fallback
  policy (``on_prompt``), or a test answering an open window by hand
  (``(await app.next_prompt()).answer("allow")``);
- every window "shown" is recorded in ``prompts`` with its verification code.

Semantics follow the app, and ``tests/test_fake_app_contract.py`` runs the
same contract against this fake and the real core: missing or rejected names
open the entry window, stored names not covered by a session grant open the
approval window, one window at a time per server, timeouts count from
arrival, ``cancel`` and disconnects close windows, a pending event goes out as
each window opens, a password field's ``default`` is dropped, an entry that
replaces a stored (not rejected) value asks a "store" approval after it, and
``invalidate`` is refused (``KeyholdInvalidRequest``) for values the
connection was not handed. Like the TypeScript fake it answers ``get``, ``request``,
``status``, ``invalidate`` and ``cancel``; ``list``, ``put`` and ``delete``
get ``invalid_request``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import re
import secrets as random_source
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .errors import KeyholdError, KeyholdInvalidRequest
from .protocol import DEFAULT_REQUEST_TIMEOUT_MS, ENV_BRIDGE_TOKEN, ENV_BRIDGE_URL, MAX_FRAME_BYTES, PROTOCOL_VERSION, check_request, request_id

#: What the simulated user does with a window: an approval answer, ``cancel``,
#: ``timeout`` (fails at once), ``hold`` (leave it open), or ``{"save": {...}}`` for an entry window.
Decision = str | Mapping[str, Mapping[str, str]]
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _verification_code() -> str:
    code = "".join(_CODE_ALPHABET[byte % len(_CODE_ALPHABET)] for byte in random_source.token_bytes(8))
    return f"{code[:4]}-{code[4:]}"


@dataclass
class FakePrompt:
    """A window the fake app showed."""

    request_id: str
    kind: Literal["entry", "approval"]
    server: str
    names: list[str]
    fields: list[dict[str, Any]]
    reason: str | None
    tool: str | None
    guide: str | None
    expires_at: int
    rejected: list[str] = field(default_factory=list)
    #: ``"store"`` for the approval of an entry that replaces stored values; None for a read.
    action: Literal["store"] | None = None
    verification_code: str = field(default_factory=_verification_code)
    link: str = field(default_factory=lambda: base64.urlsafe_b64encode(random_source.token_bytes(16)).rstrip(b"=").decode())
    #: ``open``, the decision given, ``timeout``, or ``aborted`` (cancelled, disconnected, app stopped).
    outcome: str = "open"
    _answer: asyncio.Future[Decision] = field(default_factory=lambda: asyncio.get_running_loop().create_future(), repr=False)

    def answer(self, decision: Decision) -> bool:
        """Answers the window if it is still open; False if it had already closed."""
        if self.outcome != "open" or self._answer.done():
            return False
        self.outcome = decision if isinstance(decision, str) else "save"
        self._answer.set_result(decision)
        return True


@dataclass
class _Session:
    server: str
    grants: set[str] = field(default_factory=set)
    #: The values this connection was handed, by name: only those may it report rejected.
    handed: dict[str, str] = field(default_factory=dict)


class FakeKeyholdApp:
    """Start with ``async with FakeKeyholdApp(...) as app:``; pass ``**app.client_options`` to ``KeyholdClient``."""

    def __init__(
        self,
        *,
        secrets: Mapping[str, Mapping[str, str]] | None = None,
        decisions: list[Decision] | None = None,
        on_prompt: Callable[[FakePrompt], Decision | None] | None = None,
        app_version: str = "fake",
    ) -> None:
        self.store: dict[str, dict[str, str]] = {server: dict(values) for server, values in (secrets or {}).items()}
        self.rejections: dict[tuple[str, str], str | None] = {}
        self.prompts: list[FakePrompt] = []
        self.token = base64.urlsafe_b64encode(random_source.token_bytes(32)).rstrip(b"=").decode()
        self.url = ""
        self._script: list[Decision] = list(decisions or [])
        self._on_prompt = on_prompt
        self._app_version = app_version
        self._server: Server | None = None
        self._turns: dict[str, asyncio.Lock] = {}
        self._shown = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def client_options(self) -> dict[str, Any]:
        """``url``, ``token`` and an empty ``env``: ``KeyholdClient("demo", **app.client_options)``."""
        return {"url": self.url, "token": self.token, "env": {}}

    @property
    def env(self) -> dict[str, str]:
        """``KEYHOLD_BRIDGE_URL`` and ``KEYHOLD_BRIDGE_TOKEN``, for an MCP server started as a child process."""
        return {ENV_BRIDGE_URL: self.url, ENV_BRIDGE_TOKEN: self.token}

    def decide(self, *decisions: Decision) -> FakeKeyholdApp:
        """Queues decisions for the next windows, one per window, in order."""
        self._script.extend(decisions)
        return self

    async def next_prompt(self, since: int | None = None, timeout_s: float = 30) -> FakePrompt:
        """The window shown after the ``since``-th (default: after those shown so far)."""
        index = len(self.prompts) if since is None else since
        async with self._shown:
            await asyncio.wait_for(self._shown.wait_for(lambda: len(self.prompts) > index), timeout_s)
        return self.prompts[index]

    async def __aenter__(self) -> FakeKeyholdApp:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._check_upgrade, max_size=MAX_FRAME_BYTES, compression=None)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _check_upgrade(self, _connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Origin") is not None:
            return Response(403, HTTPStatus(403).phrase, Headers())
        presented = request.headers.get("Authorization", "")
        if not hmac.compare_digest(presented.encode(), f"Bearer {self.token}".encode()):
            return Response(401, HTTPStatus(401).phrase, Headers())
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        session: _Session | None = None
        in_flight: dict[str, asyncio.Task[None]] = {}
        try:
            async for message in connection:
                frame = self._parse(message)
                if isinstance(frame[1], KeyholdError):
                    await _send(connection, {"id": frame[0], "ok": False, "error": _body(frame[1])})
                    continue
                assert len(frame) == 3
                rid, rtype, params = frame
                if rtype == "hello":
                    session = _Session(str(params["server"]["name"]))
                    result = {"sessionId": random_source.token_hex(8), "appVersion": self._app_version, "protocol": PROTOCOL_VERSION}
                    await _send(connection, {"id": rid, "ok": True, "result": result})
                elif session is None:
                    await _send(connection, {"id": rid, "ok": False, "error": _body(KeyholdInvalidRequest("Send hello first."))})
                elif rtype == "cancel":
                    target = in_flight.get(str(params["id"]))
                    if target is not None:
                        target.cancel()
                    await _send(connection, {"id": rid, "ok": True, "result": {}})
                else:
                    task = asyncio.get_running_loop().create_task(self._answer(connection, session, rid, rtype, params, in_flight))
                    in_flight[rid] = task
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        except ConnectionClosed:
            pass
        finally:
            for task in in_flight.values():
                task.cancel()

    def _parse(self, message: str | bytes) -> tuple[str | None, KeyholdError] | tuple[str, str, dict[str, Any]]:
        """``(id, type, params)``, or ``(id or None, error)`` to reply with."""
        try:
            if isinstance(message, bytes):
                raise ValueError("binary")
            data = json.loads(message)
        except ValueError:
            return None, KeyholdInvalidRequest("Send JSON text frames.")
        if not isinstance(data, dict) or request_id(data.get("id")) is not None or not isinstance(data.get("type"), str):
            return None, KeyholdInvalidRequest("Malformed request.")
        rid, rtype, params = data["id"], data["type"], data.get("params", {})
        problem = check_request(rtype, params)
        if problem is not None:
            return rid, KeyholdInvalidRequest(f"Bad {rtype[:64]} params: {problem}")
        if rtype in ("secrets.list", "secrets.put", "secrets.delete", "rules.list", "rules.candidates", "rules.add", "rules.remove"):
            return rid, KeyholdInvalidRequest(f'FakeKeyholdApp does not implement "{rtype}".')
        return rid, rtype, params

    async def _answer(
        self, connection: ServerConnection, session: _Session, rid: str, rtype: str, params: dict[str, Any], in_flight: dict[str, asyncio.Task[None]]
    ) -> None:
        timeout_ms = int(params.get("timeoutMs", DEFAULT_REQUEST_TIMEOUT_MS))
        expires_at = int(time.time() * 1000) + timeout_ms
        try:
            async with asyncio.timeout(timeout_ms / 1000):
                result = await self._dispatch(connection, session, rid, rtype, params, expires_at)
            await _send(connection, {"id": rid, "ok": True, "result": result})
        except TimeoutError:
            for prompt in self.prompts:
                if prompt.request_id == rid and prompt.outcome == "aborted":
                    prompt.outcome = "timeout"
            await _send(connection, {"id": rid, "ok": False, "error": {"code": "timeout", "message": "Nobody answered the Keyhold window in time."}})
        except asyncio.CancelledError:
            await _send(connection, {"id": rid, "ok": False, "error": {"code": "cancelled", "message": "The MCP server cancelled the request."}})
        except KeyholdError as error:
            await _send(connection, {"id": rid, "ok": False, "error": _body(error)})
        finally:
            in_flight.pop(rid, None)

    async def _dispatch(self, connection: ServerConnection, session: _Session, rid: str, rtype: str, params: dict[str, Any], expires_at: int) -> dict[str, Any]:
        server = session.server
        stored = self.store.setdefault(server, {})
        if rtype == "secrets.status":
            listed = params.get("names") or list(stored)
            return {"secrets": [{"name": n, "exists": n in stored, "invalidated": (server, n) in self.rejections} for n in listed]}
        if rtype == "secrets.invalidate":
            not_handed = [n for n in params["names"] if n not in stored or session.handed.get(n) != stored[n]]
            if not_handed:
                listed = ", ".join(not_handed)
                raise KeyholdInvalidRequest(
                    f"This connection did not read the current value of {listed}, so it cannot report it rejected; nothing was changed."
                )
            for name in params["names"]:
                self.rejections[(server, name)] = params.get("reason")
            return {}
        if rtype == "secrets.request":
            return {"values": await self._collect(connection, session, rid, params["fields"], params, expires_at)}
        names: list[str] = params["names"]
        missing = [n for n in names if n not in stored or (server, n) in self.rejections]
        specs = {spec["name"]: spec for spec in params.get("fields", [])}
        fields = [specs.get(n, {"name": n, "label": n, "type": "password", "required": True}) for n in missing]
        values = await self._collect(connection, session, rid, fields, params, expires_at) if missing else {}
        asked = [n for n in names if n not in missing]
        if asked and not all(n in session.grants for n in asked):
            decision = await self._show(connection, session, rid, "approval", asked, [], params, expires_at)
            if decision == "deny":
                raise KeyholdError(f'The user denied "{server}" access to {", ".join(asked)}.', code="denied")
            if decision == "allow_session":
                session.grants.update(asked)
        for name in asked:
            if name not in stored:
                raise KeyholdError(f'The keychain no longer holds "{name}" for "{server}".', code="not_found")
            values[name] = stored[name]
            session.handed[name] = stored[name]
        return {"values": values}

    async def _collect(
        self,
        connection: ServerConnection,
        session: _Session,
        rid: str,
        fields: list[dict[str, Any]],
        params: dict[str, Any],
        expires_at: int,
    ) -> dict[str, str]:
        # As the app: a password field's default is dropped, never shown nor used.
        fields = [{k: v for k, v in spec.items() if not (k == "default" and spec.get("type") == "password")} for spec in fields]
        names = [spec["name"] for spec in fields]
        decision = await self._show(connection, session, rid, "entry", names, fields, params, expires_at)
        if isinstance(decision, str):
            raise KeyholdError(f'FakeKeyholdApp: "{decision}" does not answer an entry window; decide {{"save": {{...}}}} or "cancel".')
        values = {spec["name"]: decision["save"].get(spec["name"], spec.get("default", "")) for spec in fields}
        for spec in fields:
            value = values[spec["name"]]
            if spec.get("required") and value == "":
                raise KeyholdInvalidRequest(f"The entry window returned invalid values: {spec['label']} is required.")
            if value and spec.get("pattern") and re.fullmatch(spec["pattern"], value) is None:
                raise KeyholdInvalidRequest(f"The entry window returned invalid values: {spec['label']} does not have the expected format.")
        saved = {name: value for name, value in values.items() if value != ""}
        stored = self.store.setdefault(session.server, {})
        replacing = [n for n in saved if n in stored and (session.server, n) not in self.rejections]
        if replacing:  # as the app: replacing a stored value needs the STORE approval a put needs
            approval = await self._show(connection, session, rid, "approval", replacing, [], params, expires_at, action="store")
            if approval == "deny":
                raise KeyholdError(f'The user denied "{session.server}" permission to store {", ".join(replacing)}.', code="denied")
        for name, value in saved.items():
            session.handed[name] = value
            self.store.setdefault(session.server, {})[name] = value
            self.rejections.pop((session.server, name), None)
        return saved

    async def _show(
        self,
        connection: ServerConnection,
        session: _Session,
        rid: str,
        kind: Literal["entry", "approval"],
        names: list[str],
        fields: list[dict[str, Any]],
        params: dict[str, Any],
        expires_at: int,
        action: Literal["store"] | None = None,
    ) -> Decision:
        async with self._turns.setdefault(session.server, asyncio.Lock()):  # one window at a time per server
            prompt = FakePrompt(
                request_id=rid,
                kind=kind,
                server=session.server,
                names=names,
                fields=fields,
                reason=params.get("reason"),
                tool=params.get("tool"),
                guide=params.get("guide") if kind == "entry" else None,
                expires_at=expires_at,
                rejected=[n for n in names if (session.server, n) in self.rejections] if kind == "entry" else [],
                action=action,
            )
            pending = {"id": rid, "kind": kind, "verificationCode": prompt.verification_code, "expiresAt": expires_at, "link": prompt.link}
            await _send(connection, {"event": "pending", "data": pending})
            async with self._shown:
                self.prompts.append(prompt)
                self._shown.notify_all()
            scripted = self._script.pop(0) if self._script else (self._on_prompt(prompt) if self._on_prompt else None)
            if scripted is not None and scripted != "hold":
                asyncio.get_running_loop().call_soon(prompt.answer, scripted)
            try:
                decision = await asyncio.shield(prompt._answer)
            except asyncio.CancelledError:
                if prompt.outcome == "open":
                    prompt.outcome = "aborted"
                raise
            if decision == "cancel":
                raise KeyholdError(f"The user closed the Keyhold {kind} window.", code="cancelled")
            if decision == "timeout":
                raise KeyholdError("Nobody answered the Keyhold window in time.", code="timeout")
            if (kind == "entry") == isinstance(decision, str):
                raise KeyholdError(f"FakeKeyholdApp: the decision {decision!r} does not answer an {kind} window.")
            return decision


def _body(error: KeyholdError) -> dict[str, str]:
    return {"code": error.code, "message": error.message[:2000]}


async def _send(connection: ServerConnection, frame: dict[str, Any]) -> None:
    with contextlib.suppress(ConnectionClosed):
        await connection.send(json.dumps(frame))
