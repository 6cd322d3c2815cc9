"""Keyhold requests that outlive their MCP call (keyhold_bridge.mcp.parked.ParkedRequests):
an answer waits for the next call; a Cancel or a timeout is nobody's answer, yet the modern
retry that continues such a request still learns how it ended."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from keyhold_bridge import KeyholdCancelled
from keyhold_bridge.frames import PendingEvent
from keyhold_bridge.mcp.parked import ParkedRequests


async def _cancelled_in_window(_opened: Callable[[PendingEvent], None]) -> dict[str, str]:
    raise KeyholdCancelled("The Keyhold window was closed without an answer.")


async def _allowed(_opened: Callable[[PendingEvent], None]) -> dict[str, str]:
    return {"API_KEY": "value"}


async def test_a_cancelled_request_is_not_attachable_but_its_retry_learns_it_was_cancelled() -> None:
    registry = ParkedRequests()
    parked = registry.start(["API_KEY"], _cancelled_in_window, 5_000)
    await parked.settled()
    await asyncio.sleep(0)  # the done-callbacks run
    assert registry.attachable(["API_KEY"]) is None, "a new call starts afresh"
    assert registry.get(parked.id) is None
    assert registry.ended_without_answer(parked.id) is parked
    with pytest.raises(KeyholdCancelled, match="closed without an answer"):
        await parked.result()
    registry.collected(parked)
    assert registry.ended_without_answer(parked.id) is None, "collected once"


async def test_an_answer_waits_for_the_next_call_and_is_not_an_ended_one() -> None:
    registry = ParkedRequests()
    parked = registry.start(["API_KEY"], _allowed, 5_000)
    await parked.settled()
    await asyncio.sleep(0)
    assert registry.attachable(["API_KEY"]) is parked
    assert registry.ended_without_answer(parked.id) is None
