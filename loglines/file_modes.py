"""Who may read what loglines writes. Log lines, dead letters, the AOF and
the logged usage hold IP addresses (personal data) and var/ holds secrets:
they are for the instance's account and its group, never for every local
user. Every loglines process, and every program supervisord starts, runs
under UMASK; folders made before it was set lose their bits for others."""

import contextlib
import os
import stat

UMASK = 0o027


def restrict_umask():
    """Add UMASK's bits to this process's umask (a stricter one stays)."""
    os.umask(os.umask(UMASK) | UMASK)


def close_to_others(folder):
    """Take read, write and search away from users outside the group of a
    folder this account owns; a folder owned by someone else is left as it is."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        st = os.stat(folder)
        if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & 0o007:
            os.chmod(folder, stat.S_IMODE(st.st_mode) & ~0o007)
