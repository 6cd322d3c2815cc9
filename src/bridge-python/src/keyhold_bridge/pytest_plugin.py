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

from collections.abc import AsyncIterator

import pytest

from .testing import FakeKeyholdApp

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised only without the [testing] extra

    @pytest.fixture
    def keyhold_app() -> FakeKeyholdApp:
        pytest.fail('The keyhold_app fixture needs pytest-asyncio: pip install "keyhold-bridge[testing]".')

else:

    @pytest_asyncio.fixture  # type: ignore[misc]  # the other branch defines the same name
    async def keyhold_app() -> AsyncIterator[FakeKeyholdApp]:
        """A FakeKeyholdApp listening on loopback for this test; stopped afterwards."""
        async with FakeKeyholdApp() as app:
            yield app
