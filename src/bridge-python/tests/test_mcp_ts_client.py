"""The Python example server driven by the official TypeScript MCP client
(``@modelcontextprotocol/client`` 2.x, test/fixtures/ts-mcp-client.ts) against
the real core: modern era with URL elicitation (the client drives the
input_required round itself) and legacy era with a form, the code in the
elicitation equal to the window's, and no secret value in any MCP message."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from .controlled_core import REPO_ROOT, ControlledCore

PACKAGE = Path(__file__).resolve().parents[1]
SECRET = "sk-ts-client-DO-NOT-LEAK-31337"


async def run_ts_client(
    core: ControlledCore, era: str, mode: str, server: list[str]
) -> tuple[asyncio.subprocess.Process, asyncio.Queue[dict[str, Any]], list[str]]:
    node = shutil.which("node") or "node"
    process = await asyncio.create_subprocess_exec(
        node,
        "--import",
        "tsx",
        str(REPO_ROOT / "test" / "fixtures" / "ts-mcp-client.ts"),
        era,
        mode,
        "forecast",
        json.dumps({"city": "Oslo"}),
        *server,
        cwd=REPO_ROOT,
        env={**core.env, "PYTHONPATH": str(PACKAGE / "src")},
        stdout=asyncio.subprocess.PIPE,
    )
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    raw: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            raw.append(line.decode())
            message = json.loads(line)
            if message["event"] != "traffic":
                events.put_nowait(message)

    asyncio.get_running_loop().create_task(read())
    return process, events, raw


async def next_event(events: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(events.get(), 120)


SERVERS = {
    "mcp": [sys.executable, str(PACKAGE / "examples" / "weather_server.py")],
    "fastmcp": [sys.executable, str(PACKAGE / "examples" / "weather_fastmcp.py")],
}


@pytest.mark.parametrize(
    ("framework", "era", "mode"),
    [
        ("mcp", "modern", "url"),
        ("mcp", "modern", "form"),
        ("mcp", "legacy", "url"),
        ("mcp", "legacy", "form"),
        ("fastmcp", "modern", "url"),
        ("fastmcp", "legacy", "form"),
    ],
)
async def test_the_typescript_client_gets_the_code_and_the_result_never_the_secret(core: ControlledCore, framework: str, era: str, mode: str) -> None:
    process, events, raw = await run_ts_client(core, era, mode, SERVERS[framework])
    prompt = await core.next_prompt()
    elicit = await next_event(events)
    assert elicit["event"] == "elicit", elicit
    assert elicit["params"].get("mode", "form") == mode
    assert prompt.verification_code in elicit["params"]["message"]
    await core.save(prompt, {"API_KEY": SECRET})
    result = await next_event(events)
    assert result["event"] == "result", result
    assert result["result"]["content"][0]["text"] == f"Oslo: sunny (asked with a key of {len(SECRET)} characters)"
    await asyncio.wait_for(process.wait(), 60)
    assert len(core.shown) == 1
    assert any('"traffic"' in line for line in raw)
    assert not any(SECRET in line for line in raw)
