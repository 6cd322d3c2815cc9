"""``KeyholdMcp``: gate a tool of an ``mcp`` 2.x ``MCPServer`` on Keyhold secrets in a
few lines, with the TypeScript gate's semantics (``src/bridge/mcp/gate.ts``):

    keyhold = KeyholdMcp("weather")

    @server.tool()
    @keyhold.gate(["API_KEY"], guide="Create a key at example.com/keys.")
    async def forecast(city: str, secrets: Secrets) -> str:
        ...

The values reach the tool as ``secrets`` (a dict), never the MCP client. If the
tool raises ``SecretRejectedError`` (the API answered 401), the names are
invalidated and, once, the entry window asks for a new value and the tool runs
again in the same call. Values the tool returns or puts in a ``ToolError`` by
mistake are redacted. A request that ends without values becomes a tool error
with a sentence from messages.py.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, InputRequiredResult, TextContent
from pydantic import BaseModel

from ..client import FieldSpec, KeyholdClient
from ..errors import KeyholdError
from ..frames import PendingEvent
from .call_surface import CallSurface, surface_of_mcpserver
from .cancel_reasons import CancelReasons
from .flow import FlowInput, GateError, StillWaitingError, acquire_secrets
from .messages import RequestSubject, failure_text, rejected_text, still_waiting_text
from .parked import ParkedRequests

DEFAULT_ANSWER_WITHIN_MS = 50_000
MAX_REASON_CHARS = 500
REDACTED = "[redacted by Keyhold]"
Secrets = dict[str, str]
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class SecretRejectedError(Exception):
    """Raise it from a gated tool when the upstream API refuses a secret (HTTP 401, "invalid API key")."""

    def __init__(self, names: str | Sequence[str], reason: str | None = None) -> None:
        self.names = [names] if isinstance(names, str) else list(names)
        self.reason = reason
        super().__init__(f"The service rejected {', '.join(self.names)}{'' if reason is None else f' ({reason})'}.")


class KeyholdMcp:
    def __init__(
        self,
        name: str,
        *,
        version: str | None = None,
        timeout_ms: int = 300_000,
        answer_within_ms: int | None = DEFAULT_ANSWER_WITHIN_MS,
        client: KeyholdClient | None = None,
        **client_options: Any,
    ) -> None:
        """``answer_within_ms``: how long a waiting call holds before it returns the tool error ``pending``
        (SDK clients time out at 60 s); None holds until the window ends. ``client_options`` go to ``KeyholdClient``."""
        self.name = name
        self.client = client or KeyholdClient(name, server_version=version, **client_options)
        self.timeout_ms = timeout_ms
        self.answer_within_ms = answer_within_ms
        self.parked = ParkedRequests()
        self.cancel_reasons = CancelReasons()

    #: The framework's context type: the gate finds (or adds) the tool's parameter of this type.
    context_type: type = Context

    def surface(self, ctx: Any) -> CallSurface:
        """The framework's context as the gate sees it (FastMCP overrides this)."""
        return surface_of_mcpserver(ctx)

    def _observe_cancels(self, call: CallSurface) -> None:
        """Adds the cancel-reason middleware to the server of this call, once (see cancel_reasons.py)."""
        chain = call.middleware
        if chain is not None and self.cancel_reasons not in chain:
            chain.insert(0, self.cancel_reasons)

    async def close(self) -> None:
        self.parked.close_all()
        await self.client.close()

    def gate(
        self,
        secrets: Sequence[str],
        *,
        fields: Sequence[FieldSpec] | None = None,
        guide: str | None = None,
        reason: str | Callable[[dict[str, Any]], str] | None = None,
        tool: str | None = None,
        timeout_ms: int | None = None,
        retry_rejected: bool = True,
    ) -> Callable[[F], F]:
        names = list(secrets)

        def decorate(fn: F) -> F:
            signature, ctx_name, added_ctx = _tool_signature(fn, self.context_type)
            tool_name = tool or fn.__name__

            @functools.wraps(fn)
            async def gated(*args: Any, **kwargs: Any) -> Any:
                bound = signature.bind(*args, **kwargs)
                ctx = bound.arguments[ctx_name]
                tool_args = {k: v for k, v in bound.arguments.items() if k != ctx_name}
                call_kwargs = dict(bound.arguments)
                if added_ctx:
                    call_kwargs.pop(ctx_name)
                subject = RequestSubject(self.name, tuple(names), tool_name)
                why = _reason(reason, tool_args)
                window_timeout = self.timeout_ms if timeout_ms is None else timeout_ms

                def start(on_pending: Callable[[PendingEvent], None]) -> Any:
                    return self.client.get(
                        names, reason=why, tool=tool_name[:128], guide=guide, fields=fields, timeout_ms=window_timeout, on_pending=on_pending
                    )

                call = self.surface(ctx)
                self._observe_cancels(call)
                flow = FlowInput(
                    call, subject, tool_name, tool_args, self.client, self.parked, start, window_timeout, self.answer_within_ms, self.cancel_reasons
                )
                for attempt in range(2):
                    try:
                        acquired = await acquire_secrets(flow)
                    except StillWaitingError as waiting:
                        return _failure(still_waiting_text(subject, waiting.verification_code))
                    except KeyholdError as error:
                        if error.code == "not_found":
                            await _quietly(self.client.invalidate(names, "the keychain no longer held it"))
                        return _failure(failure_text(error, subject, error.ended_by if isinstance(error, GateError) else None))
                    if isinstance(acquired, InputRequiredResult):
                        return acquired
                    values = {name: acquired.get(name, "") for name in names}
                    try:
                        return _redact(await fn(**call_kwargs, secrets=values), values)
                    except SecretRejectedError as rejected:
                        why_rejected = None if rejected.reason is None else rejected.reason[:MAX_REASON_CHARS]
                        try:
                            await self.client.invalidate(rejected.names, why_rejected)
                        except KeyholdError as error:
                            return _failure(failure_text(error, subject))
                        if not retry_rejected or attempt > 0:
                            return _failure(rejected_text(subject, rejected.names, why_rejected))
                    except ToolError as error:
                        raise ToolError(_redact(str(error), values)) from None
                return _failure(rejected_text(subject, names, None))

            gated.__signature__ = signature  # type: ignore[attr-defined]
            gated.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()} | {"return": signature.return_annotation}
            return typing.cast("F", gated)

        return decorate


