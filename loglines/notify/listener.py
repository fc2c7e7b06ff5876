"""The supervisord event listener: speaks supervisord's protocol on stdin
and stdout (so nothing else may ever be written to stdout; logs go to
stderr) and turns FATAL and unexpected exits into notifications.

Protocol: write ``READY\\n``; read a header line of ``key:value`` tokens;
read ``len`` bytes of payload; write ``RESULT 2\\nOK``; repeat.
"""

import logging

log = logging.getLogger("loglines.notify.listener")


def tokens(text):
    """``a:1 b:2`` as a dict (supervisord's header and payload format)."""
    return dict(word.split(":", 1) for word in text.split() if ":" in word)


def read_event(stdin):
    """(headers, payload) from a binary stream, or None at end of input."""
    line = stdin.readline()
    if not line:
        return None
    headers = tokens(line.decode("utf-8", "replace"))
    payload = stdin.read(int(headers.get("len", 0)))
    return headers, payload.decode("utf-8", "replace")


def serve(stdin, stdout, handle):
    """The protocol loop; ``handle(headers, payload)`` acts on one event.

    Every event is answered OK, even when handling failed: a FAIL makes
    supervisord send the same event again, which would fail again.
    """
    while True:
        stdout.write(b"READY\n")
        stdout.flush()
        event = read_event(stdin)
        if event is None:
            return
        try:
            handle(*event)
        except Exception:
            log.exception("handling %s failed", event[0].get("eventname"))
        stdout.write(b"RESULT 2\nOK")
        stdout.flush()


class Handler:
    """What each event means: a notification, a backlog check, or nothing."""

    def __init__(self, notify, backlog=None):
        self.notify = notify
        self.backlog = backlog

    def __call__(self, headers, payload):
        name = headers.get("eventname", "")
        fields = tokens(payload.split("\n", 1)[0])
        process = fields.get("processname")
        state = f"from {fields.get('from_state', '?')}"
        if name == "PROCESS_STATE_FATAL":
            self.notify("process_fatal", process=process, group=fields.get("groupname"),
                        error=f"gave up restarting it ({state})")
        elif name == "PROCESS_STATE_EXITED" and fields.get("expected") == "0":
            # expected:1 is an exit code listed in exitcodes: a normal stop.
            self.notify("process_exited", process=process, group=fields.get("groupname"),
                        error=f"exited with an unexpected status ({state}, "
                              f"pid {fields.get('pid', '?')})")
        elif name.startswith("TICK_") and self.backlog is not None:
            self.backlog.check()
