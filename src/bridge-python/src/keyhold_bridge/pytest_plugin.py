"""pytest plugin of the test kit (registered as the ``keyhold`` pytest11 entry point):
the ``keyhold_app`` fixture, a fresh ``FakeKeyholdApp`` per test. Needs
``pytest-asyncio`` (``pip install "keyhold-bridge[testing]"``); without it the
fixture says so instead of breaking every pytest run. Use it as::

    async def test_forecast(keyhold_app: FakeKeyholdApp) -> None:
        keyhold_app.decide({"save": {"API_KEY": "test-key"}})
        async with KeyholdClient("weather", **keyhold_app.client_options) as keyhold:
            assert await forecast(keyhold, "Oslo") == ...
        assert keyhold_app.prompts[0].kind == "entry"
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator

import pytest

from .testing import FakeKeyholdApp

if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def keyhold_app() -> AsyncIterator[FakeKeyholdApp]:
        """A FakeKeyholdApp listening on loopback for this test; stopped afterwards."""
        async with FakeKeyholdApp() as app:
            yield app

else:  # pragma: no cover - only without the [testing] extra

    @pytest.fixture(name="keyhold_app")
    def keyhold_app_needs_pytest_asyncio() -> FakeKeyholdApp:
        pytest.fail('The keyhold_app fixture needs pytest-asyncio: pip install "keyhold-bridge[testing]".')
