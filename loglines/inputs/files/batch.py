"""What one ``read`` returns, and what ``commit`` needs to checkpoint it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loglines.inputs.files.checkpoint import Checkpoint
    from loglines.inputs.files.lines import Block, Line, Rejected


@dataclass(frozen=True)
class Mark:
    """Where one file tailer stood just after its part of a batch.

    ``owner`` is that tailer; ``seq`` orders its batches so that committing
    an older batch after a newer one never moves the checkpoint back.
    """

    owner: Any
    seq: int
    checkpoint: Checkpoint


@dataclass(frozen=True)
class Batch:
    """Lines read in one call, in file order per file.

    ``blocks`` holds the lines (see ``Block``); ``lines`` is the same as
    ``Line`` items. ``rejects`` lists the lines that were not handed out,
    each with its reason, path, offset and a bounded prefix: the worker
    dead-letters or counts them. ``size`` is the bytes of file the batch
    covers (lines and rejects). ``marks`` is for ``commit``; one per file
    the batch read from.
    """

    blocks: list[Block]
    rejects: list[Rejected] = field(default_factory=list)
    marks: tuple[Mark, ...] = ()

    @cached_property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines()]

    @property
    def line_count(self) -> int:
        return sum(len(block.raws) for block in self.blocks)

    @property
    def rejected(self) -> dict[str, int]:
        """Number of rejected lines by reason, e.g. ``{"line_too_long": 1}``."""
        return dict(Counter(reject.reason for reject in self.rejects))

    @property
    def size(self) -> int:
        return sum(block.size for block in self.blocks) + sum(r.size for r in self.rejects)

    def __len__(self) -> int:
        """Lines and rejects in the batch."""
        return self.line_count + len(self.rejects)

    @classmethod
    def merge(cls, batches: list[Batch]) -> Batch:
        """One batch holding the parts of several (of different files)."""
        return cls(
            blocks=[block for batch in batches for block in batch.blocks],
            rejects=[reject for batch in batches for reject in batch.rejects],
            marks=tuple(mark for batch in batches for mark in batch.marks),
        )
