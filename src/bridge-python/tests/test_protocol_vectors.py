"""The shared protocol vectors (test/vectors/): every one parses in Python as
it declares, and the JSON Schema export this package follows is the one
committed (a TypeScript schema change fails here until the Python side is
updated and its pinned digest with it)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from keyhold_bridge import protocol
from keyhold_bridge.errors import ERROR_CODES
from keyhold_bridge.frames import Failure, Malformed, Pending, Success, parse_result, parse_server_frame

VECTORS_DIR = Path(__file__).resolve().parents[3] / "test" / "vectors"


def _expand(value: Any) -> Any:
    """``@@N`` stands for N letters ``a`` (bridge-frames.json's $comment)."""
    text = re.sub(r"@@(\d+)", lambda match: "a" * int(match.group(1)), json.dumps(value))
    return json.loads(text)


VECTORS: dict[str, Any] = _expand(json.loads((VECTORS_DIR / "bridge-frames.json").read_text("utf-8")))
SCHEMA_TEXT = (VECTORS_DIR / "bridge-protocol.schema.json").read_bytes()
SCHEMA: dict[str, Any] = json.loads(SCHEMA_TEXT)


def test_the_pinned_schema_digest_is_the_committed_export() -> None:
    digest = hashlib.sha256(SCHEMA_TEXT).hexdigest()
    assert digest == protocol.PROTOCOL_SCHEMA_SHA256, (
        f"test/vectors/bridge-protocol.schema.json changed: update keyhold_bridge/protocol.py to the new protocol, then set PROTOCOL_SCHEMA_SHA256 = {digest!r}"
    )


def test_constants_equal_the_exported_ones() -> None:
    constants = SCHEMA["constants"]
    assert SCHEMA["protocolVersion"] == protocol.PROTOCOL_VERSION
    for name in (
        "MAX_FRAME_BYTES",
        "MAX_REPLY_BYTES",
        "MAX_SECRET_VALUE_CHARS",
        "MAX_NAMES_PER_REQUEST",
        "MAX_FIELDS_PER_REQUEST",
        "MAX_GUIDE_CHARS",
        "MAX_REASON_CHARS",
        "DEFAULT_REQUEST_TIMEOUT_MS",
        "DISCOVERY_FILE_NAME",
        "ENV_BRIDGE_URL",
        "ENV_BRIDGE_TOKEN",
        "ENV_HOME",
        "ENV_FALLBACK",
        "ENV_SECRET_PREFIX",
    ):
        assert constants[name] == getattr(protocol, name), name
    assert tuple(constants["ERROR_CODES"]) == ERROR_CODES
    assert tuple(constants["FIELD_TYPES"]) == protocol.FIELD_TYPES
    assert tuple(constants["PROMPT_KINDS"]) == protocol.PROMPT_KINDS
    assert tuple(constants["REQUEST_TYPES"]) == protocol.REQUEST_TYPES
    assert set(SCHEMA["requestParams"]) == set(protocol.REQUEST_PARAMS) == set(SCHEMA["results"]) == set(protocol.RESULTS)


@pytest.mark.parametrize("vector", VECTORS["serverFrames"], ids=lambda v: v["name"])
def test_server_frame(vector: dict[str, Any]) -> None:
    expect = vector["expect"]
    frame = parse_server_frame(vector["text"])
    kinds = {Success: "success", Failure: "failure", Pending: "pending", Malformed: "malformed"}
    assert kinds[type(frame)] == expect["kind"]
    if isinstance(frame, Pending):
        assert frame.event.id == expect["id"]
        assert frame.event.verification_code == expect["verificationCode"]
        assert frame.event.link == expect.get("link")
        return
    assert frame.id == expect["id"]
    if isinstance(frame, Failure):
        assert frame.code == expect["code"]
    if isinstance(frame, Success):
        assert frame.result == expect["result"]


@pytest.mark.parametrize("vector", VECTORS["results"], ids=lambda v: v["name"])
def test_result(vector: dict[str, Any]) -> None:
    assert (parse_result(vector["type"], vector["result"]) is None) == vector["valid"]


@pytest.mark.parametrize("vector", VECTORS["requests"], ids=lambda v: v["name"])
def test_request(vector: dict[str, Any]) -> None:
    assert (protocol.check_request(vector["type"], vector["params"]) is None) == vector["valid"]


@pytest.mark.parametrize("vector", VECTORS["discoveryFiles"], ids=lambda v: v["name"])
def test_discovery_file(vector: dict[str, Any]) -> None:
    assert (protocol.discovery_file(vector["file"]) is None) == vector["valid"]


def test_problems_never_quote_a_value() -> None:
    secret = "sk-live-DO-NOT-LEAK-0123456789"
    frame = parse_server_frame(json.dumps({"id": "r1", "ok": False, "error": {"code": "teapot", "message": secret}}))
    assert isinstance(frame, Malformed)
    assert secret not in frame.problem
    assert parse_result("secrets.get", {"values": {"A": 1, "B": secret}}) is not None
    assert secret not in str(parse_result("secrets.get", {"values": {"bad name": secret}}))


def test_lengths_count_utf16_units_as_zod_does() -> None:
    # One emoji is 2 UTF-16 code units: 250 of them are 500 units (valid reason), 251 are 502.
    assert protocol.check_request("secrets.get", {"names": ["A"], "reason": "\U0001f511" * 250}) is None
    assert protocol.check_request("secrets.get", {"names": ["A"], "reason": "\U0001f511" * 251}) is not None


def test_a_trailing_newline_does_not_pass_an_anchored_pattern() -> None:
    assert protocol.check_request("secrets.get", {"names": ["API_KEY\n"]}) is not None
