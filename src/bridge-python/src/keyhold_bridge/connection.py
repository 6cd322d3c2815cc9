"""One WebSocket to the app, from dial to close: the upgrade with the bearer
token, the ``hello`` exchange, then a stream of decoded frames for the client.
It knows nothing about retries or in-flight requests; ``KeyholdClient`` owns
those and opens a new ``BridgeConnection`` after each loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from .discovery import BridgeEndpoint, app_not_running_error
from .errors import KeyholdBusy, KeyholdError, KeyholdUnauthorized, KeyholdUnavailable, error_for
from .frames import Failure, IncomingFrame, Malformed, Pending, Success, encode_request, new_request_id, parse_result, parse_server_frame
from .protocol import MAX_REPLY_BYTES, PROTOCOL_VERSION

CONNECTION_LOST_MESSAGE = "The Keyhold app closed the connection (did it quit?)"

FrameHandler = Callable[[IncomingFrame], None]
CloseHandler = Callable[["BridgeConnection", str], None]


class BridgeConnection:
    def __init__(self, ws: ClientConnection, endpoint: BridgeEndpoint, app_version: str) -> None:
        self._ws = ws
        self.endpoint = endpoint
        self.app_version = app_version
        self._open = True
        self._reader: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self._open

    @classmethod
    async def open(
        cls, endpoint: BridgeEndpoint, hello: dict[str, object], timeout_s: float, on_frame: FrameHandler, on_close: CloseHandler
    ) -> BridgeConnection:
        """Dials, authenticates and says hello; raises a KeyholdError that says what went wrong and what to do."""
        try:
            ws = await asyncio.wait_for(
                connect(
                    endpoint.url,
                    additional_headers={"Authorization": f"Bearer {endpoint.token}"},
                    max_size=MAX_REPLY_BYTES,
                    compression=None,
                    proxy=None,
                    open_timeout=None,
                    ping_interval=None,
                    user_agent_header=None,
                ),
                timeout_s,
            )
        except InvalidStatus as error:
            raise _upgrade_refused(endpoint, error.response.status_code) from None
        except ConnectionRefusedError:
            raise app_not_running_error(_nothing_answers(endpoint)) from None
        except TimeoutError:
            raise KeyholdUnavailable(f"The Keyhold app at {endpoint.url} ({endpoint.source.describe()}) did not answer within {timeout_s:g} s.") from None
        except (OSError, WebSocketException) as error:
            raise KeyholdUnavailable(f"Could not reach the Keyhold app at {endpoint.url} ({endpoint.source.describe()}): {str(error)[:200]}.") from None
        try:
            app_version = await asyncio.wait_for(_say_hello(ws, endpoint, hello), timeout_s)
        except BaseException as error:
            await ws.close()
            if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
                raise KeyholdUnavailable(f"The Keyhold app at {endpoint.url} ({endpoint.source.describe()}) did not answer within {timeout_s:g} s.") from None
            raise
        connection = cls(ws, endpoint, app_version)
        connection._reader = asyncio.get_running_loop().create_task(connection._read(on_frame, on_close))
        return connection

    async def send(self, text: str) -> bool:
        """Sends one encoded frame; False when the connection is no longer open."""
        if not self._open:
            return False
        try:
            await self._ws.send(text)
        except ConnectionClosed:
            return False
        return True

    async def close(self) -> None:
        """Closes politely (no close callback)."""
        self._open = False
        await self._ws.close()
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self, on_frame: FrameHandler, on_close: CloseHandler) -> None:
        closed: ConnectionClosed | None = None
        try:
            async for data in self._ws:
                on_frame(Malformed(None, "binary frame") if isinstance(data, bytes) else parse_server_frame(data))
        except ConnectionClosed as error:
            closed = error
        finally:
            was_open = self._open
            self._open = False
            if was_open:
                on_close(self, _close_explanation(closed))


def _close_explanation(closed: ConnectionClosed | None) -> str:
    """Why the connection ended: a too-big frame (1009, sent by us or the app), the app's reason, or just lost."""
    frames = [frame for frame in (closed.sent, closed.rcvd) if frame is not None] if closed is not None else []
    if any(frame.code == 1009 for frame in frames):
        return f"{CONNECTION_LOST_MESSAGE}: a frame exceeded the {MAX_REPLY_BYTES} byte limit (close code 1009)."
    said = next((frame for frame in frames if frame.reason.strip()), None)
    if said is not None:
        return f'{CONNECTION_LOST_MESSAGE}: "{said.reason.strip()[:200]}" (close code {said.code}).'
    return f"{CONNECTION_LOST_MESSAGE}."


async def _say_hello(ws: ClientConnection, endpoint: BridgeEndpoint, hello: dict[str, object]) -> str:
    hello_id = new_request_id()
    await ws.send(encode_request(hello_id, "hello", {"protocol": PROTOCOL_VERSION, **hello}))
    while True:
        try:
            data = await ws.recv()
        except ConnectionClosed:
            raise KeyholdUnavailable(f"The Keyhold app at {endpoint.url} closed the connection during hello.") from None
        frame = Malformed(None, "binary frame") if isinstance(data, bytes) else parse_server_frame(data)
        if isinstance(frame, Pending) or (frame.id is not None and frame.id != hello_id):
            continue
        if isinstance(frame, Failure):
            raise error_for(frame.code, frame.message)
        if isinstance(frame, Malformed):
            raise protocol_error(frame.problem)
        assert isinstance(frame, Success)
        problem = parse_result("hello", frame.result)
        if problem is not None:
            raise protocol_error(problem)
        assert isinstance(frame.result, dict)
        return str(frame.result["appVersion"])


def protocol_error(problem: str) -> KeyholdUnavailable:
    return KeyholdUnavailable(f"Protocol error: the Keyhold app sent a reply this bridge does not understand ({problem}). Update keyhold-bridge or the app.")


def _nothing_answers(endpoint: BridgeEndpoint) -> str:
    where = f"nothing answers at {endpoint.url} ({endpoint.source.describe()})"
    return where if endpoint.source.kind == "file" else f"{where}; the app may have restarted on another port"


def _upgrade_refused(endpoint: BridgeEndpoint, status: int) -> KeyholdError:
    source = endpoint.source.describe()
    if status == 401:
        hint = (
            "the Keyhold app probably restarted (it issues a new token on every start); the next attempt reads the file again"
            if endpoint.source.kind == "file"
            else "the token is stale: the Keyhold app issues a new one on every start, so update it or unset it to use the discovery file"
        )
        return KeyholdUnauthorized(f"The Keyhold app at {endpoint.url} refused the bridge token ({source}): {hint}.")
    if status == 403:
        return KeyholdUnauthorized(
            f"The Keyhold app at {endpoint.url} refused the connection (HTTP 403): it accepts only loopback connections without an Origin header."
        )
    if status == 503:
        return KeyholdBusy(f"The Keyhold app at {endpoint.url} has too many bridge connections open; try again once some MCP servers have stopped.")
    return KeyholdUnavailable(f"{endpoint.url} ({source}) answered HTTP {status} instead of the Keyhold bridge: is another program using that port?")


def current_pid() -> int:
    return os.getpid()
