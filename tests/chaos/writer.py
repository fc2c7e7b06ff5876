"""Writes the chaos workload into the watched log at a steady rate, and
rotates the log while it does: rename+create and copytruncate in turn."""

import os
import shutil
import time

from loglines.inputs.files.checkpoint import load_checkpoint
from loglines.inputs.files.glob_tailer import state_file_name


class Writer:
    def __init__(self, instance, lines, duration, rotations):
        self.instance = instance
        self.lines = lines
        self.duration = duration
        self.rotate_at = {len(lines) * (k + 1) // (rotations + 1): k for k in range(rotations)}
        self.rotations = 0
        self.state = (instance.home / "var/tail/logger_logfilewatcher" /
                      state_file_name(instance.log))

    def run(self):
        start = time.monotonic()
        chunk = max(1, len(self.lines) // max(1, int(self.duration * 20)))
        for first in range(0, len(self.lines), chunk):
            for k in (k for i, k in self.rotate_at.items() if first <= i < first + chunk):
                self.rotate(k)
            with open(self.instance.log, "ab") as handle:
                handle.write(b"".join(line + b"\n" for line in self.lines[first:first + chunk]))
            ahead = start + self.duration * (first + chunk) / len(self.lines) - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)

    def rotate(self, k):
        log = self.instance.log
        if k % 2 == 0:
            os.rename(log, log.with_name(f"access.log.{k}"))
        else:
            # copytruncate loses what the tailer had not read when the copy
            # was made (logrotate's own race); like a careful logrotate
            # run, wait until the tailer has caught up.
            self.wait_caught_up(timeout=300)
            shutil.copyfile(log, log.with_name(f"access.log.{k}"))
            with open(log, "r+b") as handle:
                handle.truncate(0)
        self.rotations += 1

    def wait_caught_up(self, timeout):
        deadline = time.monotonic() + timeout
        stat = os.stat(self.instance.log)
        while time.monotonic() < deadline:
            checkpoint = load_checkpoint(str(self.state))
            if checkpoint and checkpoint.inode == stat.st_ino and \
                    checkpoint.offset >= stat.st_size:
                return True
            time.sleep(0.1)
        return False
