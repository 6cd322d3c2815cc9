from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .controlled_core import ControlledCore

# The test kit's fixture (`keyhold_app`), as an installed wheel registers it through its pytest11 entry point.
pytest_plugins = ["keyhold_bridge.pytest_plugin"]


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[ControlledCore]:
    """A fresh real core (own data dir, test keyring) per test."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    running = await ControlledCore(home).start()
    try:
        yield running
    finally:
        await running.stop()
