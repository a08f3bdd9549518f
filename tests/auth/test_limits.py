"""Options JSON limits (depth and size) and the token-bucket rate limiter."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.auth.limits import MAX_OPTIONS_BYTES, check_options_json
from catalog.auth.ratelimit import RateLimiter
from catalog.exceptions import InputError


def _nested(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return value


@pytest.mark.parametrize(
    "options",
    [{}, {"rows": 100, "filter": {"q": "gent", "tags": ["a", "b"]}}, _nested(5), {"s": "x" * 60_000}],
)
def test_ordinary_options_pass(options: Any) -> None:
    check_options_json(options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (_nested(6), "nested too deeply"),
        (_nested(100_000), "nested too deeply"),  # checked without recursion
        ({"s": "x" * MAX_OPTIONS_BYTES}, "too large"),
        ({"s": "é" * (MAX_OPTIONS_BYTES // 2)}, "too large"),  # bytes of UTF-8, not characters
        ({"n": float("nan")}, "finite"),
        ({"b": b"bytes"}, "not a JSON value"),
        ({1: "x"}, "keys must be strings"),
    ],
)
def test_deep_large_or_odd_options_are_refused(options: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_options_json(options)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert [limiter.take("k", rate_per_minute=3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("k", rate_per_minute=3)
    assert wait == pytest.approx(20.0)  # one token every 20 s
    assert RateLimiter.retry_after(wait) == 20
    assert limiter.take("other", rate_per_minute=3) == 0.0  # keys are independent
    clock.now += 19.0
    assert limiter.take("k", rate_per_minute=3) == pytest.approx(1.0)
    clock.now += 1.0
    assert limiter.take("k", rate_per_minute=3) == 0.0
    clock.now += 3600
    assert [limiter.take("k", rate_per_minute=3) for _ in range(4)][-1] > 0  # refills to the burst, no more


def test_many_idle_buckets_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for n in range(10_000):
        limiter.take(n, rate_per_minute=60)
    clock.now += 120
    limiter.take("new", rate_per_minute=60)
    assert len(limiter._buckets) == 1
