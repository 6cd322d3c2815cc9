"""The MCP gate end to end: the Python ``mcp`` 2.x ClientSession (with an
elicitation callback, or without) drives examples/weather_server.py over
stdio against the real core, in both protocol eras. Nothing the client
receives ever holds the secret value."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import mcp_types as t
import pytest
from mcp import ClientSession
from mcp.client.context import ClientRequestContext
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

from .controlled_core import ControlledCore, Prompt

PACKAGE = Path(__file__).resolve().parents[1]
SECRET = "sk-weather-DO-NOT-LEAK-9f8e7d"
ANSWER = f"Oslo: sunny (asked with a key of {len(SECRET)} characters)"
SERVERS = {"mcp": "weather_server.py", "fastmcp": "weather_fastmcp.py"}
Elicitation = Literal["url+form", "form", "none"]


class FormOnlySession(ClientSession):
    """A client that declares form-mode elicitation only."""

    def _build_capabilities(self, version: str) -> t.ClientCapabilities:
        return super()._build_capabilities(version).model_copy(update={"elicitation": t.ElicitationCapability(form=t.FormElicitationCapability())})


@dataclass
class Mcp:
    session: ClientSession
    elicitations: list[t.ElicitRequestParams] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    elicit_answer: str = "accept"

    def saw(self, item: Any) -> None:
        self.received.append(item.model_dump_json() if hasattr(item, "model_dump_json") else str(item))

    def assert_no_secret(self) -> None:
        assert self.received, "nothing was captured"
        assert not any(SECRET in item for item in self.received)


@asynccontextmanager
async def connect(core: ControlledCore, era: Literal["modern", "legacy"], elicitation: Elicitation, framework: str = "mcp", **env: str) -> AsyncIterator[Mcp]:
    server_env = {**core.env, "PYTHONPATH": str(PACKAGE / "src"), **env}
    params = StdioServerParameters(command=sys.executable, args=[str(PACKAGE / "examples" / SERVERS[framework])], env=server_env, cwd=os.getcwd())
    holder: list[Mcp] = []

    async def on_elicit(context: ClientRequestContext, params: t.ElicitRequestParams) -> t.ElicitResult | t.ErrorData:
        holder[0].elicitations.append(params)
        holder[0].saw(params)
        return t.ElicitResult(action=holder[0].elicit_answer)  # type: ignore[arg-type]

    async def on_message(message: Any) -> None:
        if holder:
            holder[0].saw(message)

    session_type = FormOnlySession if elicitation == "form" else ClientSession
    callback = None if elicitation == "none" else on_elicit
    async with stdio_client(params) as (read, write), session_type(read, write, elicitation_callback=callback, message_handler=on_message) as session:
        mcp = Mcp(session)
        holder.append(mcp)
        if era == "modern":
            await session.discover()
        else:
            await session.initialize()
        yield mcp


def text_of(result: t.CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, t.TextContent))


def keyhold_request(result: t.InputRequiredResult) -> t.ElicitRequestParams:
    assert result.input_requests is not None
    request = result.input_requests["keyhold"]
    assert isinstance(request, t.ElicitRequest)
    return request.params


async def first_round(mcp: Mcp, core: ControlledCore) -> tuple[Prompt, t.InputRequiredResult, t.ElicitRequestParams]:
    """A modern call that opens a window: the prompt, and the input_required result with its elicitation."""
    first_call = asyncio.create_task(call(mcp))
    prompt = await core.next_prompt()
    first = await first_call
    assert isinstance(first, t.InputRequiredResult)
    params = keyhold_request(first)
    assert prompt.verification_code in params.message
    return prompt, first, params


async def call(mcp: Mcp, **options: Any) -> Any:
    result = await mcp.session.call_tool("forecast", {"city": "Oslo"}, allow_input_required=True, **options)
    mcp.saw(result)
    return result


@pytest.mark.parametrize("framework", ["mcp", "fastmcp"])
async def test_modern_url_client_gets_input_required_with_the_request_link_and_the_retry_waits_for_the_answer(core: ControlledCore, framework: str) -> None:
    async with connect(core, "modern", "url+form", framework) as mcp:
        prompt, first, params = await first_round(mcp, core)
        assert isinstance(params, t.ElicitRequestURLParams)
        assert params.url.startswith(core.url.replace("ws://", "http://").rstrip("/") + "/request/")
        retry = asyncio.create_task(call(mcp, input_responses={"keyhold": t.ElicitResult(action="accept")}, request_state=first.request_state))
        await core.save(prompt, {"API_KEY": SECRET})
        result = await retry
        assert isinstance(result, t.CallToolResult)
        assert not result.is_error
        assert text_of(result) == ANSWER
        assert len(core.shown) == 1
        mcp.assert_no_secret()


@pytest.mark.parametrize("framework", ["mcp", "fastmcp"])
async def test_modern_form_only_client_gets_a_message_only_form_and_declining_closes_the_window(core: ControlledCore, framework: str) -> None:
    async with connect(core, "modern", "form", framework) as mcp:
        prompt, first, params = await first_round(mcp, core)
        assert isinstance(params, t.ElicitRequestFormParams)
        assert params.requested_schema["properties"] == {}
        result = await call(mcp, input_responses={"keyhold": t.ElicitResult(action="decline")}, request_state=first.request_state)
        assert result.is_error
        assert "declined the Keyhold request" in text_of(result)
        assert await asyncio.wait_for(core.closed.get(), 30) == prompt.id


async def test_modern_client_without_elicitation_times_out_then_the_retry_gets_the_late_answer_without_a_second_window(core: ControlledCore) -> None:
    async with connect(core, "modern", "none") as mcp:
        first_call = asyncio.create_task(call(mcp, read_timeout_seconds=2))
        prompt = await core.next_prompt()
        with pytest.raises(MCPError):
            await first_call
        await core.save(prompt, {"API_KEY": SECRET})
        result = await call(mcp)
        assert text_of(result) == ANSWER
        assert len(core.shown) == 1
        mcp.assert_no_secret()


@pytest.mark.parametrize("framework", ["mcp", "fastmcp"])
async def test_legacy_url_client_gets_a_pushed_url_elicitation_and_the_completion_notice(core: ControlledCore, framework: str) -> None:
    async with connect(core, "legacy", "url+form", framework) as mcp:
        waiting = asyncio.create_task(call(mcp))
        prompt = await core.next_prompt()
        params = await wait_for_elicitation(mcp)
        assert isinstance(params, t.ElicitRequestURLParams)
        assert prompt.verification_code in params.message
        await core.save(prompt, {"API_KEY": SECRET})
        result = await waiting
        assert text_of(result) == ANSWER
        for _ in range(600):
            if any("notifications/elicitation/complete" in item for item in mcp.received):
                break
            await asyncio.sleep(0.05)
        assert params.elicitation_id is not None
        assert any(params.elicitation_id in item and "elicitation/complete" in item for item in mcp.received)
        mcp.assert_no_secret()


async def test_allow_allow_for_session_and_deny(core: ControlledCore) -> None:
    async with connect(core, "legacy", "none") as mcp:
        entering = asyncio.create_task(call(mcp))
        await core.save(await core.next_prompt(), {"API_KEY": SECRET})
        assert not (await entering).is_error
        for decision in ("allow", "allow_session"):
            approving = asyncio.create_task(call(mcp))
            prompt = await core.next_prompt()
            assert prompt.kind == "approval"
            await core.allow(prompt, decision)
            assert not (await approving).is_error
        assert not (await call(mcp)).is_error
        assert len(core.shown) == 3
        mcp.assert_no_secret()
    async with connect(core, "legacy", "none") as mcp:
        denying = asyncio.create_task(call(mcp))
        await core.allow(await core.next_prompt(), "deny")
        result = await denying
        assert result.is_error
        assert "denied" in text_of(result)


async def test_a_window_timeout_is_a_tool_error(core: ControlledCore) -> None:
    async with connect(core, "legacy", "none", WEATHER_WINDOW_TIMEOUT_MS="1500") as mcp:
        waiting = asyncio.create_task(call(mcp))
        prompt = await core.next_prompt()
        assert await asyncio.wait_for(core.closed.get(), 30) == prompt.id
        result = await waiting
        assert result.is_error
        assert "in time" in text_of(result)


@pytest.mark.parametrize("framework", ["mcp", "fastmcp"])
async def test_a_rejected_key_is_entered_again_and_the_tool_runs_once_more_in_the_same_call(core: ControlledCore, framework: str) -> None:
    async with connect(core, "legacy", "none", framework) as mcp:
        waiting = asyncio.create_task(call(mcp))
        await core.save(await core.next_prompt(), {"API_KEY": "rejected-key"})
        again = await core.next_prompt()
        assert (again.kind, again.raw["rejected"]) == ("entry", ["API_KEY"])
        await core.save(again, {"API_KEY": SECRET})
        result = await waiting
        assert text_of(result) == ANSWER


async def test_a_waiting_call_returns_pending_with_the_code_before_the_client_would_give_up(core: ControlledCore) -> None:
    async with connect(core, "legacy", "none", WEATHER_ANSWER_WITHIN_MS="1000") as mcp:
        waiting = asyncio.create_task(call(mcp))
        prompt = await core.next_prompt()
        result = await waiting
        assert result.is_error
        assert prompt.verification_code in text_of(result)
        assert "no second window" in text_of(result)
        await core.save(prompt, {"API_KEY": SECRET})
        assert not (await call(mcp)).is_error
        assert len(core.shown) == 1


async def wait_for_elicitation(mcp: Mcp) -> t.ElicitRequestParams:
    for _ in range(600):
        if mcp.elicitations:
            return mcp.elicitations[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("no elicitation arrived")


async def test_an_explicit_cancel_from_a_client_that_could_decline_closes_the_window(core: ControlledCore) -> None:
    async with connect(core, "legacy", "url+form") as mcp:
        waiting = asyncio.create_task(call(mcp))
        prompt = await core.next_prompt()
        await wait_for_elicitation(mcp)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await asyncio.wait_for(core.closed.get(), 30) == prompt.id


async def test_a_client_timeout_leaves_the_window_open_and_the_retry_attaches_to_it(core: ControlledCore) -> None:
    async with connect(core, "legacy", "url+form") as mcp:
        first_call = asyncio.create_task(call(mcp, read_timeout_seconds=2))
        prompt = await core.next_prompt()
        with pytest.raises(MCPError):
            await first_call
        retry = asyncio.create_task(call(mcp))
        await asyncio.sleep(0.5)  # the retry attaches; a (wrong) closed window would be reported by now
        assert core.closed.empty()
        await core.save(prompt, {"API_KEY": SECRET})
        result = await retry
        assert text_of(result) == ANSWER
        assert len(core.shown) == 1
        mcp.assert_no_secret()


async def test_a_legacy_client_declining_the_pushed_form_closes_the_window(core: ControlledCore) -> None:
    async with connect(core, "legacy", "form") as mcp:
        mcp.elicit_answer = "decline"
        waiting = asyncio.create_task(call(mcp))
        prompt = await core.next_prompt()
        result = await waiting
        assert result.is_error
        assert "declined the Keyhold request" in text_of(result)
        assert await asyncio.wait_for(core.closed.get(), 30) == prompt.id
        assert isinstance(mcp.elicitations[0], t.ElicitRequestFormParams)
        assert prompt.verification_code in mcp.elicitations[0].message
