"""What the HTTP ingest endpoint does with a request, apart from HTTP itself.

Each request becomes one push: a body of lines is queued whole or not at
all, because the queue refuses a push into a full queue whole. A full
queue or a Redis outage is answered 503 with Retry-After, so the client
keeps its lines and sends them again; nothing is half-queued or dropped.
"""

import base64
import binascii
import hmac
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from ... import message
from ...errors import LoglinesError, QueueUnavailable
from ...records import item
from . import bulk, records

RETRY_AFTER_FULL = 2  # seconds: a full queue drains at the consumers' pace
RETRY_AFTER_DOWN = 5  # seconds: a Redis restart takes a few


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)
    counter: str | None = None  # what to count when this is the answer


def error(status, text, counter=None, **headers):
    return Answer(status, {"error": text}, {k.replace("_", "-"): str(v)
                                            for k, v in headers.items()}, counter)


UNAUTHORIZED = error(401, "authentication required", "rejected_auth",
                     WWW_Authenticate='Basic realm="loglines", charset="UTF-8"')


class Credentials:
    """HTTP Basic credentials, compared in constant time."""

    def __init__(self, username, password):
        self.username = username.encode("utf-8")
        self.password = password.encode("utf-8")

    def check(self, header):
        scheme, _, token = (header or "").strip().partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, sep, password = base64.b64decode(token.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        # Both compared every time, so the time taken tells nothing about which differed.
        user_ok = hmac.compare_digest(user, self.username)
        password_ok = hmac.compare_digest(password, self.password)
        return bool(sep) and user_ok and password_ok


class LineTooLong(LoglinesError, ValueError):
    """A line over max_line_size: the whole request is refused."""


def split_lines(body, max_line_size):
    """The non-blank lines of ``body`` (bytes, "\\n" or "\\r\\n" separated).

    Invalid UTF-8 is kept, each bad byte replaced by U+FFFD, as the tailer does.
    """
    raw = body.split(b"\n")
    if raw[-1] == b"":
        raw.pop()
    lines = []
    for number, line in enumerate(raw, 1):
        line = line.removesuffix(b"\r")
        if len(line) > max_line_size:
            raise LineTooLong(f"line {number} is {len(line)} bytes, over max_line_size "
                              f"({max_line_size}); nothing was queued")
        if line.strip():
            lines.append(line.decode("utf-8", "replace"))
    return lines


class Ingest:
    """Turns request bodies into queue messages and pushes them.

    ``push(messages)`` is the queue's push: it returns a PushResult and
    raises QueueUnavailable when Redis cannot be reached. Called from the
    server's threads at once, so counts are kept under a lock.
    """

    def __init__(self, service, push, credentials, max_line_size, log=None, clock=time.time,
                 records_push=None):
        self.service = service
        self.push = push
        # The records queue's push, when records are kept (docs/design.md, Log records).
        self.records_push = records_push
        self.credentials = credentials
        self.max_line_size = max_line_size
        self.log = log or logging.getLogger(__name__)
        self.clock = clock
        self._lock = threading.Lock()
        self._counts = Counter()
        self._trouble = None  # "full" or "down" while pushes are refused, to log changes once

    def count(self, name, n=1):
        with self._lock:
            self._counts[name] += n

    def take_counts(self):
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def record(self, body, client, content_type=None):
        """POST /api/v1/record: a form-encoded logging record (HTTPHandler's),
        a JSON record, or a bulk body (a JSON array, NDJSON) of them."""
        body_kind = bulk.kind(content_type)
        try:
            is_bulk, entries = bulk.read(body, body_kind, self.max_line_size)
        except records.MalformedRecord as err:
            return error(400, str(err), "malformed")
        received = round(self.clock(), 6)
        answers, kept, usage = [], [], []
        for entry in entries:
            answer, stored = self._one(entry, client, received, body_kind == bulk.FORM)
            answers.append(answer)
            if stored is not None:
                kept.append(item.encode(stored))
                # A form's message as it always went; JSON may carry what the
                # queue cannot (a lone surrogate), cleaned in the record.
                text = entry.message if body_kind == bulk.FORM else stored["message"]
                usage.append(self._message(text, client, logger=entry.logger,
                                           level=entry.level, id=stored["id"]))
        if not is_bulk:
            if not kept:
                return error(400, answers[0]["error"], "malformed")
            return self._push_records(kept, usage, Answer(201, {"id": answers[0]["id"]}))
        if len(kept) < len(answers):
            self.count("malformed", len(answers) - len(kept))
        status = 201 if len(kept) == len(answers) else 207 if kept else 400
        answer = Answer(status, {"accepted": len(kept), "records": answers})
        return self._push_records(kept, usage, answer) if kept else answer

    def _one(self, entry, client, received, from_text):
        """(the answer for one record, the record to keep or None)."""
        if isinstance(entry, records.MalformedRecord):
            return {"status": 400, "error": str(entry)}, None
        if len(entry.message.encode("utf-8", "replace")) > self.max_line_size:
            return {"status": 400, "error": f"the message is over max_line_size "
                    f"({self.max_line_size} bytes)"}, None
        try:
            stored = item.build(entry.fields, entry.message, received, from_text=from_text)
        except item.BadRecord as err:
            return {"status": 400, "error": str(err)}, None
        return {"status": 201, "id": stored["id"]}, stored

    def _push_records(self, kept, usage, answer):
        """The records queue first: a client told 503 sends again, and the
        records worker keeps a record once whatever it is sent as."""
        if self.records_push is not None:
            refused = self._push(kept, None, None, 0, push=self.records_push)
            if refused is not None:
                return refused
        return self._push(usage, answer, "records", len(usage))

    def lines(self, body, client):
        """POST /api/v1/lines: raw log lines, queued all or none."""
        try:
            lines = split_lines(body, self.max_line_size)
        except LineTooLong as err:
            return error(400, str(err), "malformed")
        if not lines:
            return Answer(202, {"queued": 0})
        messages = [self._message(line, client) for line in lines]
        return self._push(messages, Answer(202, {"queued": len(lines)}), "lines", len(lines))

    def _message(self, line, client, **extra):
        return message.encode(self.service, line, source=f"http:{client}",
                              received=round(self.clock(), 6), **extra)

    def _push(self, messages, answer, counter, n, push=None):
        try:
            result = (push or self.push)(messages)
        except QueueUnavailable as err:
            self._trouble_is("down", "Redis is unavailable (%s): answering 503", err)
            return error(503, "the queue is unavailable; try again later", "queue_down",
                         Retry_After=RETRY_AFTER_DOWN)
        if not result.accepted:
            self._trouble_is("full", "the queue is at its cap (%d items): answering 503",
                             result.depth)
            return error(503, "the queue is full; try again later", "queue_full",
                         Retry_After=RETRY_AFTER_FULL)
        self._trouble_is(None, "the queue takes lines again")
        if counter:
            self.count(counter, n)
        return answer

    def _trouble_is(self, state, text, *args):
        """Log a change of state once, not once per request."""
        with self._lock:
            changed, self._trouble = state != self._trouble, state
        if changed:
            (self.log.warning if state else self.log.info)(text, *args)
