"""Keyhold bridge protocol v1, mirrored from ``src/shared/bridge-protocol.ts``.

The zod schemas there are the source of truth. They are exported as JSON
Schema to ``test/vectors/bridge-protocol.schema.json``; this module pins the
SHA-256 of that export (``PROTOCOL_SCHEMA_SHA256``), and the Python tests fail
when the export changes, so a TypeScript schema change cannot ship without the
Python side following it. The shared vectors in ``test/vectors/`` run through
both implementations.

Every validator returns ``None`` for a valid value, else a short problem
("names: must not repeat") that names paths, never values.

Two deliberate details: string limits count UTF-16 code units (what zod's
``max`` counts), and anchored patterns use ``re.fullmatch`` (a JavaScript
``$`` never matches before a trailing newline; Python's does).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Final

from .errors import ERROR_CODES

PROTOCOL_VERSION: Final = 1
#: SHA-256 of test/vectors/bridge-protocol.schema.json this module follows.
PROTOCOL_SCHEMA_SHA256: Final = "ff8148d90f311c74a05db4ca2b4d08bd0c9bc178317c8b4eca18f74696e857a1"

MAX_FRAME_BYTES: Final = 256 * 1024
MAX_REPLY_BYTES: Final = 4 * 1024 * 1024
MAX_SECRET_VALUE_CHARS: Final = 64 * 1024
MAX_NAMES_PER_REQUEST: Final = 32
MAX_FIELDS_PER_REQUEST: Final = 32
MAX_GUIDE_CHARS: Final = 32 * 1024
MAX_REASON_CHARS: Final = 500
DEFAULT_REQUEST_TIMEOUT_MS: Final = 300_000
MAX_TIMEOUT_MS: Final = DEFAULT_REQUEST_TIMEOUT_MS * 4

FIELD_TYPES: Final = ("text", "password", "url", "email", "textarea")
PROMPT_KINDS: Final = ("entry", "approval")
REQUEST_TYPES: Final = (
    "hello",
    "secrets.get",
    "secrets.request",
    "secrets.status",
    "secrets.invalidate",
    "cancel",
    "secrets.list",
    "secrets.put",
    "secrets.delete",
    "rules.list",
    "rules.candidates",
    "rules.add",
    "rules.remove",
)
CLIENT_KINDS: Final = ("claude", "cursor", "vscode", "codex", "terminal", "unknown")
MAX_IDENTITY_TEXT: Final = 512

DISCOVERY_FILE_NAME: Final = "bridge.json"
ENV_BRIDGE_URL: Final = "KEYHOLD_BRIDGE_URL"
ENV_BRIDGE_TOKEN: Final = "KEYHOLD_BRIDGE_TOKEN"  # noqa: S105 (a variable name, not a token)
ENV_HOME: Final = "KEYHOLD_HOME"
ENV_FALLBACK: Final = "KEYHOLD_FALLBACK"
ENV_SECRET_PREFIX: Final = "KEYHOLD_SECRET_"  # noqa: S105 (a variable name prefix)

_SECRET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_SERVER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]+")
_VERIFICATION_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
_LINK = re.compile(r"[A-Za-z0-9_-]{22,64}")
_BRIDGE_URL = re.compile(r"ws://(127\.0\.0\.1|\[::1\]|localhost):\d{1,5}/?")
_MAX_SAFE_INTEGER = 2**53 - 1

Problem = str | None
Validator = Callable[[object], Problem]


def utf16_length(text: str) -> int:
    """Length as JavaScript counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def is_integer(value: object) -> bool:
    """A JSON number zod's ``int()`` accepts (``1.0`` included, booleans not)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= _MAX_SAFE_INTEGER
    return isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) <= _MAX_SAFE_INTEGER


def string(*, min_len: int = 0, max_len: int | None = None, pattern: re.Pattern[str] | None = None, what: str = "") -> Validator:
    def check(value: object) -> Problem:
        if not isinstance(value, str):
            return "expected a string"
        length = utf16_length(value)
        if length < min_len:
            return f"at least {min_len} characters"
        if max_len is not None and length > max_len:
            return f"at most {max_len} characters"
        if pattern is not None and pattern.fullmatch(value) is None:
            return what or "does not match the pattern"
        return None

    return check


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Validator:
    def check(value: object) -> Problem:
        if not is_integer(value):
            return "expected an integer"
        assert isinstance(value, (int, float))
        if minimum is not None and value < minimum:
            return f"at least {minimum}"
        if maximum is not None and value > maximum:
            return f"at most {maximum}"
        return None

    return check


def boolean(value: object) -> Problem:
    return None if isinstance(value, bool) else "expected a boolean"


def literal(expected: object) -> Validator:
    def check(value: object) -> Problem:
        same = value == expected and type(value) is type(expected)
        return None if same else f"expected {expected!r}"

    return check


def one_of(choices: tuple[str, ...]) -> Validator:
    def check(value: object) -> Problem:
        return None if isinstance(value, str) and value in choices else f"expected one of {', '.join(choices)}"

    return check


def nullable(inner: Validator) -> Validator:
    return lambda value: None if value is None else inner(value)


def anything(_value: object) -> Problem:
    return None


def array(item: Validator, *, min_len: int = 0, max_len: int | None = None) -> Validator:
    def check(value: object) -> Problem:
        if not isinstance(value, list):
            return "expected an array"
        if len(value) < min_len:
            return f"at least {min_len} items"
        if max_len is not None and len(value) > max_len:
            return f"at most {max_len} items"
        for index, element in enumerate(value):
            problem = item(element)
            if problem is not None:
                return f"{index}: {problem}"
        return None

    return check


def record(key: Validator, item: Validator) -> Validator:
    def check(value: object) -> Problem:
        if not isinstance(value, dict):
            return "expected an object"
        for name, element in value.items():
            if key(name) is not None:
                return "a key is not a valid name"
            problem = item(element)
            if problem is not None:
                return f"{name}: {problem}"
        return None

    return check


def obj(required: Mapping[str, Validator], optional: Mapping[str, Validator] | None = None, *, strict: bool = True) -> Validator:
    """An object; ``strict`` refuses unknown keys, as zod's ``strictObject``."""
    optional = optional or {}

    def check(value: object) -> Problem:
        if not isinstance(value, dict):
            return "expected an object"
        for key, validator in required.items():
            if key not in value:
                return f"{key}: required"
            problem = validator(value[key])
            if problem is not None:
                return f"{key}: {problem}"
        for key, validator in optional.items():
            if key in value and value[key] is not None:
                problem = validator(value[key])
                if problem is not None:
                    return f"{key}: {problem}"
            elif key in value:
                return f"{key}: expected a value, not null"
        if strict:
            unknown = [key for key in value if key not in required and key not in optional]
            if unknown:
                return f"unknown key {str(unknown[0])[:40]!r}"
        return None

    return check


