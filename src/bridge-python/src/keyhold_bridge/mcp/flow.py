"""How one MCP call gets the values of its secrets (mirrors ``src/bridge/mcp/secret-flow.ts``):

1. A modern retry (``requestState``): open the sealed state (tampered, expired,
   replayed or foreign → ``invalid_request``, nothing opens); the client
   declined → end the request (its window closes); else wait for the answer.
2. Otherwise attach to the open request for the same names, or start one.
   Values at once → run. A window opens → modern clients that can show an
   elicitation get ``input_required`` now (URL elicitation with the http link,
   else a message-only form, both with the code, and a sealed state); everyone
   else waits in the call (legacy: pushed URL/form elicitation with a completion
   notice, else a log notice), for at most ``answer_within_ms``, then gets the
   tool error ``pending`` while the window stays open for the next call.
3. A call the client cancels or times out leaves the request open for the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from mcp_types import ElicitRequest, ElicitRequestFormParams, ElicitRequestURLParams, ElicitResult, InputRequiredResult
from mcp_types.version import is_version_at_least

from ..client import KeyholdClient
from ..errors import KeyholdCancelled, KeyholdError, KeyholdTimeout
from ..frames import PendingEvent
from .call_surface import CallSurface
from .cancel_reasons import CancelReasons
from .messages import CancelCause, RequestSubject, window_notice
from .parked import ParkedRequest, ParkedRequests, arguments_digest

MODERN_VERSION = "2026-07-28"
INPUT_KEY = "keyhold"
STATE_GRACE_MS = 5_000


class GateError(KeyholdError):
    """A KeyholdError that says how the gate itself ended the request (for the wording)."""

    def __init__(self, error: KeyholdError, ended_by: CancelCause) -> None:
        super().__init__(error.message, code=error.code)
        self.ended_by = ended_by


class StillWaitingError(Exception):
    def __init__(self, verification_code: str | None) -> None:
        super().__init__("The Keyhold window is still waiting for the user.")
        self.verification_code = verification_code


@dataclass(frozen=True)
class Abilities:
    era: Literal["modern", "legacy"]
    url: bool
    form: bool


def abilities_of(call: CallSurface) -> Abilities:
    version = call.protocol_version
    era: Literal["modern", "legacy"] = "modern" if version is not None and is_version_at_least(version, MODERN_VERSION) else "legacy"
    capabilities = call.capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    url = elicitation is not None and elicitation.url is not None
    # An empty `elicitation: {}` declares form mode (the 2025-06-18 shape).
    form = elicitation is not None and (elicitation.form is not None or elicitation.url is None)
    return Abilities(era, url, form)


#: The message-only form: Keyhold never asks for a value in the MCP client.
EMPTY_FORM: dict[str, Any] = {"type": "object", "properties": {}}


@dataclass
class FlowInput:
    call: CallSurface
    subject: RequestSubject
    tool_key: str
    args: dict[str, Any]
    client: KeyholdClient
    parked: ParkedRequests
    start: Callable[[Callable[[PendingEvent], None]], Coroutine[Any, Any, dict[str, str]]]
    timeout_ms: int
    answer_within_ms: int | None
    cancel_reasons: CancelReasons


async def acquire_secrets(flow: FlowInput) -> dict[str, str] | InputRequiredResult:
    call, registry = flow.call, flow.parked
    abilities = abilities_of(call)
    digest = arguments_digest(flow.args)
    if abilities.era == "modern" and call.request_state:
        parked_id = registry.sealer.open(call.request_state, flow.tool_key, digest)
        # Cancelled or timed out before this retry came: it gets that ending, not a generic timeout.
        continued = registry.get(parked_id) or registry.ended_without_answer(parked_id)
        if continued is None:
            raise KeyholdTimeout("The Keyhold request this retry continues has ended (its window timed out, or the server restarted).")
        if _input_answer(call) in ("decline", "cancel"):
            continued.cancel()
            registry.collected(continued)
            raise GateError(KeyholdCancelled("The user declined the Keyhold request in the MCP client."), "declined")
        return await _wait(flow, continued, abilities, [])

    parked = registry.attachable(list(flow.subject.names)) or registry.start(list(flow.subject.names), flow.start, flow.timeout_ms)
    try:
        event = None if parked.is_settled else await parked.first_window()
    except asyncio.CancelledError:
        await _client_left(flow, parked, abilities)
        raise
    if event is None:
        return await _wait(flow, parked, abilities, [])
    link = flow.client.request_link(event)
    if abilities.era == "modern" and (abilities.url or abilities.form):
        if abilities.url and link is not None:
            params: ElicitRequestURLParams | ElicitRequestFormParams = ElicitRequestURLParams(
                mode="url", message=window_notice(flow.subject, event, "url"), url=link, elicitation_id=parked.id
            )
        else:
            params = ElicitRequestFormParams(mode="form", message=window_notice(flow.subject, event, "form"), requested_schema=EMPTY_FORM)
        state = registry.sealer.seal(parked.id, flow.tool_key, digest, parked.expires_at_ms + STATE_GRACE_MS)
        return InputRequiredResult(input_requests={INPUT_KEY: ElicitRequest(params=params)}, request_state=state)
    return await _wait(flow, parked, abilities, list(parked.events))


def _input_answer(call: CallSurface) -> str:
    responses = call.input_responses or {}
    answer = responses.get(INPUT_KEY)
    return answer.action if isinstance(answer, ElicitResult) else "missing"


async def _wait(flow: FlowInput, parked: ParkedRequest, abilities: Abilities, shown: list[PendingEvent]) -> dict[str, str]:
    registry = flow.parked
    if parked.is_settled:
        return await _collect(registry, parked)
    declined = asyncio.Event()
    notices = _LegacyNotices(flow, parked, abilities, declined)
    off = parked.on_pending(notices.opened)
    for event in shown:
        notices.opened(event)
    settled = asyncio.ensure_future(parked.settled())
    gave_up = asyncio.ensure_future(declined.wait())
    try:
        budget = None if flow.answer_within_ms is None else flow.answer_within_ms / 1000
        done, _ = await asyncio.wait({settled, gave_up}, timeout=budget, return_when=asyncio.FIRST_COMPLETED)
        if settled in done:
            return await _collect(registry, parked)
        if gave_up in done:
            parked.cancel()
            registry.collected(parked)
            raise GateError(KeyholdCancelled("The user declined the Keyhold request in the MCP client."), "declined")
        latest = parked.latest_event
        raise StillWaitingError(latest.verification_code if latest is not None else None)
    except asyncio.CancelledError:
        await _client_left(flow, parked, abilities)
        raise
    finally:
        # A cancelled call (client cancel or timeout) lands here too: the request stays open for the next call.
        off()
        settled.cancel()
        gave_up.cancel()
        await notices.settled(parked)


async def _client_left(flow: FlowInput, parked: ParkedRequest, abilities: Abilities) -> None:
    """The client left before the user answered. Its timeout, or a client that cannot show an
    elicitation, leaves the request open for the next call; an explicit cancel from a client
    that could show the request (and so could have declined it) ends it: its window closes."""
    if not (abilities.url or abilities.form) or parked.is_settled:
        return
    if await flow.cancel_reasons.timed_out(flow.call.request_id):
        return
    parked.cancel()
    flow.parked.collected(parked)


async def _collect(registry: ParkedRequests, parked: ParkedRequest) -> dict[str, str]:
    try:
        return await parked.result()
    finally:
        registry.collected(parked)


class _LegacyNotices:
    """What a waiting call tells the user, per window: legacy pushed URL/form elicitation (with the
    completion notice when the request settles), else a log notice; modern clients without
    elicitation get a progress notice when they gave a progress token."""

    def __init__(self, flow: FlowInput, parked: ParkedRequest, abilities: Abilities, declined: asyncio.Event) -> None:
        self._flow = flow
        self._parked = parked
        self._abilities = abilities
        self._declined = declined
        self._tasks: list[asyncio.Task[None]] = []
        self._url_elicitations: list[str] = []

    def opened(self, event: PendingEvent) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(self._announce(event)))

    async def _announce(self, event: PendingEvent) -> None:
        call, subject, abilities = self._flow.call, self._flow.subject, self._abilities
        session, related = call.session, call.request_id
        link = self._flow.client.request_link(event)
        with contextlib.suppress(Exception):
            if abilities.era == "legacy" and abilities.url and link is not None:
                elicitation_id = f"{self._parked.id}.{len(self._url_elicitations)}"
                self._url_elicitations.append(elicitation_id)
                answer = await session.elicit_url(window_notice(subject, event, "url"), link, elicitation_id, related_request_id=related)
                if answer.action in ("decline", "cancel"):
                    self._declined.set()
            elif abilities.era == "legacy" and abilities.form:
                answer = await session.elicit_form(window_notice(subject, event, "form"), EMPTY_FORM, related_request_id=related)
                if answer.action in ("decline", "cancel"):
                    self._declined.set()
            elif abilities.era == "legacy":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    await session.send_log_message(level="info", data=window_notice(subject, event, "log"), related_request_id=related)
            else:
                await call.report_progress(window_notice(subject, event, "log"))

    async def settled(self, parked: ParkedRequest) -> None:
        for task in self._tasks:
            task.cancel()
        if parked.is_settled:
            for elicitation_id in self._url_elicitations:
                with contextlib.suppress(Exception):
                    await self._flow.call.session.send_elicit_complete(elicitation_id, related_request_id=self._flow.call.request_id)