def _tool_signature(fn: Callable[..., Any], context_type: type) -> tuple[inspect.Signature, str, bool]:
    """The tool's signature as MCPServer should see it: without ``secrets``, with a ``Context`` parameter."""
    hints = typing.get_type_hints(fn, include_extras=True)
    signature = inspect.signature(fn)
    if "secrets" not in signature.parameters:
        raise TypeError(f"{fn.__name__} must take a `secrets` parameter: the gate passes the values there.")
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values() if p.name != "secrets"]
    ctx_name = next((p.name for p in params if isinstance(p.annotation, type) and issubclass(p.annotation, context_type)), None)
    added = ctx_name is None
    if ctx_name is None:
        ctx_name = "keyhold_ctx"
        params.append(inspect.Parameter(ctx_name, inspect.Parameter.KEYWORD_ONLY, annotation=context_type))
    returns = hints.get("return", signature.return_annotation)
    return signature.replace(parameters=params, return_annotation=returns), ctx_name, added


def _reason(reason: str | Callable[[dict[str, Any]], str] | None, args: dict[str, Any]) -> str | None:
    try:
        text = reason(args) if callable(reason) else reason
    except Exception:
        text = None
    return None if text is None else (text if len(text) <= MAX_REASON_CHARS else f"{text[: MAX_REASON_CHARS - 1]}…")


def _failure(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


async def _quietly(work: Awaitable[None]) -> None:
    with contextlib.suppress(KeyholdError):
        await work


def _redact(value: Any, values: dict[str, str]) -> Any:
    """Replaces every secret value (of 4+ characters) in strings of the result."""
    secrets_ = sorted((v for v in values.values() if len(v) >= 4), key=len, reverse=True)
    if not secrets_:
        return value

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            for secret in secrets_:
                item = item.replace(secret, REDACTED)
            return item
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, tuple):
            return tuple(walk(x) for x in item)
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, BaseModel):
            return type(item).model_validate(walk(item.model_dump(by_alias=True)))
        return item

    return walk(value)
