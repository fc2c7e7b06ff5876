"""Logging: one line per notable event; workers log to stdout, which
supervisord captures, and commands log to stderr beside their output."""

import logging
import sys

WORKER_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
COMMAND_FORMAT = "%(levelname)s: %(message)s"


def setup(level="INFO", stream=None, fmt=COMMAND_FORMAT):
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
