"""The contract the test kit's FakeKeyholdApp must keep: each case runs against
the real core (keyhold serve as shipped, test keychain) and against the fake,
so the fake never behaves more kindly than the app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from keyhold_bridge import KeyholdCancelled, KeyholdClient, KeyholdDenied, KeyholdInvalidRequest, KeyholdTimeout, PendingEvent
from keyhold_bridge.testing import FakeKeyholdApp, FakePrompt

from .controlled_core import ControlledCore

SECRET = "sk-contract-DO-NOT-LEAK-7"


@dataclass(frozen=True)
class Shown:
    """A window as both apps report it."""

    kind: str
    names: list[str]
    rejected: list[str]
    verification_code: str
    request_id: str | None
    handle: Any


class App(Protocol):
    def client(self) -> KeyholdClient: ...
    async def next_window(self) -> Shown: ...
    async def answer(self, shown: Shown, decision: Any) -> None: ...
    async def closed(self, shown: Shown) -> None: ...
    def windows_shown(self) -> int: ...


class RealApp:
    def __init__(self, core: ControlledCore) -> None:
        self.core = core

    def client(self) -> KeyholdClient:
        return KeyholdClient("contract", env=self.core.env)

    async def next_window(self) -> Shown:
        prompt = await self.core.next_prompt()
        names = prompt.raw["names"] if prompt.kind == "approval" else prompt.raw["fields"]
        return Shown(prompt.kind, names, prompt.raw.get("rejected", []), prompt.verification_code, prompt.request_id, prompt)

    async def answer(self, shown: Shown, decision: Any) -> None:
        if isinstance(decision, dict):
            await self.core.answer(shown.handle, entry={"action": "save", "values": decision["save"]})
        elif decision == "cancel":
            await self.core.answer(shown.handle, entry={"action": "cancel"})
        else:
            await self.core.answer(shown.handle, approval=decision)

    def windows_shown(self) -> int:
        return len(self.core.shown)

    async def closed(self, shown: Shown) -> None:
        while await asyncio.wait_for(self.core.closed.get(), 30) != shown.handle.id:
            pass


class FakeApp:
    def __init__(self, app: FakeKeyholdApp) -> None:
        self.app = app

    def client(self) -> KeyholdClient:
        return KeyholdClient("contract", **self.app.client_options)

    async def next_window(self) -> Shown:
        prompt: FakePrompt = await self.app.next_prompt()
        return Shown(prompt.kind, prompt.names, prompt.rejected, prompt.verification_code, prompt.request_id, prompt)

    async def answer(self, shown: Shown, decision: Any) -> None:
        assert shown.handle.answer(decision)

    def windows_shown(self) -> int:
        return len(self.app.prompts)

    async def closed(self, shown: Shown) -> None:
        for _ in range(3000):
            if shown.handle.outcome in ("aborted", "timeout"):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the fake's window is still {shown.handle.outcome}")


@pytest.fixture(params=["real core", "FakeKeyholdApp"])
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[App]:
    if request.param == "real core":
        home = tmp_path / "home"
        home.mkdir(mode=0o700)
        core = await ControlledCore(home).start()
        try:
            yield RealApp(core)
        finally:
            await core.stop()
    else:
        async with FakeKeyholdApp() as fake:
            yield FakeApp(fake)


async def enter(app: App, client: KeyholdClient, value: str = SECRET) -> None:
    task = asyncio.create_task(client.get(["API_KEY"]))
    shown = await app.next_window()
    await app.answer(shown, {"save": {"API_KEY": value}})
    assert await task == {"API_KEY": value}


async def test_a_missing_name_opens_the_entry_window_with_the_code_of_the_pending_event(app: App) -> None:
    async with app.client() as client:
        events: list[PendingEvent] = []
        task = asyncio.create_task(client.get(["API_KEY"], on_pending=events.append))
        shown = await app.next_window()
        assert (shown.kind, shown.names) == ("entry", ["API_KEY"])
        await app.answer(shown, {"save": {"API_KEY": SECRET}})
        assert await task == {"API_KEY": SECRET}
        assert [(e.verification_code, e.id, e.kind) for e in events] == [(shown.verification_code, shown.request_id, "entry")]
        assert events[0].link is not None


async def test_a_stored_name_needs_approval_and_allow_for_session_covers_the_next_get(app: App) -> None:
    async with app.client() as client:
        await enter(app, client)
        for decision in ("allow", "allow_session"):
            task = asyncio.create_task(client.get(["API_KEY"]))
            shown = await app.next_window()
            assert (shown.kind, shown.names) == ("approval", ["API_KEY"])
            await app.answer(shown, decision)
            assert await task == {"API_KEY": SECRET}
        assert await client.get(["API_KEY"]) == {"API_KEY": SECRET}


async def test_deny_and_cancel(app: App) -> None:
    async with app.client() as client:
        task = asyncio.create_task(client.get(["API_KEY"]))
        await app.answer(await app.next_window(), "cancel")
        with pytest.raises(KeyholdCancelled):
            await task
        await enter(app, client)
        task = asyncio.create_task(client.get(["API_KEY"]))
        await app.answer(await app.next_window(), "deny")
        with pytest.raises(KeyholdDenied):
            await task


async def test_an_invalidated_value_is_asked_for_again_and_the_window_says_it_was_rejected(app: App) -> None:
    async with app.client() as client:
        await enter(app, client)
        await client.invalidate(["API_KEY"], reason="401")
        assert [(s.exists, s.invalidated) for s in await client.status(["API_KEY"])] == [(True, True)]
        task = asyncio.create_task(client.get(["API_KEY"]))
        shown = await app.next_window()
        assert (shown.kind, shown.rejected) == ("entry", ["API_KEY"])
        await app.answer(shown, {"save": {"API_KEY": "new-value"}})
        assert await task == {"API_KEY": "new-value"}
        assert [(s.exists, s.invalidated) for s in await client.status(["API_KEY"])] == [(True, False)]


async def test_invalidate_by_non_reader_is_refused_and_changes_nothing(app: App) -> None:
    async with app.client() as reader, app.client() as other:
        await enter(app, reader)
        with pytest.raises(KeyholdInvalidRequest):
            await other.invalidate(["API_KEY"], reason="paste your key at https://evil.example")
        assert [(s.exists, s.invalidated) for s in await other.status(["API_KEY"])] == [(True, False)]
        await reader.invalidate(["API_KEY"], reason="401")
        assert [(s.exists, s.invalidated) for s in await reader.status(["API_KEY"])] == [(True, True)]


async def test_entry_default_overwrites_stored_secret_needs_a_store_approval(app: App) -> None:
    async with app.client() as client:
        await enter(app, client)
        field = {"name": "API_KEY", "label": "Key", "type": "password", "required": True, "default": "attacker-value"}
        task = asyncio.create_task(client.request([field]))  # type: ignore[list-item]
        entry = await app.next_window()
        assert entry.kind == "entry"
        await app.answer(entry, {"save": {"API_KEY": "typed-by-the-user"}})
        approval = await app.next_window()
        assert (approval.kind, approval.names) == ("approval", ["API_KEY"])
        await app.answer(approval, "deny")
        with pytest.raises(KeyholdDenied):
            await task
        task = asyncio.create_task(client.get(["API_KEY"]))
        await app.answer(await app.next_window(), "allow")
        assert await task == {"API_KEY": SECRET}


async def test_cancelling_the_call_closes_the_window(app: App) -> None:
    async with app.client() as client:
        task = asyncio.create_task(client.get(["API_KEY"]))
        shown = await app.next_window()
        task.cancel()
        await app.closed(shown)


async def test_a_request_timeout_closes_the_window(app: App) -> None:
    async with app.client() as client:
        task = asyncio.create_task(client.get(["API_KEY"], timeout_ms=1_000))
        shown = await app.next_window()
        await app.closed(shown)
        with pytest.raises(KeyholdTimeout):
            await task


async def test_one_window_at_a_time_per_server(app: App) -> None:
    async with app.client() as client:
        first = asyncio.create_task(client.get(["A"]))
        shown = await app.next_window()
        second = asyncio.create_task(client.get(["B"]))
        await asyncio.sleep(0.5)  # time for a (wrong) second window to appear; a slow machine can only hide the bug, not fake it
        assert app.windows_shown() == 1
        await app.answer(shown, {"save": {shown.names[0]: "one"}})
        following = await app.next_window()
        assert {shown.names[0], following.names[0]} == {"A", "B"}
        await app.answer(following, {"save": {following.names[0]: "two"}})
        await first
        await second
