"""The gate's own seal on the modern requestState (keyhold_bridge.mcp.parked.StateSealer):
bound to the parked request, the tool and its arguments, with an expiry, usable once."""

from __future__ import annotations

import time

import pytest

from keyhold_bridge import KeyholdInvalidRequest
from keyhold_bridge.mcp.parked import StateSealer, arguments_digest

ARGS = arguments_digest({"city": "Oslo"})


def fresh(sealer: StateSealer, ttl_ms: float = 60_000) -> str:
    return sealer.seal("parked-1", "forecast", ARGS, time.time() * 1000 + ttl_ms)


def test_a_sealed_state_opens_to_its_parked_request() -> None:
    sealer = StateSealer()
    assert sealer.open(fresh(sealer), "forecast", ARGS) == "parked-1"


def test_request_state_tampering_is_refused() -> None:
    sealer = StateSealer()
    state = fresh(sealer)
    body, mac = state.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    for bad in (f"{flipped}.{mac}", f"{body}.{mac[:-1]}x", "not-a-state", "a.b.c", "x" * 3000):
        with pytest.raises(KeyholdInvalidRequest):
            sealer.open(bad, "forecast", ARGS)
    with pytest.raises(KeyholdInvalidRequest, match="another server process"):
        StateSealer().open(state, "forecast", ARGS)


def test_request_state_replay_is_refused() -> None:
    sealer = StateSealer()
    state = fresh(sealer)
    sealer.open(state, "forecast", ARGS)
    with pytest.raises(KeyholdInvalidRequest, match="already used"):
        sealer.open(state, "forecast", ARGS)


def test_request_state_rebinding_to_another_tool_or_arguments_is_refused() -> None:
    sealer = StateSealer()
    with pytest.raises(KeyholdInvalidRequest, match="another tool"):
        sealer.open(fresh(sealer), "delete_everything", ARGS)
    with pytest.raises(KeyholdInvalidRequest, match="other arguments"):
        sealer.open(fresh(sealer), "forecast", arguments_digest({"city": "Bergen"}))


def test_request_state_expiry_is_enforced() -> None:
    sealer = StateSealer()
    with pytest.raises(KeyholdInvalidRequest, match="expired"):
        sealer.open(fresh(sealer, ttl_ms=-1), "forecast", ARGS)