def refine(inner: Validator, test: Callable[[object], bool], problem: str) -> Validator:
    def check(value: object) -> Problem:
        first = inner(value)
        if first is not None:
            return first
        return None if test(value) else problem

    return check


def _unique(items: object) -> bool:
    return isinstance(items, list) and len({str(item) for item in items}) == len(items)


def _unique_field_names(fields: object) -> bool:
    return isinstance(fields, list) and len({str(field.get("name")) for field in fields if isinstance(field, dict)}) == len(fields)


def _compiles(source: object) -> bool:
    """Approximates zod's check (``new RegExp(source, 'u')``); the app stays authoritative."""
    try:
        re.compile(f"(?:{source})")
    except re.error:
        return False
    return True


secret_name = string(pattern=_SECRET_NAME, what="a secret name is 1-128 of A-Z a-z 0-9 . _ - and starts with a letter or digit")
server_name = string(pattern=_SERVER_NAME, what="a server name is 1-64 of A-Z a-z 0-9 . _ - and starts with a letter or digit")
request_id = string(min_len=1, max_len=64, pattern=_REQUEST_ID, what="ids are 1-64 of A-Z a-z 0-9 . _ : -")
error_code = one_of(ERROR_CODES)
_names = refine(array(secret_name, min_len=1, max_len=MAX_NAMES_PER_REQUEST), _unique, "names must not repeat")
_reason = string(max_len=MAX_REASON_CHARS)
_timeout = integer(minimum=1, maximum=MAX_TIMEOUT_MS)
_tool = string(max_len=128)
_guide = string(max_len=MAX_GUIDE_CHARS)

field_spec = obj(
    {"name": secret_name, "label": string(min_len=1, max_len=120), "type": one_of(FIELD_TYPES), "required": boolean},
    {
        "default": string(max_len=MAX_SECRET_VALUE_CHARS),
        "placeholder": string(max_len=200),
        "help": string(max_len=500),
        "pattern": refine(string(max_len=500), _compiles, "pattern is not a valid regular expression"),
    },
)
_fields = refine(array(field_spec, min_len=1, max_len=MAX_FIELDS_PER_REQUEST), _unique_field_names, "field names must not repeat")


_identity_text = string(max_len=MAX_IDENTITY_TEXT)
#: The verified process an always-allow rule is bound to (src/shared/process-identity.ts).
process_identity = obj(
    {"executable": _identity_text, "client": obj({"kind": one_of(CLIENT_KINDS)}, {"executable": _identity_text})},
    {"script": _identity_text, "arguments": _identity_text, "preloads": array(_identity_text, max_len=32), "package": _identity_text},
)
_candidate_key = string(min_len=1, max_len=64, pattern=re.compile(r"[A-Za-z0-9_-]+"), what="a candidate key is base64url")
_rule = obj(
    {"id": string(), "server": server_name, "name": secret_name, "createdAt": anything},
    {"identity": process_identity},
)


