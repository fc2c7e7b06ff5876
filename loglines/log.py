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


class _Handler(logging.StreamHandler):
    """A stream handler for which a reader that has gone (a worker run by
    hand into ``| head``) ends the lines quietly, not with a traceback per line."""

    def handleError(self, record):
        if isinstance(sys.exc_info()[1], BrokenPipeError | ValueError):
            return  # ValueError: the stream was closed after the pipe broke
        super().handleError(record)


def setup(level="INFO", stream=None, fmt=COMMAND_FORMAT):
    if stream is None or stream is sys.stderr:
        stream = _Current("stderr")
    elif stream is sys.stdout:
        stream = _Current("stdout")
    handler = _Handler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
