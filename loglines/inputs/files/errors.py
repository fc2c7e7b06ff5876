"""The tailing package's one error, raised where file-system errors enter it."""

from loglines.errors import LoglinesError


class TailError(LoglinesError):
    """A log or state file could not be opened, read or written.

    The original ``OSError`` (or ``ValueError`` for a corrupt state file) is
    chained as ``__cause__``. A log file that does not exist is never an
    error: the tailer waits for it to appear.
    """
