"""keyhold-bridge: MCP servers get their API keys from the Keyhold app."""

from .client import FieldSpec, KeyholdClient, SecretStatus, ServerSecrets
from .errors import (
    ERROR_CODES,
    ErrorCode,
    KeyholdBusy,
    KeyholdCancelled,
    KeyholdDenied,
    KeyholdError,
    KeyholdInvalidRequest,
    KeyholdNotFound,
    KeyholdTimeout,
    KeyholdUnauthorized,
    KeyholdUnavailable,
)
from .frames import PendingEvent

__all__ = [
    "ERROR_CODES",
    "ErrorCode",
    "FieldSpec",
    "KeyholdBusy",
    "KeyholdCancelled",
    "KeyholdClient",
    "KeyholdDenied",
    "KeyholdError",
    "KeyholdInvalidRequest",
    "KeyholdNotFound",
    "KeyholdTimeout",
    "KeyholdUnauthorized",
    "KeyholdUnavailable",
    "PendingEvent",
    "SecretStatus",
    "ServerSecrets",
]
