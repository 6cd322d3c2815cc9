"""KEYHOLD_FALLBACK=env: variable names, missing variables, the one warning,
and the hint on an unreachable app (values never in any message)."""

from __future__ import annotations

import pytest

from keyhold_bridge import KeyholdNotFound, KeyholdUnavailable
from keyhold_bridge.backoff import backoff_delay_ms
from keyhold_bridge.env_fallback import EnvFallback, fallback_variable

UNREACHABLE = KeyholdUnavailable("The Keyhold app is not running: no file.")


def test_variable_names_match_the_typescript_bridge() -> None:
    assert fallback_variable("demo", "api-token") == "KEYHOLD_SECRET_DEMO_API_TOKEN"
    assert fallback_variable("my.server", "Key_1") == "KEYHOLD_SECRET_MY_SERVER_KEY_1"


def test_values_come_from_the_environment_with_one_warning_naming_variables_only() -> None:
    warnings: list[str] = []
    fallback = EnvFallback({"KEYHOLD_FALLBACK": "env", "KEYHOLD_SECRET_DEMO_A": "value-a"}, "demo", warnings.append)
    assert fallback.enabled
    assert fallback.values(["A"], UNREACHABLE) == {"A": "value-a"}
    assert fallback.values(["A"], UNREACHABLE) == {"A": "value-a"}
    assert len(warnings) == 1
    assert "KEYHOLD_SECRET_DEMO_A" in warnings[0]
    assert "value-a" not in warnings[0]


def test_missing_variables_are_all_named_in_one_not_found() -> None:
    fallback = EnvFallback({"KEYHOLD_FALLBACK": "env"}, "demo")
    with pytest.raises(KeyholdNotFound, match="KEYHOLD_SECRET_DEMO_A, KEYHOLD_SECRET_DEMO_B are not"):
        fallback.values(["A", "B"], UNREACHABLE)


def test_the_hint_says_how_to_opt_in_or_what_is_wrong() -> None:
    assert "set KEYHOLD_FALLBACK=env" in EnvFallback({}, "demo").explain(UNREACHABLE).message
    assert 'set to "yes"' in EnvFallback({"KEYHOLD_FALLBACK": "yes"}, "demo").explain(UNREACHABLE).message
    assert not EnvFallback({"KEYHOLD_FALLBACK": "yes"}, "demo").enabled


def test_backoff_doubles_to_five_seconds_with_equal_jitter() -> None:
    assert [backoff_delay_ms(n, rand=lambda: 0.0) for n in range(6)] == [200, 400, 800, 1600, 3200, 5000]
    assert backoff_delay_ms(0, rand=lambda: 0.999) == 100
    assert backoff_delay_ms(30, rand=lambda: 0.5) == 3750
