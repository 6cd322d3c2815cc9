"""MCP integration for ``mcp`` 2.x ``MCPServer`` (``pip install keyhold-bridge[mcp]``)."""

from .gate import DEFAULT_ANSWER_WITHIN_MS, KeyholdMcp, SecretRejectedError, Secrets

__all__ = ["DEFAULT_ANSWER_WITHIN_MS", "KeyholdMcp", "SecretRejectedError", "Secrets"]
