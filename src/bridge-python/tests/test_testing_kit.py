"""The test kit as a server author uses it: the ``keyhold_app`` fixture, scripted
decisions, the recorded windows, and FakeKeyholdApp's own rules (bad tokens,
decisions that do not fit the window, unimplemented requests)."""

from __future__ import annotations

import pytest

from keyhold_bridge import KeyholdClient, KeyholdDenied, KeyholdError, KeyholdInvalidRequest, KeyholdUnauthorized
from keyhold_bridge.testing import FakeKeyholdApp


async def forecast(keyhold: KeyholdClient, city: str) -> str:
    """The code under test: a tool body that needs an API key."""
    key = (await keyhold.get(["API_KEY"], reason=f"Forecast for {city}", tool="forecast"))["API_KEY"]
    return f"{city}: sunny (asked with a key of {len(key)} characters)"


async def test_the_fixture_serves_a_tool_body_with_scripted_decisions(keyhold_app: FakeKeyholdApp) -> None:
    keyhold_app.decide({"save": {"API_KEY": "test-key"}}, "deny")
    async with KeyholdClient("weather", **keyhold_app.client_options) as keyhold:
        assert await forecast(keyhold, "Oslo") == "Oslo: sunny (asked with a key of 8 characters)"
        with pytest.raises(KeyholdDenied):
            await forecast(keyhold, "Bergen")
    assert [(p.kind, p.reason, p.tool, p.outcome) for p in keyhold_app.prompts] == [
        ("entry", "Forecast for Oslo", "forecast", "save"),
        ("approval", "Forecast for Bergen", "forecast", "deny"),
    ]
    assert keyhold_app.store == {"weather": {"API_KEY": "test-key"}}


async def test_seeded_secrets_and_an_on_prompt_policy() -> None:
    async with FakeKeyholdApp(secrets={"weather": {"API_KEY": "seeded"}}, on_prompt=lambda prompt: "allow_session") as app:
        async with KeyholdClient("weather", **app.client_options) as keyhold:
            assert await keyhold.get(["API_KEY"]) == {"API_KEY": "seeded"}
            assert await keyhold.get(["API_KEY"]) == {"API_KEY": "seeded"}
        assert len(app.prompts) == 1


async def test_a_wrong_token_is_refused_like_the_app_does(keyhold_app: FakeKeyholdApp) -> None:
    async with KeyholdClient("weather", url=keyhold_app.url, token="x" * 43, env={}) as keyhold:
        with pytest.raises(KeyholdUnauthorized):
            await keyhold.status()


async def test_a_decision_that_does_not_fit_the_window_fails_loudly(keyhold_app: FakeKeyholdApp) -> None:
    keyhold_app.decide("allow")
    async with KeyholdClient("weather", **keyhold_app.client_options) as keyhold:
        with pytest.raises(KeyholdError, match="does not answer an entry window"):
            await keyhold.get(["API_KEY"])


async def test_a_required_field_left_empty_is_refused(keyhold_app: FakeKeyholdApp) -> None:
    keyhold_app.decide({"save": {"API_KEY": ""}})
    async with KeyholdClient("weather", **keyhold_app.client_options) as keyhold:
        with pytest.raises(KeyholdInvalidRequest, match="required"):
            await keyhold.get(["API_KEY"])


async def test_requests_the_fake_does_not_implement_say_so(keyhold_app: FakeKeyholdApp) -> None:
    async with KeyholdClient("weather", **keyhold_app.client_options) as keyhold:
        with pytest.raises(KeyholdInvalidRequest, match="does not implement"):
            await keyhold.list()
