"""Waiting for new data by short stat polls.

inotify would wake up sooner, but ``watchdog`` is not a dependency and a
50 ms poll costs a couple of ``stat`` calls, well within the 250 ms at which
new lines must be seen. Polling also sees what inotify misses: files on NFS,
and files replaced under a watched name.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_POLL_INTERVAL = 0.05


def poll_until(ready: Callable[[], bool], timeout: float, interval: float) -> bool:
    """Call ``ready`` every ``interval`` seconds until it is true or ``timeout`` passes.

    Returns whether ``ready`` became true; it is called at least once, so a
    zero timeout is a plain check.
    """
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))
