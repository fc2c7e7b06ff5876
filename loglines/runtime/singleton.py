"""One copy of a program at a time: a lock held for the life of the process.

Two tailers on one checkpoint push every line twice (seen after supervisord
was killed and started again while its workers lived on). The lock is an
``flock`` on a file beside what it guards: the kernel drops it when the
holder dies, however it dies, so a stale lock cannot keep anyone out. The
file names the holder, for the message of the one refused.
"""

import fcntl
import os
import socket

from ..errors import AlreadyRunning


class Singleton:
    def __init__(self, path, what):
        self.path = os.fspath(path)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(self.fd)
            raise AlreadyRunning(f"{what} is running already ({holder}; lock {self.path}): "
                                 "a second copy would push every line twice; stop the other "
                                 "one first") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)

    def release(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
