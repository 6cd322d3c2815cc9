"""Keeps one connection to the app and gets a new one when it is lost, as in
``@keyhold/bridge``:

- lazy: nothing is dialled until the first ``connected()``;
- after a loss it redials in the background with backoff (200 ms doubling to
  5 s, jittered) until it succeeds, the error is not worth retrying (bad
  token, bad configuration), or ``close()``;
- a caller arriving while disconnected cuts the current backoff short and
  waits at most ``connect_timeout_s``; then it gets the last failure.

Generic over the connection type so it can be tested without sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from .backoff import RECONNECT_BACKOFF, BackoffPolicy, backoff_delay_ms
from .errors import KeyholdCancelled, KeyholdError, KeyholdUnavailable


class Closable(Protocol):
    @property
    def is_open(self) -> bool: ...

    async def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


def is_retryable(error: KeyholdError) -> bool:
    """Failures another attempt could fix: the app is not up yet, or is busy."""
    return error.code in ("unavailable", "busy", "timeout")


def closed_error() -> KeyholdUnavailable:
    return KeyholdUnavailable("This KeyholdClient has been closed; create a new one.")


class Connector(Generic[C]):
    def __init__(
        self,
        open_connection: Callable[[], Awaitable[C]],
        connect_timeout_s: float,
        timeout_error: Callable[[KeyholdError | None], KeyholdError],
        backoff: BackoffPolicy = RECONNECT_BACKOFF,
    ) -> None:
        self._open = open_connection
        self._connect_timeout_s = connect_timeout_s
        self._timeout_error = timeout_error
        self._backoff = backoff
        self._current: C | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._attempt = 0
        self._last_failure: KeyholdError | None = None
        self._closed = False
        self._waiters: set[asyncio.Future[C]] = set()
        self._wake = asyncio.Event()

    @property
    def connection(self) -> C | None:
        return self._current if self._current is not None and self._current.is_open else None

    async def connected(self) -> C:
        """An open connection, dialling or waiting for a redial as needed."""
        if self._closed:
            raise closed_error()
        current = self.connection
        if current is not None:
            return current
        waiter: asyncio.Future[C] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        self._attempt = 0
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.get_running_loop().create_task(self._dial_loop(0))
        else:
            self._wake.set()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), self._connect_timeout_s)
        except TimeoutError:
            raise self._timeout_error(self._last_failure) from None
        finally:
            self._waiters.discard(waiter)
            if not waiter.done():
                waiter.cancel()

    def lost(self, connection: C) -> None:
        """Reports that ``connection`` ended; starts redialling in the background."""
        if connection is not self._current:
            return
        self._current = None
        if self._closed or (self._loop_task is not None and not self._loop_task.done()):
            return
        self._attempt = 0
        self._loop_task = asyncio.get_running_loop().create_task(self._dial_loop(self._next_delay_s()))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        error = KeyholdCancelled("The KeyholdClient was closed while waiting for the Keyhold app.")
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_exception(error)
        task = self._loop_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        current, self._current = self._current, None
        if current is not None:
            await current.close()

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _dial_loop(self, first_delay_s: float) -> None:
        if first_delay_s > 0:
            await self._sleep(first_delay_s)
        while not self._closed:
            try:
                connection = await self._open()
            except Exception as error:  # every failure becomes a KeyholdError the callers can act on
                failure = error if isinstance(error, KeyholdError) else KeyholdUnavailable(f"Could not connect to the Keyhold app: {str(error)[:300]}")
                self._last_failure = failure
                if not is_retryable(failure):
                    for waiter in list(self._waiters):
                        if not waiter.done():
                            waiter.set_exception(failure)
                    return
                await self._sleep(self._next_delay_s())
                continue
            if self._closed:
                await connection.close()
                return
            self._current = connection
            self._last_failure = None
            self._attempt = 0
            for waiter in list(self._waiters):
                if not waiter.done():
                    waiter.set_result(connection)
            return

    def _next_delay_s(self) -> float:
        delay = backoff_delay_ms(self._attempt, self._backoff) / 1000
        self._attempt += 1
        return delay
