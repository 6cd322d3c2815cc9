"""The one error type that crosses the bridge, as in ``@keyhold/bridge``.

``KeyholdError.code`` is one of the pinned protocol codes; each code also has
its own subclass, so callers can write ``except KeyholdDenied:``. Messages say
what happened and what to do, and never carry a secret value.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

ErrorCode = Literal[
    "denied",
    "cancelled",
    "timeout",
    "not_found",
    "invalid_request",
    "unauthorized",
    "busy",
    "unavailable",
]
ERROR_CODES: Final[tuple[ErrorCode, ...]] = get_args(ErrorCode)


class KeyholdError(Exception):
    """A failed bridge call. ``code`` is a pinned protocol code."""

    code: ErrorCode = "unavailable"

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class KeyholdDenied(KeyholdError):
    code: ErrorCode = "denied"


class KeyholdCancelled(KeyholdError):
    code: ErrorCode = "cancelled"


class KeyholdTimeout(KeyholdError):
    code: ErrorCode = "timeout"


class KeyholdNotFound(KeyholdError):
    code: ErrorCode = "not_found"


class KeyholdInvalidRequest(KeyholdError):
    code: ErrorCode = "invalid_request"


class KeyholdUnauthorized(KeyholdError):
    code: ErrorCode = "unauthorized"


class KeyholdBusy(KeyholdError):
    code: ErrorCode = "busy"


class KeyholdUnavailable(KeyholdError):
    code: ErrorCode = "unavailable"


_BY_CODE: Final[dict[ErrorCode, type[KeyholdError]]] = {
    "denied": KeyholdDenied,
    "cancelled": KeyholdCancelled,
    "timeout": KeyholdTimeout,
    "not_found": KeyholdNotFound,
    "invalid_request": KeyholdInvalidRequest,
    "unauthorized": KeyholdUnauthorized,
    "busy": KeyholdBusy,
    "unavailable": KeyholdUnavailable,
}


def error_for(code: ErrorCode, message: str) -> KeyholdError:
    """The subclass instance for ``code`` (what the app's error reply becomes)."""
    return _BY_CODE[code](message)
