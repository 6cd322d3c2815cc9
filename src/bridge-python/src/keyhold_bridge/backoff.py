"""Reconnect pacing, as in ``@keyhold/bridge``: 200 ms doubling to 5 s, "equal jitter"
(a delay between half and all of the step), so servers that lost the app at the
same moment spread out without any of them spinning."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BackoffPolicy:
    initial_ms: float = 200
    max_ms: float = 5_000
    factor: float = 2
    jitter: float = 0.5


RECONNECT_BACKOFF = BackoffPolicy()


def backoff_delay_ms(attempt: int, policy: BackoffPolicy = RECONNECT_BACKOFF, rand: Callable[[], float] = random.random) -> int:
    """The delay before retry number ``attempt`` (0-based); ``rand`` returns [0, 1)."""
    step = min(policy.max_ms, policy.initial_ms * policy.factor ** max(0, attempt))
    return round(step * (1 - policy.jitter * rand()))
