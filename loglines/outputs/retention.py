"""How long a file of logged usage is kept: its lines hold IP addresses.

With a retention, the file is rolled over when the first batch of a new
day (UTC) comes: ``articles.log`` becomes ``articles.log.2026-11-30`` (the
day of its last line) and a new one is begun. Then every sibling
``articles.log.*`` (ours, or logrotate's ``.1`` and ``.2.gz``) last written
longer ago than the retention is removed: each line in it is older still.
"""

import contextlib
import datetime
import glob
import os
import time

DAY = 86400


class Retention:
    def __init__(self, path, days, clock=time.time):
        self.path = path
        self.days = days
        self.clock = clock

    def due(self, fd):
        """Whether the open file ``fd`` (at ``path``) holds lines of an
        earlier day than today, so must be rolled over before this write."""
        if not self.days:
            return False
        st = os.fstat(fd)
        try:
            at_path = os.path.samestat(st, os.stat(self.path))
        except FileNotFoundError:
            return False
        return at_path and st.st_size > 0 and _day(st.st_mtime) < _day(self.clock())

    def roll_over(self, fd):
        """Rename the file to its day's name; the caller opens a new one."""
        day = _day(os.fstat(fd).st_mtime).isoformat()
        target = self.path.with_name(f"{self.path.name}.{day}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.{day}.{n}")
            n += 1
        os.rename(self.path, target)
        return target

    def remove_expired(self):
        """Remove the rolled-over files last written before the retention."""
        if not self.days:
            return []
        cutoff = self.clock() - self.days * DAY
        removed = []
        for old in glob.glob(glob.escape(str(self.path)) + ".*"):
            with contextlib.suppress(FileNotFoundError):
                if os.path.isfile(old) and os.stat(old).st_mtime < cutoff:
                    os.unlink(old)
                    removed.append(old)
        return removed


def _day(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).date()