def _value_count(values: object) -> bool:
    return isinstance(values, dict) and 1 <= len(values) <= MAX_NAMES_PER_REQUEST


REQUEST_PARAMS: Final[Mapping[str, Validator]] = {
    "hello": obj(
        {
            "protocol": literal(PROTOCOL_VERSION),
            "server": obj({"name": server_name}, {"version": string(max_len=64)}),
            "process": obj({"pid": integer(minimum=1)}),
        }
    ),
    "secrets.get": obj({"names": _names}, {"reason": _reason, "tool": _tool, "fields": _fields, "guide": _guide, "timeoutMs": _timeout}),
    "secrets.request": obj({"fields": _fields}, {"guide": _guide, "reason": _reason, "tool": _tool, "timeoutMs": _timeout}),
    "secrets.status": obj({}, {"names": _names}),
    "secrets.invalidate": obj({"names": _names}, {"reason": _reason}),
    "cancel": obj({"id": request_id}),
    "secrets.list": obj({}),
    "secrets.put": obj(
        {
            "values": refine(
                record(secret_name, string(min_len=1, max_len=MAX_SECRET_VALUE_CHARS)),
                _value_count,
                f"give 1 to {MAX_NAMES_PER_REQUEST} values",
            )
        },
        {"reason": _reason, "timeoutMs": _timeout},
    ),
    "secrets.delete": obj({"names": _names}, {"reason": _reason, "timeoutMs": _timeout}),
    "rules.list": obj({}),
    "rules.candidates": obj({"name": secret_name}),
    "rules.add": obj({"name": secret_name, "candidate": _candidate_key}, {"reason": _reason, "timeoutMs": _timeout}),
    "rules.remove": obj({"name": secret_name}, {"id": string(min_len=1, max_len=64), "reason": _reason, "timeoutMs": _timeout}),
}

_values_result = obj({"values": record(secret_name, string(max_len=MAX_SECRET_VALUE_CHARS))})
RESULTS: Final[Mapping[str, Validator]] = {
    "hello": obj({"sessionId": string(), "appVersion": string(), "protocol": literal(PROTOCOL_VERSION)}),
    "secrets.get": _values_result,
    "secrets.request": _values_result,
    "secrets.status": obj({"secrets": array(obj({"name": secret_name, "exists": boolean, "invalidated": boolean}))}),
    "secrets.invalidate": obj({}),
    "cancel": obj({}),
    "secrets.list": obj({"servers": array(obj({"name": server_name, "secrets": array(obj({"name": secret_name, "invalidated": boolean}))}))}),
    "secrets.put": obj({"created": array(secret_name), "replaced": array(secret_name)}),
    "secrets.delete": obj({"deleted": array(secret_name)}),
    "rules.list": obj({"rules": array(_rule)}),
    "rules.candidates": obj(
        {
            "candidates": array(
                obj(
                    {"key": _candidate_key, "source": one_of(("session", "last_reader")), "description": string(), "identity": process_identity},
                    {"pid": integer(), "at": anything},
                )
            )
        }
    ),
    "rules.add": obj({"rule": _rule}),
    "rules.remove": obj({"removed": array(string())}),
}

error_body = obj({"code": error_code, "message": string(max_len=2000)})
pending_data = obj(
    {
        "id": request_id,
        "kind": one_of(PROMPT_KINDS),
        "verificationCode": string(pattern=_VERIFICATION_CODE, what="not a verification code"),
        "expiresAt": integer(),
    },
    {"link": string(pattern=_LINK, what="not a request link id")},
)
pending_event = obj({"event": literal("pending"), "data": pending_data})
success_frame = obj({"id": nullable(request_id), "ok": literal(True), "result": anything})
failure_frame = obj({"id": nullable(request_id), "ok": literal(False), "error": error_body})

discovery_file = obj(
    {
        "url": string(pattern=_BRIDGE_URL, what="the bridge listens on loopback only"),
        "token": string(min_len=32, max_len=256),
        "pid": integer(minimum=1),
        "version": string(),
    },
    strict=False,
)


def check_request(request_type: str, params: object) -> Problem:
    """The problem with ``params`` for ``request_type`` (unknown types are a problem too)."""
    validator = REQUEST_PARAMS.get(request_type)
    if validator is None:
        return f"unknown request type {request_type[:64]!r}"
    return validator(params)


def check_result(request_type: str, result: object) -> Problem:
    validator = RESULTS.get(request_type)
    if validator is None:
        return f"unknown request type {request_type[:64]!r}"
    return validator(result)
