"""Keyhold requests that outlive the MCP call that started them (mirrors
``src/bridge/mcp/parked-requests.ts``), and the sealed ``requestState`` of a
modern ``input_required`` round (mirrors ``request-state.ts``).

A gated call does not own its Keyhold request: it starts one here, or attaches
to the open one for the same names, and waits on it. When the call goes away
(returned ``input_required``, or the client cancelled or timed it out) the
request stays open until its own deadline and the next call for the same
names attaches to it: no second window. An answer that arrives while no call
waits (values, or a Deny) is kept for the next such call for at least
``MIN_LINGER_S``; a timeout or a Cancel is nobody's answer and is dropped.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any

from ..errors import KeyholdCancelled, KeyholdError, KeyholdInvalidRequest
from ..frames import PendingEvent

MIN_LINGER_S = 60.0
MAX_STATE_CHARS = 2_048


class ParkedRequest:
    def __init__(self, key: str, start: Callable[[Callable[[PendingEvent], None]], Coroutine[Any, Any, dict[str, str]]], deadline_ms: float) -> None:
        self.id = secrets.token_urlsafe(16)
        self.key = key
        self.events: list[PendingEvent] = []
        self.expires_at_ms = deadline_ms
        self.elicitation_id: str | None = None
        self._listeners: list[Callable[[PendingEvent], None]] = []
        self._first_window: asyncio.Future[PendingEvent | None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.get_running_loop().create_task(start(self._opened))
        self._task.add_done_callback(self._settled)

    @property
    def is_settled(self) -> bool:
        return self._task.done()

    @property
    def latest_event(self) -> PendingEvent | None:
        return self.events[-1] if self.events else None

    def on_pending(self, listener: Callable[[PendingEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def first_window(self) -> PendingEvent | None:
        """The first window's event, or None when the request settled without one (granted at once, or failed)."""
        return await asyncio.shield(self._first_window)

    async def settled(self) -> None:
        """Waits for the request to end (never raises its error; a cancelled caller does not cancel it)."""
        await asyncio.wait({self._task})

    async def result(self) -> dict[str, str]:
        """The values, or the request's KeyholdError (``cancelled`` when the gate ended it)."""
        await self.settled()
        if self._task.cancelled():
            raise KeyholdCancelled("The Keyhold request was cancelled.")
        return self._task.result()

    def cancel(self) -> None:
        """Ends the Keyhold request: the bridge sends ``cancel`` and its window closes."""
        self._task.cancel()

    def outcome_is_an_answer(self) -> bool:
        """Values or a Deny are answers kept for the next call; a timeout, a Cancel or a lost app are not."""
        if not self._task.done() or self._task.cancelled():
            return False
        error = self._task.exception()
        return error is None or (isinstance(error, KeyholdError) and error.code == "denied")

    def _opened(self, event: PendingEvent) -> None:
        self.events.append(event)
        self.expires_at_ms = event.expires_at
        if not self._first_window.done():
            self._first_window.set_result(event)
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(event)

    def _settled(self, _task: asyncio.Task[dict[str, str]]) -> None:
        if not self._first_window.done():
            self._first_window.set_result(None)
        if not _task.cancelled():
            _task.exception()  # retrieved here; the waiting call re-raises it


class ParkedRequests:
    def __init__(self) -> None:
        self._by_id: dict[str, ParkedRequest] = {}
        # Ended without an answer (Cancel, timeout, lost app): kept only for the retry that continues them.
        self._unanswered: dict[str, ParkedRequest] = {}
        self.sealer = StateSealer()

    def get(self, parked_id: str) -> ParkedRequest | None:
        return self._by_id.get(parked_id)

    def ended_without_answer(self, parked_id: str) -> ParkedRequest | None:
        """A request that ended with nobody's answer, by id: a modern retry whose state names it
        learns how it ended ("closed without an answer"), not "timed out". New calls never attach."""
        return self._unanswered.get(parked_id)

    def attachable(self, names: list[str]) -> ParkedRequest | None:
        key = _key(names)
        for parked in self._by_id.values():
            if parked.key == key and (not parked.is_settled or parked.outcome_is_an_answer()):
                return parked
        return None

    def start(self, names: list[str], run: Callable[[Callable[[PendingEvent], None]], Coroutine[Any, Any, dict[str, str]]], timeout_ms: int) -> ParkedRequest:
        parked = ParkedRequest(_key(names), run, time.time() * 1000 + timeout_ms)
        self._by_id[parked.id] = parked
        parked._task.add_done_callback(lambda _task: self._linger(parked))
        return parked

    def collected(self, parked: ParkedRequest) -> None:
        """A call took the answer (or ended the request): it is gone."""
        self._by_id.pop(parked.id, None)
        self._unanswered.pop(parked.id, None)

    def close_all(self) -> None:
        for parked in list(self._by_id.values()):
            parked.cancel()
        self._by_id.clear()
        self._unanswered.clear()

    def _linger(self, parked: ParkedRequest) -> None:
        if not parked.outcome_is_an_answer():
            self._by_id.pop(parked.id, None)
            self._unanswered[parked.id] = parked
            asyncio.get_running_loop().call_later(MIN_LINGER_S, lambda: self._unanswered.pop(parked.id, None))
            return
        linger = max(parked.expires_at_ms / 1000 - time.time(), MIN_LINGER_S)
        asyncio.get_running_loop().call_later(linger, lambda: self._by_id.pop(parked.id, None))


def _key(names: list[str]) -> str:
    return "\n".join(sorted(names))


def arguments_digest(args: object) -> str:
    return hashlib.sha256(json.dumps(args, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


class StateSealer:
    """``base64url(payload).base64url(HMAC-SHA256)`` with a per-process key: bound to one
    parked request, the tool, the arguments' digest and an expiry; single use (nonce)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)
        self._used: dict[str, float] = {}

    def seal(self, parked: str, tool: str, args: str, expires_at_ms: float) -> str:
        payload = json.dumps({"v": 1, "parked": parked, "tool": tool, "args": args, "exp": int(expires_at_ms), "nonce": secrets.token_urlsafe(12)})
        body = _b64(payload.encode())
        return f"{body}.{_b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())}"

    def open(self, state: str, tool: str, args: str) -> str:
        """The parked request id the state continues; ``invalid_request`` for anything tampered, foreign, expired or reused."""
        refused = "The requestState of this retry is not one this server issued for this tool call"
        if len(state) > MAX_STATE_CHARS or state.count(".") != 1:
            raise KeyholdInvalidRequest(f"{refused} (malformed).")
        body, mac = state.split(".")
        if not hmac.compare_digest(_b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()), mac):
            raise KeyholdInvalidRequest(f"{refused} (altered, or from another server process).")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if claims.get("tool") != tool or claims.get("args") != args:
            raise KeyholdInvalidRequest(f"{refused} (it belongs to another tool or other arguments).")
        now = time.time() * 1000
        if claims["exp"] < now:
            raise KeyholdInvalidRequest(f"{refused} (expired).")
        self._used = {nonce: exp for nonce, exp in self._used.items() if exp >= now}
        if claims["nonce"] in self._used:
            raise KeyholdInvalidRequest(f"{refused} (already used).")
        self._used[claims["nonce"]] = claims["exp"]
        return str(claims["parked"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
