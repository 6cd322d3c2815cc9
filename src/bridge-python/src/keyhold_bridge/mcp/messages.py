"""Every sentence the MCP gate shows, mirrored word for word from
``src/bridge/mcp/messages.ts``: the notices the MCP client shows while a
Keyhold window is open (always with the verification code), and the tool
errors when no value comes back. Never a value, never a stack trace."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from ..errors import KeyholdError
from ..frames import PendingEvent

NoticeStyle = Literal["url", "form", "log"]
CancelCause = Literal["declined", "client_cancelled"] | None


@dataclass(frozen=True)
class RequestSubject:
    server_name: str
    names: tuple[str, ...]
    tool: str | None = None


def list_names(names: tuple[str, ...] | list[str]) -> str:
    if len(names) <= 1:
        return names[0] if names else "no secret"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def describe_duration(ms: float) -> str:
    if ms < 90_000:
        return f"{max(1, round(ms / 1000))} s"
    return f"{round(ms / 60_000)} min"


def window_notice(subject: RequestSubject, event: PendingEvent, style: NoticeStyle, now_ms: float | None = None) -> str:
    names = list_names(subject.names)
    tool = "" if subject.tool is None else f" (tool {subject.tool})"
    if event.kind == "approval":
        what = f'Keyhold is asking you to let "{subject.server_name}" use {names}{tool}.'
    else:
        what = f'Keyhold is asking you to enter {names} for "{subject.server_name}"{tool}. Type it in the Keyhold window, never in this chat.'
    check = f"Answer only if the Keyhold window shows the verification code {event.verification_code}."
    if style == "url":
        after = "Open the link to bring the window to the front."
    elif style == "form":
        after = "Answer in the Keyhold window; decline here to cancel the request."
    else:
        now = time.time() * 1000 if now_ms is None else now_ms
        after = f"The tool call waits for your answer (at most {describe_duration(max(0, event.expires_at - now))})."
    return f"{what} {check} {after}"


def still_waiting_text(subject: RequestSubject, verification_code: str | None) -> str:
    tool = subject.tool or "The tool"
    check = "" if verification_code is None else f" (verification code {verification_code})"
    return (
        f"{tool} is waiting for the user: approve the Keyhold window for {list_names(subject.names)}{check}, then ask to run it again. "
        "The answer is kept for the next call; no second window opens."
    )


def failure_text(error: KeyholdError, subject: RequestSubject, cause: CancelCause = None) -> str:
    tool = subject.tool or "The tool"
    names = list_names(subject.names)
    server = f'"{subject.server_name}"'
    code = error.code
    if code == "denied":
        return f"{tool} did not run: the user denied {server} access to {names} in Keyhold. Do not retry unless the user asks to."
    if code == "cancelled":
        if cause == "declined":
            return f"{tool} did not run: the user declined the Keyhold request in the MCP client, so Keyhold closed its window."
        if cause == "client_cancelled":
            return f"{tool} was cancelled by the MCP client; Keyhold closed its window."
        return f"{tool} did not run: the Keyhold window for {names} was closed without an answer, or Keyhold quit. Run it again if the user wants to."
    if code == "timeout":
        return f"{tool} did not run: nobody answered the Keyhold window for {names} in time. Run it again when the user is at the computer."
    if code == "not_found":
        return f"{tool} did not run: the keychain no longer holds {names} (it was deleted outside Keyhold). Run it again to enter a new value."
    if code == "busy":
        return f"{tool} did not run: Keyhold already has too many requests from {server} waiting for the user. Answer them in Keyhold, then try again."
    if code in ("unavailable", "unauthorized"):
        return f"{tool} needs {names} from Keyhold, which could not be reached. {error.message}"
    return f"{tool} could not get {names} from Keyhold: {error.message}"


def rejected_text(subject: RequestSubject, rejected: list[str], reason: str | None) -> str:
    tool = subject.tool or "The tool"
    because = "" if reason is None else f" ({reason})"
    return f"{tool} failed: the service rejected {list_names(rejected)}{because}. Keyhold will ask the user for a new value on the next call."
