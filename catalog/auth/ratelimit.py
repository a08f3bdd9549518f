"""Token buckets: at most ``rate`` actions a minute per key, with bursts up to ``rate``.

Each key (a bucket name with an API token id or a client address) has a bucket holding up to ``rate``
tokens, refilled continuously at ``rate`` per minute; an action takes one token, or is refused with the
seconds to wait until one is back. Buckets live in the process: with several web workers, each counts
on its own (the limit is per worker). Full buckets are forgotten when there are many, so memory stays
bounded.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

__all__ = ["RateLimiter"]

_PRUNE_AT = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by anything hashable; thread-safe."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[Hashable, int], _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: Hashable, *, rate_per_minute: int) -> float:
        """Take one token from ``key``'s bucket: 0.0 when allowed, else the seconds to wait (> 0)."""
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        per_second = rate_per_minute / 60.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get((key, rate_per_minute))
            if bucket is None:
                if len(self._buckets) >= _PRUNE_AT:
                    self._prune(now)
                bucket = self._buckets[(key, rate_per_minute)] = _Bucket(float(rate_per_minute), now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(rate_per_minute), bucket.tokens + elapsed * per_second)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / per_second

    @staticmethod
    def retry_after(wait: float) -> int:
        """Whole seconds for a ``Retry-After`` header (at least 1)."""
        return max(1, math.ceil(wait))

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely (they behave like new ones)."""
        for (key, rate), bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.updated) * rate / 60.0 >= rate:
                del self._buckets[(key, rate)]
