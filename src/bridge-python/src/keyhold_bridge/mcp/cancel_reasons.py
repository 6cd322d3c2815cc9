"""Why the client cancelled a tool call: its timeout, or an explicit cancel.

The SDK cancels the handler first and hands ``notifications/cancelled`` (with
its ``reason``) to the server's middleware afterwards, so the gate records
reasons here (a middleware ``KeyholdMcp`` adds to the server on first use) and
waits briefly for its call's. Both SDKs' clients say "timed out" on a timeout
("timed out after 2.0s", "Request timed out"); an explicit cancel says
anything else ("caller cancelled")."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

_TIMED_OUT = re.compile(r"timed?[ -]?out", re.IGNORECASE)
_KEEP = 256


class CancelReasons:
    def __init__(self) -> None:
        self._reasons: dict[str, str] = {}
        self._arrived = anyio.Event()

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        if getattr(ctx, "method", None) == "notifications/cancelled" and isinstance(ctx.params, dict):
            request_id = ctx.params.get("requestId")
            if request_id is not None:
                if len(self._reasons) >= _KEEP:
                    self._reasons.pop(next(iter(self._reasons)))
                self._reasons[str(request_id)] = str(ctx.params.get("reason", ""))
                arrived, self._arrived = self._arrived, anyio.Event()
                arrived.set()
        return await call_next(ctx)

    async def timed_out(self, request_id: str, wait_s: float = 1.0) -> bool:
        """True when the client's cancel of ``request_id`` was its timeout, or no reason arrived (the safe guess: keep the window)."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(wait_s):
            while request_id not in self._reasons:
                await self._arrived.wait()
        reason = self._reasons.pop(request_id, None)
        return reason is None or _TIMED_OUT.search(reason) is not None
