"""The one error hierarchy of loglines.

Low-level errors (Redis, HTTP, file system) are translated into these where
they enter the code, with the original chained (``raise X(...) from err``),
so callers catch loglines errors and never a library's.
"""


class LoglinesError(Exception):
    """Base of every error loglines raises on purpose."""

    # Whether a later attempt may succeed: what decides between retrying an
    # item with backoff and dead-lettering it. Subclasses that can be
    # temporary say so (a class attribute, or per instance like DeliveryError).
    temporary = False


class ConfigError(LoglinesError):
    """The configuration is wrong; ``problems`` holds one line per problem.

    Each line names the file, the section and the key, so the message can be
    shown to a user as it is, without a traceback.
    """

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class QueueError(LoglinesError):
    """A queue operation could not be carried out."""


class QueueUnavailable(QueueError):
    """Redis could not be reached; the caller retries with backoff."""


class QueueRefused(QueueUnavailable):
    """Redis is up but refuses writes: out of memory at ``maxmemory`` with
    noeviction (OOM), or its disk failing (MISCONF). As temporary as an
    outage: producers pause, consumers retry, and what frees memory (acks,
    deletes) still goes through under OOM."""


class StoreError(LoglinesError):
    """The store (SQLite or PostgreSQL) could not do what was asked: its
    schema is not the one this loglines knows, or a statement failed."""


class StoreUnavailable(StoreError):
    """The store's database could not be reached (server down, wrong
    credentials, a file that cannot be opened); a later attempt may succeed."""

    temporary = True


class AlreadyRunning(LoglinesError):
    """A program of which one copy may run (the tailer of one checkpoint) is
    running already; the text names the holder."""


class InstanceMismatch(LoglinesError):
    """The Redis and prefix are another instance's, or Redis lost this
    instance's data; workers must not carry on as if nothing happened."""


class PluginError(LoglinesError):
    """A plugin could not be loaded or does not follow the contract."""


class DeliveryError(LoglinesError):
    """An event could not be delivered to the tracker.

    ``temporary`` tells whether a retry may succeed (5xx, 429, 408, timeout,
    connection error) or not (other 4xx).
    """

    def __init__(self, message, temporary):
        super().__init__(message)
        self.temporary = temporary


class NotifyError(LoglinesError):
    """A notification could not be sent; rq retries the job."""

    temporary = True


class BadItem(LoglinesError):
    """This queue item can never become an event; the message says why."""


class RetryItem(BadItem):
    """This queue item cannot be evaluated now; a later attempt may succeed."""

    temporary = True


class Stopped(LoglinesError):
    """A wait (for Redis to come back) ended because the process was asked to stop."""


class MalformedMessage(BadItem, ValueError):
    """A queue item is not a loglines message (not UTF-8, not JSON, or no
    ``logline`` text); such an item can never be handled, so it is
    dead-lettered with this text. ``kind`` names the reason for counters."""

    def __init__(self, message, kind):
        super().__init__(message)
        self.kind = kind
