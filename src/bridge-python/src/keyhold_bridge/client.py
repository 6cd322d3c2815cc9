"""``KeyholdClient``: what a Python MCP server uses to get its API keys from the
Keyhold app. The asyncio counterpart of ``@keyhold/bridge``'s client, with the
same wire behaviour.

Guarantees:

- Every call settles: with the app's answer, or with a ``KeyholdError``
  subclass whose ``code`` is a pinned protocol code (``timeout`` when the app
  goes quiet, ``unavailable`` when the connection is lost or the app sends a
  frame this bridge cannot parse).
- A call that gives up (timeout, or its asyncio task is cancelled) tells the
  app with ``cancel``, so the window the user sees closes too. Cancellation
  propagates as ``asyncio.CancelledError``, as asyncio code expects.
- Secret values appear only in the returned results: never in an error
  message, never in a log.
- ``KEYHOLD_FALLBACK=env``: ``get`` and ``status`` read
  ``KEYHOLD_SECRET_<SERVER>_<NAME>`` only when the app is unreachable.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, cast

from .connection import CONNECTION_LOST_MESSAGE, BridgeConnection, protocol_error
from .connector import Connector, closed_error
from .discovery import DiscoveryOptions, app_not_running_error, describe_lookup, discover_bridge
from .env_fallback import EnvFallback
from .errors import KeyholdCancelled, KeyholdError, KeyholdInvalidRequest, KeyholdTimeout, KeyholdUnavailable, error_for
from .frames import Failure, IncomingFrame, Malformed, Pending, PendingEvent, Success, encode_request, new_request_id, parse_result
from .protocol import DEFAULT_REQUEST_TIMEOUT_MS, MAX_FRAME_BYTES, MAX_TIMEOUT_MS, PROTOCOL_VERSION, check_request

DEFAULT_CONNECT_TIMEOUT_MS = 5_000
#: Extra wait past a prompt's own timeout, so the app's ``timeout`` reply (which closes its window) normally wins.
TIMEOUT_GRACE_MS = 2_000
#: Timeout of requests that never open a window (status, invalidate, cancel, list).
QUICK_REQUEST_TIMEOUT_MS = 30_000

PendingListener = Callable[[PendingEvent], None]


class FieldSpec(TypedDict, total=False):
    """One entry field (``name``, ``label``, ``type``, ``required`` are required)."""

    name: str
    label: str
    type: Literal["text", "password", "url", "email", "textarea"]
    required: bool
    default: str
    placeholder: str
    help: str
    pattern: str


@dataclass(frozen=True)
class SecretStatus:
    name: str
    exists: bool
    invalidated: bool


@dataclass(frozen=True)
class ServerSecrets:
    name: str
    secrets: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _InFlight:
    request_type: str
    connection: BridgeConnection
    future: asyncio.Future[object]
    on_pending: PendingListener | None


def _params(**values: object) -> dict[str, object]:
    """Params without the options left out (the protocol has no nulls for them)."""
    return {key: value for key, value in values.items() if value is not None}


def _check_timeout(value: int | None, fallback: int, name: str) -> int:
    if value is None:
        return fallback
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TIMEOUT_MS:
        raise KeyholdInvalidRequest(f"{name} must be a whole number of milliseconds from 1 to {MAX_TIMEOUT_MS}.")
    return value


def _format_duration(ms: int) -> str:
    return f"{ms} ms" if ms < 10_000 else f"{round(ms / 1000)} s"


class KeyholdClient:
    """One WebSocket to the app (opened on first use, redialled after a loss); each method is one request."""

    def __init__(
        self,
        server: str,
        *,
        server_version: str | None = None,
        url: str | None = None,
        token: str | None = None,
        data_dir: str | None = None,
        env: Mapping[str, str] | None = None,
        request_timeout_ms: int | None = None,
        connect_timeout_ms: int | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self._discovery = DiscoveryOptions(url=url, token=token, data_dir=data_dir, env=env)
        self._hello: dict[str, object] = {
            "server": _params(name=server, version=server_version),
            "process": {"pid": os.getpid()},
        }
        problem = check_request("hello", {"protocol": PROTOCOL_VERSION, **self._hello})
        if problem is not None:
            raise KeyholdInvalidRequest(f"Invalid server option: {problem}")
        self.server = server
        self._fallback = EnvFallback(self._discovery.environment(), server, on_warning)
        self._request_timeout_ms = _check_timeout(request_timeout_ms, DEFAULT_REQUEST_TIMEOUT_MS, "request_timeout_ms")
        connect_ms = _check_timeout(connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS, "connect_timeout_ms")
        self._connect_timeout_s = connect_ms / 1000
        self._in_flight: dict[str, _InFlight] = {}
        self._listeners: list[PendingListener] = []
        self._closed = False
        self._connector: Connector[BridgeConnection] = Connector(
            self._open_connection,
            self._connect_timeout_s,
            lambda last: (
                last if last is not None else app_not_running_error(f"nothing answered within {connect_ms} ms (looked at {describe_lookup(self._discovery)})")
            ),
        )

    async def __aenter__(self) -> KeyholdClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def get(
        self,
        names: Sequence[str],
        *,
        reason: str | None = None,
        tool: str | None = None,
        guide: str | None = None,
        fields: Sequence[FieldSpec] | None = None,
        timeout_ms: int | None = None,
        on_pending: PendingListener | None = None,
    ) -> dict[str, str]:
        """The values of ``names``: granted ones at once, else after the approval or entry window."""
        unreachable = await self._unreachable_for_fallback()
        if unreachable is not None:
            return self._fallback.values(list(names), unreachable)
        timeout = self._request_timeout_ms if timeout_ms is None else timeout_ms
        params = _params(
            names=list(names), reason=reason, tool=tool, fields=None if fields is None else [dict(f) for f in fields], guide=guide, timeoutMs=timeout
        )
        result = await self._call("secrets.get", params, timeout, TIMEOUT_GRACE_MS, on_pending, hint=True)
        return dict(cast("dict[str, str]", result["values"]))

    async def request(
        self,
        fields: Sequence[FieldSpec],
        *,
        reason: str | None = None,
        tool: str | None = None,
        guide: str | None = None,
        timeout_ms: int | None = None,
        on_pending: PendingListener | None = None,
    ) -> dict[str, str]:
        """Opens the entry window with ``fields``, stores what the user saves, and returns it."""
        timeout = self._request_timeout_ms if timeout_ms is None else timeout_ms
        params = _params(fields=[dict(f) for f in fields], guide=guide, reason=reason, tool=tool, timeoutMs=timeout)
        result = await self._call("secrets.request", params, timeout, TIMEOUT_GRACE_MS, on_pending)
        return dict(cast("dict[str, str]", result["values"]))

    async def status(self, names: Sequence[str] | None = None) -> builtins.list[SecretStatus]:
        """Which of ``names`` (default: all of this server's) are stored; never opens a window or returns values."""
        unreachable = await self._unreachable_for_fallback()
        if unreachable is not None:
            return [SecretStatus(name, self._fallback.has(name), False) for name in names or []]
        params = _params(names=None if names is None else list(names))
        result = await self._call("secrets.status", params, QUICK_REQUEST_TIMEOUT_MS, 0, None, hint=True)
        return [SecretStatus(s["name"], s["exists"], s["invalidated"]) for s in cast("list[dict[str, Any]]", result["secrets"])]

    async def invalidate(self, names: Sequence[str], reason: str | None = None) -> None:
        """Marks stored values as rejected (the API answered 401): the next ``get`` asks for new ones."""
        await self._call("secrets.invalidate", _params(names=list(names), reason=reason), QUICK_REQUEST_TIMEOUT_MS, 0, None)

    async def list(self) -> builtins.list[ServerSecrets]:
        """Every server's stored secret names (never values); opens no window."""
        result = await self._call("secrets.list", {}, QUICK_REQUEST_TIMEOUT_MS, 0, None)
        return [ServerSecrets(s["name"], builtins.list(s["secrets"])) for s in cast("list[dict[str, Any]]", result["servers"])]

    async def put(
        self, values: Mapping[str, str], *, reason: str | None = None, timeout_ms: int | None = None, on_pending: PendingListener | None = None
    ) -> dict[str, builtins.list[str]]:
        """Stores values under this server's name; always asks first. Returns ``{"created": [...], "replaced": [...]}``."""
        timeout = self._request_timeout_ms if timeout_ms is None else timeout_ms
        result = await self._call("secrets.put", _params(values=dict(values), reason=reason, timeoutMs=timeout), timeout, TIMEOUT_GRACE_MS, on_pending)
        return {"created": builtins.list(result["created"]), "replaced": builtins.list(result["replaced"])}

    async def delete(
        self, names: Sequence[str], *, reason: str | None = None, timeout_ms: int | None = None, on_pending: PendingListener | None = None
    ) -> builtins.list[str]:
        """Deletes stored secrets of this server; always asks first. Returns the deleted names."""
        timeout = self._request_timeout_ms if timeout_ms is None else timeout_ms
        result = await self._call("secrets.delete", _params(names=list(names), reason=reason, timeoutMs=timeout), timeout, TIMEOUT_GRACE_MS, on_pending)
        return builtins.list(result["deleted"])

    async def cancel(self, request_id: str) -> None:
        """Cancels a request by id (from a pending event) and closes its window; fine when it already finished."""
        try:
            await self._call("cancel", {"id": request_id}, QUICK_REQUEST_TIMEOUT_MS, 0, None)
        except KeyholdError as error:
            if error.code != "not_found":
                raise

    async def connect(self) -> str:
        """Connects now instead of on first use; returns the app's version."""
        if self._closed:
            raise closed_error()
        return (await self._connector.connected()).app_version

    def on_pending(self, listener: PendingListener) -> Callable[[], None]:
        """Calls ``listener`` whenever the app opens a window for this client's requests; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def request_link(self, event: PendingEvent) -> str | None:
        """``http://127.0.0.1:<port>/request/<link>``: brings the event's window to the front; None when unknown."""
        connection = self._connector.connection
        if connection is None or event.link is None:
            return None
        return request_link_for(connection.endpoint.url, event.link)

    async def close(self) -> None:
        """Ends the connection and all redialling; requests still waiting fail with ``cancelled``."""
        if self._closed:
            return
        self._closed = True
        self._listeners.clear()
        self._fail_all(KeyholdCancelled("The KeyholdClient was closed before the request finished."), None)
        await self._connector.close()

    async def _call(
        self,
        request_type: str,
        params: dict[str, object],
        timeout_ms: int,
        grace_ms: int,
        on_pending: PendingListener | None,
        *,
        hint: bool = False,
    ) -> dict[str, Any]:
        if self._closed:
            raise closed_error()
        problem = check_request(request_type, params)
        if problem is not None:
            raise KeyholdInvalidRequest(f"Invalid {request_type} request: {problem}")
        request_id = new_request_id()
        frame = encode_request(request_id, request_type, params)
        if len(frame.encode("utf-8")) > MAX_FRAME_BYTES:
            raise KeyholdInvalidRequest(
                f"The {request_type} request is larger than the app accepts ({MAX_FRAME_BYTES} bytes); shorten the guide or the defaults."
            )
        connection = await self._connected(hint)
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._in_flight[request_id] = _InFlight(request_type, connection, future, on_pending)
        try:
            if not await connection.send(frame):
                raise KeyholdUnavailable(f"{CONNECTION_LOST_MESSAGE}.")
            try:
                result = await asyncio.wait_for(asyncio.shield(future), (timeout_ms + grace_ms) / 1000)
            except TimeoutError:
                raise KeyholdTimeout(
                    f"The Keyhold app did not answer the {request_type} request within {_format_duration(timeout_ms)}; it was cancelled."
                ) from None
        except BaseException:
            # Timeout or task cancellation: tell the app, so the window closes too.
            if self._in_flight.pop(request_id, None) is not None and request_type != "cancel":
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.send(encode_request(new_request_id(), "cancel", {"id": request_id})))
            if not future.done():
                future.cancel()
            raise
        return cast("dict[str, Any]", result)

    async def _connected(self, hint: bool) -> BridgeConnection:
        try:
            return await self._connector.connected()
        except KeyholdError as error:
            if not hint or error.code != "unavailable":
                raise
            raise self._fallback.explain(error) from None

    async def _unreachable_for_fallback(self) -> KeyholdError | None:
        if not self._fallback.enabled or self._connector.connection is not None or self._closed:
            return None
        try:
            discover_bridge(self._discovery)
            await self._connector.connected()
        except KeyholdError as error:
            if error.code == "unavailable":
                return error
            raise
        return None

    async def _open_connection(self) -> BridgeConnection:
        endpoint = discover_bridge(self._discovery)
        return await BridgeConnection.open(endpoint, self._hello, self._connect_timeout_s, self._handle_frame, self._handle_close)

    def _handle_frame(self, frame: IncomingFrame) -> None:
        if isinstance(frame, Pending):
            request = self._in_flight.get(frame.event.id)
            listeners = ([request.on_pending] if request is not None and request.on_pending is not None else []) + builtins.list(self._listeners)
            for listener in listeners:
                with contextlib.suppress(Exception):  # a listener's bug must not take the connection down
                    listener(frame.event)
            return
        if frame.id is None:
            return  # cannot be matched to a request; that request times out instead
        request = self._in_flight.pop(frame.id, None)
        if request is None or request.future.done():
            return
        if isinstance(frame, Success):
            problem = parse_result(request.request_type, frame.result)
            if problem is None:
                request.future.set_result(frame.result)
            else:
                request.future.set_exception(protocol_error(problem))
        elif isinstance(frame, Failure):
            request.future.set_exception(error_for(frame.code, frame.message))
        elif isinstance(frame, Malformed):
            request.future.set_exception(protocol_error(frame.problem))

    def _handle_close(self, connection: BridgeConnection, message: str) -> None:
        self._fail_all(KeyholdUnavailable(message), connection)
        self._connector.lost(connection)

    def _fail_all(self, error: KeyholdError, connection: BridgeConnection | None) -> None:
        for request_id, request in builtins.list(self._in_flight.items()):
            if connection is None or request.connection is connection:
                del self._in_flight[request_id]
                if not request.future.done():
                    request.future.set_exception(error)


def request_link_for(bridge_url: str, link: str) -> str | None:
    """``ws://127.0.0.1:<port>`` → ``http://127.0.0.1:<port>/request/<link>``; None for anything not loopback ws."""
    from urllib.parse import quote, urlsplit

    try:
        parts = urlsplit(bridge_url)
    except ValueError:
        return None
    if parts.scheme != "ws" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    return f"http://{parts.netloc}/request/{quote(link, safe='')}"
