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
from .mcp.call_surface import CallSurface, build_surface

__all__ = ["KeyholdFastMCP", "SecretRejectedError", "Secrets"]


class KeyholdFastMCP(KeyholdMcp):
    context_type: type = Context

    def surface(self, ctx: Any) -> CallSurface:
        version = getattr(ctx.request_context, "protocol_version", None)
        return build_surface(ctx, version, ctx.session.client_capabilities, lambda: ctx.fastmcp._mcp_server.middleware)
