"""Bad input from the app side (malformed frames, unknown types, oversize
frames, refused upgrades) gives typed errors, never a crash, and never quotes
the frame (it may hold secret values)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from websockets.asyncio.server import ServerConnection

from keyhold_bridge import FieldSpec, KeyholdBusy, KeyholdError, KeyholdInvalidRequest, KeyholdTimeout, KeyholdUnauthorized, KeyholdUnavailable
from keyhold_bridge.client import KeyholdClient
from keyhold_bridge.protocol import MAX_REPLY_BYTES

from .fake_app import TOKEN, fake_app

SECRET = "sk-live-DO-NOT-LEAK-0123456789"


def client_at(url: str, **options: object) -> KeyholdClient:
    return KeyholdClient("demo", url=url, token=TOKEN, env={}, **options)  # type: ignore[arg-type]


async def silent(_connection: ServerConnection, _frame: dict[str, object]) -> None:
    return None


@pytest.mark.parametrize(
    ("text_for", "expected"),
    [
        pytest.param(lambda f: "{" + SECRET, KeyholdTimeout, id="not JSON: cannot be matched, so the request times out"),
        pytest.param(lambda f: SECRET.encode(), KeyholdTimeout, id="a binary frame: cannot be matched, so the request times out"),
        pytest.param(
            lambda f: json.dumps({"id": f["id"], "ok": False, "error": {"code": "teapot", "message": SECRET}}), KeyholdUnavailable, id="unknown error code"
        ),
        pytest.param(
            lambda f: json.dumps({"id": f["id"], "ok": True, "result": {"values": {"A": 1, "B": SECRET}}}), KeyholdUnavailable, id="a result of the wrong shape"
        ),
        pytest.param(
            lambda f: json.dumps({"id": f["id"], "ok": True, "result": {"values": {}}, "debug": SECRET}), KeyholdUnavailable, id="an extra key (strict)"
        ),
        pytest.param(lambda f: json.dumps({"id": f["id"], "type": "secrets.get"}), KeyholdUnavailable, id="an unknown frame shape"),
    ],
)
async def test_malformed_app_frame_fails_its_request_with_a_typed_error_and_the_connection_goes_on(
    text_for: Callable[[dict[str, object]], str | bytes], expected: type[KeyholdError]
) -> None:
    calls = {"n": 0}

    async def reply(connection: ServerConnection, frame: dict[str, object]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            await connection.send(text_for(frame))
        else:
            await connection.send(json.dumps({"id": frame["id"], "ok": True, "result": {"secrets": []}}))

    async with fake_app(reply) as url, client_at(url) as client:
        with pytest.raises(KeyholdError) as raised:
            await client.get(["A"], timeout_ms=300)
        assert type(raised.value) is expected
        assert SECRET not in str(raised.value)
        if expected is KeyholdUnavailable:
            assert "Protocol error" in raised.value.message
        assert await client.status() == []


async def test_an_unknown_frame_type_is_ignored_and_does_not_crash_the_client() -> None:
    async def reply(connection: ServerConnection, frame: dict[str, object]) -> None:
        await connection.send(json.dumps({"event": "opened", "data": {"id": frame["id"]}}))
        await connection.send(json.dumps({"id": frame["id"], "ok": True, "result": {"secrets": []}}))

    async with fake_app(reply) as url, client_at(url) as client:
        assert await client.status() == []


async def test_malformed_app_frame_oversize_closes_the_connection_with_a_typed_error_and_the_client_reconnects() -> None:
    calls = {"n": 0}

    async def reply(connection: ServerConnection, frame: dict[str, object]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            await connection.send(json.dumps({"id": frame["id"], "ok": True, "result": {"values": {"A": "x" * (MAX_REPLY_BYTES + 10)}}}))
        else:
            await connection.send(json.dumps({"id": frame["id"], "ok": True, "result": {"secrets": []}}))

    async with fake_app(reply) as url, client_at(url) as client:
        with pytest.raises(KeyholdUnavailable) as raised:
            await client.get(["A"])
        assert "1009" in raised.value.message
        assert await client.status() == []


@pytest.mark.parametrize(("status", "error"), [(401, KeyholdUnauthorized), (403, KeyholdUnauthorized), (503, KeyholdBusy), (404, KeyholdUnavailable)])
async def test_a_refused_upgrade_gives_its_typed_error(status: int, error: type[KeyholdError]) -> None:
    async with fake_app(silent, status=status) as url, client_at(url, connect_timeout_ms=1_500) as client:
        with pytest.raises(error) as raised:
            await client.status()
        assert TOKEN not in str(raised.value)


async def test_a_wrong_token_is_unauthorized_and_never_echoed() -> None:
    wrong = "w" * 40
    async with fake_app(silent) as url, KeyholdClient("demo", url=url, token=wrong, env={}) as client:
        with pytest.raises(KeyholdUnauthorized) as raised:
            await client.status()
        assert wrong not in str(raised.value)


async def test_error_replies_become_their_subclass_with_the_code() -> None:
    async def reply(connection: ServerConnection, frame: dict[str, object]) -> None:
        await connection.send(json.dumps({"id": frame["id"], "ok": False, "error": {"code": "busy", "message": "Too many requests."}}))

    async with fake_app(reply) as url, client_at(url) as client:
        with pytest.raises(KeyholdBusy) as raised:
            await client.get(["A"])
        assert raised.value.code == "busy"
        assert isinstance(raised.value, KeyholdError)


async def test_limits_are_checked_before_anything_is_sent() -> None:
    # No app at all: these fail on the client side, before any connection is tried.
    async with KeyholdClient("demo", url="ws://127.0.0.1:9", token=TOKEN, env={}) as client:
        with pytest.raises(KeyholdInvalidRequest, match="names must not repeat"):
            await client.get(["A", "A"])
        with pytest.raises(KeyholdInvalidRequest, match="at most 32 items"):
            await client.get([f"N{i}" for i in range(33)])
        fields: list[FieldSpec] = [{"name": f"F{i}", "label": "x", "type": "text", "required": False, "default": "d" * 60_000} for i in range(8)]
        with pytest.raises(KeyholdInvalidRequest, match="larger than the app accepts"):
            await client.request(fields)
        for timeout_ms in (0, 1_200_001):
            with pytest.raises(KeyholdInvalidRequest):
                await client.get(["A"], timeout_ms=timeout_ms)


def test_a_bad_server_name_is_refused_at_construction() -> None:
    with pytest.raises(KeyholdInvalidRequest, match="server name"):
        KeyholdClient("my server", env={})
