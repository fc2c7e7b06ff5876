"""The rate limiter's schedule, checked with a fake clock (no timing)."""

from __future__ import annotations

import threading

import pytest

from loglines.outputs.delivery import RateLimiter


class FakeClock:
    def __init__(self, start=1000.0):
        self.time = start
        self.sleeps = []

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.time += seconds


def test_requests_are_spaced_by_the_interval():
    clock = FakeClock()
    limiter = RateLimiter(4.0, now=clock.now, sleep=clock.sleep)
    for _ in range(5):
        limiter.wait()
    assert clock.sleeps == pytest.approx([0.25] * 4)
    assert clock.time == pytest.approx(1001.0)


def test_idle_time_is_not_saved_up_as_a_burst():
    clock = FakeClock()
    limiter = RateLimiter(2.0, now=clock.now, sleep=clock.sleep)
    limiter.wait()
    clock.time += 60  # a quiet minute
    assert limiter.reserve() == 0
    assert limiter.reserve() == pytest.approx(0.5)
    assert limiter.reserve() == pytest.approx(1.0)


def test_a_late_caller_waits_only_for_what_is_left():
    clock = FakeClock()
    limiter = RateLimiter(1.0, now=clock.now, sleep=clock.sleep)
    limiter.wait()
    clock.time += 0.7
    limiter.wait()
    assert clock.sleeps == pytest.approx([0.3])


def test_slots_are_unique_across_threads():
    limiter = RateLimiter(10.0, now=lambda: 0.0, sleep=lambda s: None)
    delays, lock = [], threading.Lock()

    def take(n):
        for _ in range(n):
            delay = limiter.reserve()
            with lock:
                delays.append(delay)

    threads = [threading.Thread(target=take, args=(50,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(delays) == pytest.approx([n / 10 for n in range(400)])


@pytest.mark.parametrize("rate", [0, -1.0])
def test_rate_must_be_positive(rate):
    with pytest.raises(ValueError):
        RateLimiter(rate)
