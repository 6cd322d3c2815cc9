"""The MCP gate for FastMCP 4 (PrefectHQ ``fastmcp``, on ``mcp`` 2.x): the same
``gate`` decorator and semantics as ``keyhold_bridge.mcp``, reading FastMCP's
``Context``::

    from fastmcp import FastMCP
    from keyhold_bridge.fastmcp import KeyholdFastMCP

    server = FastMCP("weather")
    keyhold = KeyholdFastMCP("weather")

    @server.tool
    @keyhold.gate(["API_KEY"])
    async def forecast(city: str, secrets: Secrets) -> str: ...
"""

from __future__ import annotations

from typing import Any

from fastmcp import Context

from .mcp import KeyholdMcp, SecretRejectedError, Secrets
from .mcp.call_surface import CallSurface

__all__ = ["KeyholdFastMCP", "SecretRejectedError", "Secrets"]


class KeyholdFastMCP(KeyholdMcp):
    context_type: type = Context

    def surface(self, ctx: Any) -> CallSurface:
        request = ctx.request_context

        async def progress(message: str) -> None:
            await ctx.report_progress(0, None, message)

        try:
            middleware: list[Any] | None = ctx.fastmcp._mcp_server.middleware
        except Exception:
            middleware = None
        return CallSurface(
            protocol_version=getattr(request, "protocol_version", None),
            capabilities=ctx.session.client_capabilities,
            request_id=ctx.request_id,
            request_state=ctx.request_state,
            input_responses=ctx.input_responses,
            session=ctx.session,
            report_progress=progress,
            middleware=middleware,
        )
