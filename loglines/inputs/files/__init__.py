"""Following log files and cutting them into lines, with checkpoints.

The tailers never talk to Redis. A worker drives them in a loop::

    batch = tailer.read(max_lines=1000)   # Batch, or None: never blocks
    if batch is None:
        tailer.wait(1.0)                  # returns early when data arrives
    else:
        push(batch)                       # lines; batch.rejects are dead-lettered
        tailer.commit(batch)              # checkpoint, once Redis accepted them

- ``FileTailer`` follows one path across rename and copytruncate rotations
  (``file_tailer``).
- ``GlobTailer`` follows every file matching a pattern, each with its own
  ``FileTailer`` and state file (``glob_tailer``).
- ``Line``, ``Block``, ``Rejected`` and the line cutting rules are in ``lines``;
  ``Batch`` in ``batch``; the state file in ``checkpoint``.
"""

from loglines.inputs.files.batch import Batch
from loglines.inputs.files.errors import TailError
from loglines.inputs.files.file_tailer import FileTailer
from loglines.inputs.files.glob_tailer import GlobTailer
from loglines.inputs.files.lines import INCOMPLETE_LINE, LINE_TOO_LONG, Block, Line, Rejected

__all__ = [
    "INCOMPLETE_LINE",
    "LINE_TOO_LONG",
    "Batch",
    "Block",
    "FileTailer",
    "GlobTailer",
    "Line",
    "Rejected",
    "TailError",
]
