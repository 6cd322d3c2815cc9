"""A scripted stand-in for the app's bridge endpoint, for what the real app
never sends: malformed frames, unknown types, oversize frames, refusals.
``reply`` decides what to send for each request after hello."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

TOKEN = "t" * 43
Reply = Callable[[ServerConnection, dict[str, object]], Awaitable[None]]


@asynccontextmanager
async def fake_app(reply: Reply, *, status: int = 101, home: Path | None = None) -> AsyncIterator[str]:
    """Runs the fake app; yields its URL (and writes bridge.json into ``home`` when given)."""

    def check(_connection: ServerConnection, request: Request) -> Response | None:
        if status != 101:
            return Response(status, HTTPStatus(status).phrase, Headers())
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response(401, "Unauthorized", Headers())
        return None

    async def handler(connection: ServerConnection) -> None:
        async for message in connection:
            frame = json.loads(message)
            if frame["type"] == "hello":
                await connection.send(json.dumps({"id": frame["id"], "ok": True, "result": {"sessionId": "s", "appVersion": "fake", "protocol": 1}}))
            else:
                await reply(connection, frame)

    async with serve(handler, "127.0.0.1", 0, process_request=check, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}"
        if home is not None:
            import os

            (home / "bridge.json").write_text(json.dumps({"url": url, "token": TOKEN, "pid": os.getpid(), "version": "fake"}))
        yield url
