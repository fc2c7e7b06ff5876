"""Logging: one line per notable event; workers log to stdout, which
supervisord captures, and commands log to stderr beside their output."""

import logging
import sys

WORKER_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
COMMAND_FORMAT = "%(levelname)s: %(message)s"


class _Current:
    """sys.stdout or sys.stderr as it is when a line is written, not as it was
    when logging was set up: a thread logging after a caller swapped the
    stream (a test's capture ending) must not write to a closed file."""

    def __init__(self, name):
        self.name = name

    def write(self, text):
        getattr(sys, self.name).write(text)

    def flush(self):
        getattr(sys, self.name).flush()


def setup(level="INFO", stream=None, fmt=COMMAND_FORMAT):
    if stream is None or stream is sys.stderr:
        stream = _Current("stderr")
    elif stream is sys.stdout:
        stream = _Current("stdout")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
