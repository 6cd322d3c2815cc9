"""The real Keyhold core for Python tests: ``test/fixtures/controlled-core.ts``
(``keyhold serve`` as shipped, real keychain) run with node + tsx, its prompts
answered from here like a user at the windows.

Tests must run inside scripts/with-test-keyring.sh (``npm test`` does that),
never against the developer's own keychain; the helper refuses otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURE = REPO_ROOT / "test" / "fixtures" / "controlled-core.ts"


@dataclass(frozen=True)
class Prompt:
    id: str
    kind: str
    request_id: str | None
    verification_code: str
    raw: dict[str, Any]


class ControlledCore:
    def __init__(self, home: Path) -> None:
        if os.environ.get("KEYHOLD_TEST_KEYRING") != "1":
            raise RuntimeError("Run the Python suites through scripts/with-test-keyring.sh (npm test does): they use a real keychain.")
        self.home = home
        self.url = ""
        self.prompts: asyncio.Queue[Prompt] = asyncio.Queue()
        self.closed: asyncio.Queue[str] = asyncio.Queue()
        self.focused: asyncio.Queue[str] = asyncio.Queue()
        self.shown: list[Prompt] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def env(self) -> dict[str, str]:
        """An environment whose discovery finds this core (and nothing else)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("KEYHOLD_")}
        return {**env, "KEYHOLD_HOME": str(self.home)}

    async def start(self) -> ControlledCore:
        node = shutil.which("node") or "node"
        self._process = await asyncio.create_subprocess_exec(
            node,
            "--import",
            "tsx",
            str(FIXTURE),
            "--home",
            str(self.home),
            cwd=REPO_ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={**os.environ, "KEYHOLD_HOME": str(self.home)},
        )
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.get_running_loop().create_task(self._read(ready))
        self.url = await asyncio.wait_for(ready, 60)
        return self

    async def next_prompt(self, timeout_s: float = 60) -> Prompt:
        return await asyncio.wait_for(self.prompts.get(), timeout_s)

    async def answer(self, prompt: Prompt, **answer: Any) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.write((json.dumps({"answer": prompt.id, **answer}) + "\n").encode())
        await self._process.stdin.drain()

    async def allow(self, prompt: Prompt, decision: str = "allow") -> None:
        await self.answer(prompt, approval=decision)

    async def save(self, prompt: Prompt, values: dict[str, str]) -> None:
        await self.answer(prompt, entry={"action": "save", "values": values})

    async def stop(self) -> None:
        """Stops politely (stdin closed: the core ends its connections and removes bridge.json)."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
        await self._end_reader()

    async def kill(self) -> None:
        """SIGKILL, like the app crashing: no close frames, bridge.json left behind."""
        process = self._process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await self._end_reader()

    async def _end_reader(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self, ready: asyncio.Future[str]) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            message = json.loads(line)
            event = message["event"]
            if event == "ready" and not ready.done():
                ready.set_result(message["url"])
            elif event == "prompt":
                raw = message["prompt"]
                prompt = Prompt(raw["id"], raw["kind"], raw["requestId"], raw["verificationCode"], raw)
                self.shown.append(prompt)
                self.prompts.put_nowait(prompt)
            elif event == "closed":
                self.closed.put_nowait(message["id"])
            elif event == "focus":
                self.focused.put_nowait(message["id"])
        if not ready.done():
            ready.set_exception(RuntimeError("the controlled core exited before it was ready"))
