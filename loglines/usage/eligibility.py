"""Which hits COUNTER counts at all, before looking at what was requested.

Each exclusion has a short, stable reason string, so that the worker can
count them (``status_206``, ``method_HEAD``, ``robot``, ...); a reason is
never free text from the line, which would make the counts unbounded.
"""

import re

# 200 OK and 304 Not Modified (the client already had the file): counted.
# 206 is a piece of a file (a PDF viewer fetches dozens), never an event.
COUNTED_STATUS = frozenset({200, 304})
_KNOWN_METHOD = re.compile(r"[A-Z]{3,10}")


def request_exclusion(method, status):
    """``method_<M>`` for anything but GET (a HEAD transferred nothing),
    ``status_<NNN>`` for anything but 200/304, else None."""
    if method != "GET":
        if not method:
            return "bad_request_line"
        return f"method_{method}" if _KNOWN_METHOD.fullmatch(method) else "method_other"
    if status not in COUNTED_STATUS:
        return f"status_{status}"
    return None


def exclusion(method, status, user_agent, ip, robots):
    """The first reason this hit is not an event, or None when it may be one;
    the cheap checks first, the robot list (cached per user agent) last."""
    return request_exclusion(method, status) or robots.exclusion(user_agent, ip)
