"""Ending with the supervisord that started this process.

A supervisord killed with SIGKILL leaves its children running: a new one
then starts a second tailer on the same checkpoint and a second Redis on a
bound port, and after its own shutdown the orphans go on delivering. On
Linux the kernel can send a signal to a process when its parent dies
(``PR_SET_PDEATHSIG``); a program started by supervisord asks for SIGTERM,
which stops it as ``supervisorctl stop`` would: it finishes or gives back
what it holds. The setting survives ``exec``, so the embedded Redis started
through ``loglines redis`` stops too.
"""

import ctypes
import ctypes.util
import logging
import os
import signal
import sys

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1


def under_supervisord():
    """supervisord sets SUPERVISOR_ENABLED in its children's environment."""
    return bool(os.environ.get("SUPERVISOR_ENABLED"))


def end_with_parent(sig=signal.SIGTERM):
    """Ask for ``sig`` when the parent dies; True if the kernel took it.

    The parent may have died before the call: then this process was
    adopted already, and it is told ``sig`` at once.
    """
    parent = os.getppid()
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        log.warning("cannot ask to end with supervisord: %s", os.strerror(ctypes.get_errno()))
        return False
    if os.getppid() != parent or parent == 1:
        os.kill(os.getpid(), sig)
    return True
