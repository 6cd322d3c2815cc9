"""One MCP tool call as the gate needs it, whatever the framework (mirrors the TS
``McpCall``): the negotiated version, what the client declared, a modern retry's
state and answers, and the ``mcp`` ``ServerSession`` to talk back on. Built from
an ``mcp`` 2.x ``MCPServer`` ``Context`` here, from a FastMCP 4 ``Context`` in
``keyhold_bridge.fastmcp``; nothing else in the gate looks at a context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context
from mcp_types import ClientCapabilities, InputResponses


@dataclass(frozen=True)
class CallSurface:
    protocol_version: str | None
    capabilities: ClientCapabilities | None
    request_id: str
    request_state: str | None
    input_responses: InputResponses | None
    #: The ``mcp`` ServerSession: ``elicit_url``, ``elicit_form``, ``send_elicit_complete``, ``send_log_message``.
    session: Any
    report_progress: Callable[[str], Awaitable[None]]
    #: The low-level server's middleware chain (where the cancel-reason observer goes), if reachable.
    middleware: list[Any] | None


def build_surface(ctx: Any, protocol_version: str | None, capabilities: ClientCapabilities | None, middleware: Callable[[], list[Any]]) -> CallSurface:
    """The parts both frameworks' contexts name alike (request id and state, session, progress)."""

    async def progress(message: str) -> None:
        await ctx.report_progress(0, None, message)

    try:
        chain: list[Any] | None = middleware()
    except Exception:
        chain = None
    return CallSurface(
        protocol_version=protocol_version,
        capabilities=capabilities,
        request_id=ctx.request_id,
        request_state=ctx.request_state,
        input_responses=ctx.input_responses,
        session=ctx.session,
        report_progress=progress,
        middleware=chain,
    )


def surface_of_mcpserver(ctx: Context[Any, Any]) -> CallSurface:
    return build_surface(ctx, ctx.protocol_version, ctx.client_capabilities, lambda: ctx.mcp_server.middleware)
