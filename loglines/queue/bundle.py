"""A bundle: many payloads carried as one queue item.

The queue's cost is per item, in Redis and in the consumer's fetch and
ack; a hop whose consumer handles its items in one go (a logger's write
and fsync) costs about as much for a thousand lines in one item as for
one line. The ack script forwards the payloads it acknowledges as one
bundle when asked (``RedisQueue.ack(..., bundle=True)``), and consumers
that take bundles split them here.

Format: ``HEADER``, the number of payloads in decimal, a newline, then per
payload its length in bytes in decimal, a newline, the payload and a
newline. The lengths carry any bytes, so a payload is given back exactly
as it was pushed, whatever it holds; a message, which is JSON, never
starts with NUL, so a bundle is told from a single payload by its first
bytes. ``pack`` here and ack.lua write the same bytes (a test holds them
to that).
"""

from ..errors import QueueError

HEADER = b"\x00bundle1 "


class BadBundle(QueueError):
    """A payload that starts as a bundle but is not a whole one."""


def is_bundle(payload) -> bool:
    return payload[:len(HEADER)] == HEADER


def pack(payloads) -> bytes:
    parts = [HEADER, b"%d\n" % len(payloads)]
    for payload in payloads:
        parts += [b"%d\n" % len(payload), payload, b"\n"]
    return b"".join(parts)


def count(payload) -> int:
    """How many payloads an item carries: a bundle's count, else one."""
    if not is_bundle(payload):
        return 1
    try:
        return max(1, _number(payload, len(HEADER), "count")[0])
    except BadBundle:
        return 1


def split(payload) -> list[bytes]:
    """The payloads of a bundle; BadBundle if it is cut short or malformed."""
    pos = len(HEADER)
    size, pos = _number(payload, pos, "count")
    out = []
    for n in range(1, size + 1):
        if pos >= len(payload):
            raise BadBundle(f"cut short after {n - 1} of {size} payloads")
        length, pos = _number(payload, pos, f"length of payload {n}")
        end = pos + length
        if payload[end:end + 1] != b"\n":
            raise BadBundle(f"payload {n} of {size} is cut short")
        out.append(payload[pos:end])
        pos = end + 1
    if pos != len(payload):
        raise BadBundle(f"{len(payload) - pos} bytes after the last of {size} payloads")
    return out


def _number(payload, pos, what):
    end = payload.find(b"\n", pos, pos + 21)
    digits = payload[pos:end] if end >= 0 else b""
    if not digits.isdigit():
        raise BadBundle(f"no {what} at byte {pos}")
    return int(digits), end + 1
