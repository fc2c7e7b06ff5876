"""Reading a queue from a test."""

import json


def drain(queue, decode=True):
    """Every message of ``queue``, fetched, decoded (unless ``decode`` is
    false: the payloads' bytes) and acknowledged, in order."""
    got = []
    while items := queue.fetch("reader", 1000).items:
        got += [json.loads(i.payload) if decode else i.payload for i in items]
        queue.ack("reader", [i.id for i in items])
    return got
