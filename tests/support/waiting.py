"""Waiting for something that happens in another process or thread."""

import time


def wait_for(predicate, timeout=30.0, interval=0.05):
    """True as soon as ``predicate()`` is; False if it is not within ``timeout``.

    A bound on how long a test waits for an outcome, not a speed assertion.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
