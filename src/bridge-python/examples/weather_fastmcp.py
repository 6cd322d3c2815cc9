"""The weather example on FastMCP 4 (PrefectHQ ``fastmcp``): the same tool, gated
with ``KeyholdFastMCP``. Run it with ``python weather_fastmcp.py``."""

from __future__ import annotations

import os

from fastmcp import FastMCP

from keyhold_bridge.fastmcp import KeyholdFastMCP, SecretRejectedError, Secrets

server = FastMCP("weather")
keyhold = KeyholdFastMCP("weather", timeout_ms=int(os.environ.get("WEATHER_WINDOW_TIMEOUT_MS", "300000")))


@server.tool
@keyhold.gate(["API_KEY"], guide="Create a key at **weather.example/keys**.", reason=lambda args: f"Forecast for {args['city']}")
async def forecast(city: str, secrets: Secrets) -> str:
    """The forecast for a city."""
    if secrets["API_KEY"] == "rejected-key":
        raise SecretRejectedError("API_KEY", "the weather API answered 401")
    return f"{city}: sunny (asked with a key of {len(secrets['API_KEY'])} characters)"


if __name__ == "__main__":
    server.run(show_banner=False)
