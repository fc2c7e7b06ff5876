"""Publishing how far a tailer is behind its files: size minus checkpoint
offset, into one hash per section that ``loglines status`` and the
Prometheus endpoint read (``metrics.lag``). A file whose checkpoint names
another inode (rotated in, or never read) is behind by its whole size.
"""

import os
import time

from ...errors import QueueUnavailable
from ...redis_connection import translated_errors
from .checkpoint import load_checkpoint
from .glob_tailer import state_file_name

PUBLISH_INTERVAL = 1.0


def file_lag(path, state_path):
    try:
        st = os.stat(path)
    except OSError:
        return None  # gone between the glob and now: nothing to report
    try:
        cp = load_checkpoint(state_path)
    except Exception:  # a bad state file is the tailer's to report, not ours
        cp = None
    if cp is None or (cp.device, cp.inode) != (st.st_dev, st.st_ino):
        return st.st_size
    return max(0, st.st_size - cp.offset)


class LagPublisher:
    def __init__(self, store, section, tailer, now=time.monotonic):
        self.store = store
        self.section = section
        self.tailer = tailer
        self.now = now
        self.last = -PUBLISH_INTERVAL

    def lags(self):
        result = {}
        for path in self.tailer.paths:
            state = os.path.join(self.tailer.state_dir, state_file_name(path))
            lag = file_lag(path, state)
            if lag is not None:
                result[path] = lag
        return result

    def maybe_publish(self, force=False):
        """Publish at most once a second; never blocks the tailer on Redis."""
        if not force and self.now() - self.last < PUBLISH_INTERVAL:
            return
        self.last = self.now()
        lags = self.lags()
        key = self.store.keyspace.lag(self.section)
        try:
            with translated_errors():
                pipe = self.store.client.pipeline(transaction=True)
                pipe.delete(key)  # files no longer followed drop out
                if lags:
                    pipe.hset(key, mapping=lags)
                pipe.execute()
        except QueueUnavailable:
            pass  # the next publish will do
