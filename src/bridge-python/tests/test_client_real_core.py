"""KeyholdClient against the real core (keyhold serve as shipped, real test
keychain): every window kind and answer, the verification code, cancellation
through asyncio, timeouts, the request link, and the app dying mid-request."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest

from keyhold_bridge import KeyholdCancelled, KeyholdDenied, KeyholdInvalidRequest, KeyholdNotFound, KeyholdTimeout, KeyholdUnavailable, PendingEvent
from keyhold_bridge.client import KeyholdClient

from .controlled_core import ControlledCore

SECRET = "sk-live-python-DO-NOT-LEAK-42"


def client_for(core: ControlledCore, **options: object) -> KeyholdClient:
    return KeyholdClient("py-demo", env=core.env, **options)  # type: ignore[arg-type]


async def store(core: ControlledCore, client: KeyholdClient, values: dict[str, str]) -> None:
    task = asyncio.create_task(client.get(list(values)))
    await core.save(await core.next_prompt(), values)
    assert await task == values


async def test_entry_window_saves_and_returns_the_value_and_the_codes_match(core: ControlledCore) -> None:
    async with client_for(core) as client:
        events: list[PendingEvent] = []
        task = asyncio.create_task(client.get(["API_KEY"], reason="List issues", tool="list_issues", on_pending=events.append))
        prompt = await core.next_prompt()
        assert prompt.kind == "entry"
        assert prompt.raw["fields"] == ["API_KEY"]
        assert (prompt.raw["tool"], prompt.raw["reason"]) == ("list_issues", "List issues")
        await core.save(prompt, {"API_KEY": SECRET})
        assert await task == {"API_KEY": SECRET}
        assert [event.verification_code for event in events] == [prompt.verification_code]
        assert events[0].id == prompt.request_id


async def test_allow_once_asks_again_and_allow_for_session_does_not(core: ControlledCore) -> None:
    async with client_for(core) as client:
        await store(core, client, {"API_KEY": SECRET})
        for decision in ("allow", "allow_session"):
            task = asyncio.create_task(client.get(["API_KEY"]))
            prompt = await core.next_prompt()
            assert prompt.kind == "approval"
            assert prompt.raw["names"] == ["API_KEY"]
            await core.allow(prompt, decision)
            assert await task == {"API_KEY": SECRET}
        assert await client.get(["API_KEY"]) == {"API_KEY": SECRET}
        assert core.prompts.empty()


async def test_deny_raises_keyhold_denied(core: ControlledCore) -> None:
    async with client_for(core) as client:
        await store(core, client, {"API_KEY": SECRET})
        task = asyncio.create_task(client.get(["API_KEY"]))
        await core.allow(await core.next_prompt(), "deny")
        with pytest.raises(KeyholdDenied) as raised:
            await task
        assert raised.value.code == "denied"
        assert SECRET not in str(raised.value)


async def test_cancelling_the_entry_raises_keyhold_cancelled(core: ControlledCore) -> None:
    async with client_for(core) as client:
        task = asyncio.create_task(client.get(["API_KEY"]))
        await core.answer(await core.next_prompt(), entry={"action": "cancel"})
        with pytest.raises(KeyholdCancelled):
            await task


async def test_abandoned_request_window_asyncio_cancellation_sends_cancel_and_the_window_closes(core: ControlledCore) -> None:
    async with client_for(core) as client:
        task = asyncio.create_task(client.get(["API_KEY"]))
        prompt = await core.next_prompt()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.wait_for(core.closed.get(), 30) == prompt.id
        # The connection stays usable.
        assert [s.name for s in await client.status(["API_KEY"])] == ["API_KEY"]


async def test_abandoned_request_window_a_request_timeout_closes_the_window_and_raises_keyhold_timeout(core: ControlledCore) -> None:
    async with client_for(core) as client:
        task = asyncio.create_task(client.get(["API_KEY"], timeout_ms=1_500))
        prompt = await core.next_prompt()
        assert await asyncio.wait_for(core.closed.get(), 30) == prompt.id
        with pytest.raises(KeyholdTimeout):
            await task


async def test_status_invalidate_list_put_and_delete(core: ControlledCore) -> None:
    async with client_for(core) as client:
        assert [(s.name, s.exists) for s in await client.status(["API_KEY"])] == [("API_KEY", False)]
        put = asyncio.create_task(client.put({"API_KEY": SECRET}))
        prompt = await core.next_prompt()
        assert (prompt.kind, prompt.raw["action"]) == ("approval", "store")
        await core.allow(prompt)
        assert await put == {"created": ["API_KEY"], "replaced": []}
        assert [(s.name, s.exists, s.invalidated) for s in await client.status()] == [("API_KEY", True, False)]
        with pytest.raises(KeyholdInvalidRequest):  # a put is not a read: only a connection handed the value may reject it
            await client.invalidate(["API_KEY"], reason="the API answered 401")
        read = asyncio.create_task(client.get(["API_KEY"]))
        await core.allow(await core.next_prompt())
        assert await read == {"API_KEY": SECRET}
        await client.invalidate(["API_KEY"], reason="the API answered 401")
        assert (await client.status(["API_KEY"]))[0].invalidated is True
        listed = {server.name: [s["name"] for s in server.secrets] for server in await client.list()}
        assert listed["py-demo"] == ["API_KEY"]
        delete = asyncio.create_task(client.delete(["API_KEY"]))
        await core.allow(await core.next_prompt())
        assert await delete == ["API_KEY"]
        with pytest.raises(KeyholdNotFound):
            await client.delete(["API_KEY"])


async def test_the_request_link_brings_the_window_to_the_front(core: ControlledCore) -> None:
    async with client_for(core) as client:
        events: list[PendingEvent] = []
        task = asyncio.create_task(client.get(["API_KEY"], on_pending=events.append))
        prompt = await core.next_prompt()
        link = client.request_link(events[0])
        assert link is not None
        assert link.startswith(core.url.replace("ws://", "http://").rstrip("/") + "/request/")
        await asyncio.to_thread(lambda: urllib.request.urlopen(link, timeout=10).read())  # noqa: S310 (a loopback http URL)
        assert await asyncio.wait_for(core.focused.get(), 30) == prompt.id
        await core.save(prompt, {"API_KEY": SECRET})
        await task


async def test_the_app_killed_mid_request_gives_a_clean_error_and_the_client_reconnects_when_it_is_back(core: ControlledCore) -> None:
    async with client_for(core, connect_timeout_ms=30_000) as client:
        task = asyncio.create_task(client.get(["API_KEY"]))
        await core.next_prompt()
        await core.kill()
        with pytest.raises(KeyholdUnavailable) as raised:
            await task
        assert "closed the connection" in raised.value.message
        restarted = await ControlledCore(core.home).start()
        try:
            assert [s.exists for s in await client.status(["API_KEY"])] == [False]
        finally:
            await restarted.stop()


async def test_no_app_running_says_so_and_how_to_start_it(core: ControlledCore) -> None:
    await core.stop()
    async with client_for(core, connect_timeout_ms=2_000) as client:
        with pytest.raises(KeyholdUnavailable) as raised:
            await client.get(["API_KEY"])
        assert "not running" in raised.value.message
        assert "KEYHOLD_FALLBACK=env" in raised.value.message


async def test_env_fallback_reads_the_variable_only_when_the_app_is_unreachable(core: ControlledCore) -> None:
    warnings: list[str] = []
    env = {**core.env, "KEYHOLD_FALLBACK": "env", "KEYHOLD_SECRET_PY_DEMO_API_KEY": "from-env"}
    async with KeyholdClient("py-demo", env=env, on_warning=warnings.append) as client:
        task = asyncio.create_task(client.get(["API_KEY"]))
        await core.save(await core.next_prompt(), {"API_KEY": SECRET})
        assert await task == {"API_KEY": SECRET}
    await core.stop()
    async with KeyholdClient("py-demo", env=env, on_warning=warnings.append, connect_timeout_ms=2_000) as client:
        assert await client.get(["API_KEY"]) == {"API_KEY": "from-env"}
    assert len(warnings) == 1
    assert "KEYHOLD_SECRET_PY_DEMO_API_KEY" in warnings[0]
    assert "from-env" not in warnings[0]
