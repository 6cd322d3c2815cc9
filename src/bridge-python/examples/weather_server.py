"""An MCP server (``mcp`` 2.x ``MCPServer``, stdio) whose one tool needs an API key
from Keyhold. Run it with ``python weather_server.py`` from an MCP client's config.

The "weather API" is a stand-in: it accepts any key except ``rejected-key``,
which it answers like a 401, to show ``SecretRejectedError``."""

from __future__ import annotations

import os

from mcp.server.mcpserver import MCPServer

from keyhold_bridge.mcp import KeyholdMcp, SecretRejectedError, Secrets

server = MCPServer("weather")
keyhold = KeyholdMcp(
    "weather",
    timeout_ms=int(os.environ.get("WEATHER_WINDOW_TIMEOUT_MS", "300000")),
    answer_within_ms=int(os.environ.get("WEATHER_ANSWER_WITHIN_MS", "50000")),
)


@server.tool()
@keyhold.gate(["API_KEY"], guide="Create a key at **weather.example/keys**.", reason=lambda args: f"Forecast for {args['city']}")
async def forecast(city: str, secrets: Secrets) -> str:
    """The forecast for a city."""
    if secrets["API_KEY"] == "rejected-key":
        raise SecretRejectedError("API_KEY", "the weather API answered 401")
    return f"{city}: sunny (asked with a key of {len(secrets['API_KEY'])} characters)"


if __name__ == "__main__":
    server.run("stdio")
