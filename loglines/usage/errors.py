"""Errors of the usage helpers, in the project's one hierarchy."""

from ..errors import LoglinesError


class TemporaryLookupError(LoglinesError):
    """A lookup a plugin needs (the DSpace REST API) failed for now: connection
    error, timeout, 5xx. The line may well be an event, so it must be retried
    later, never counted as "not an event"."""

    temporary = True  # what loglines.usage.item reads to retry instead of dead-lettering


class UnparseableLine(LoglinesError, ValueError):
    """A line that cannot be read. ``kind`` is short and stable, for counting
    (``truncated_line``, ``format_mismatch``, ...); ``detail`` says where."""

    def __init__(self, kind, detail):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
