"""Encoding requests and decoding what the app sends back.

Every received frame is checked against the protocol; anything else becomes a
``Malformed`` value that the client turns into an ``unavailable`` error for the
request it belongs to (the id is recovered when the frame was an object with a
well-formed ``id``). Nothing here raises on bad input, and no problem text
quotes the frame: it may hold secret values.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Literal

from .errors import ErrorCode
from .protocol import Problem, check_result, failure_frame, pending_event, request_id, success_frame


@dataclass(frozen=True)
class PendingEvent:
    """The app opened a window for request ``id``; show ``verification_code`` to the user."""

    id: str
    kind: Literal["entry", "approval"]
    verification_code: str
    #: Milliseconds since the epoch when the window gives up.
    expires_at: int
    #: The app's own id of the window (``/request/<link>`` on the bridge port); None from older apps.
    link: str | None = None


@dataclass(frozen=True)
class Success:
    id: str | None
    result: object


@dataclass(frozen=True)
class Failure:
    id: str | None
    code: ErrorCode
    message: str


@dataclass(frozen=True)
class Pending:
    event: PendingEvent


@dataclass(frozen=True)
class Malformed:
    id: str | None
    problem: str


IncomingFrame = Success | Failure | Pending | Malformed


def new_request_id() -> str:
    """128 random bits, base64url without padding (matches the protocol's id pattern)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def encode_request(request_id_: str, request_type: str, params: object) -> str:
    return json.dumps({"id": request_id_, "type": request_type, "params": params}, separators=(",", ":"), ensure_ascii=False)


def _reject_constant(name: str) -> object:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_server_frame(text: str) -> IncomingFrame:
    """Decodes one WebSocket text message from the app."""
    try:
        data: object = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return Malformed(None, "the frame is not valid JSON")
    if not isinstance(data, dict):
        return Malformed(None, "the frame is not a JSON object")
    if "event" in data:
        problem = pending_event(data)
        if problem is not None:
            return Malformed(_recover_id(data), problem)
        event = data["data"]
        return Pending(
            PendingEvent(
                id=event["id"],
                kind=event["kind"],
                verification_code=event["verificationCode"],
                expires_at=int(event["expiresAt"]),
                link=event.get("link"),
            )
        )
    ok = data.get("ok")
    problem = success_frame(data) if ok is True else failure_frame(data)
    if problem is not None:
        return Malformed(_recover_id(data), problem)
    if ok is True:
        return Success(data["id"], data["result"])
    error = data["error"]
    return Failure(data["id"], error["code"], error["message"])


def parse_result(request_type: str, result: object) -> Problem:
    """The problem with an ok reply's ``result`` for ``request_type``; None when it is valid."""
    return check_result(request_type, result)


def _recover_id(data: dict[str, object]) -> str | None:
    candidate = data.get("id")
    return candidate if isinstance(candidate, str) and request_id(candidate) is None else None
