"""What a command needs, built once from the command line: the checked
configuration and, on demand, the queue store of the chosen Redis."""

import logging
import sys
from functools import cached_property

from ..config import load
from ..metrics.observed import observed_store
from ..redis_connection import connect


class CommandLine:
    """What a command that reads no configuration gets: its arguments."""

    def __init__(self, args):
        self.args = args


class Context:
    def __init__(self, args):
        self.args = args
        self.config = load(args.config)
        for warning in self.config.warnings:
            logging.getLogger("loglines.config").warning("%s", warning)

    @property
    def redis_name(self):
        return getattr(self.args, "redis", None) or ""

    @cached_property
    def redis_settings(self):
        from ..errors import ConfigError

        name = self.redis_name
        if name not in self.config.redis:
            raise ConfigError(f"{self.config.path}: --redis {name}: no [redis_{name}] section")
        return self.config.redis_settings(name)

    @cached_property
    def store(self):
        queues = self.config.queues
        return observed_store(
            connect(self.redis_settings), queues.prefix, self.config.queue_policy,
            consumer_timeout=queues.consumer_timeout,
        )


def out(text=""):
    sys.stdout.write(text + "\n")
