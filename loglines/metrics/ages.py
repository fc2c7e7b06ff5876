"""The age of the oldest ready item of a queue, from increasing ids.

Ids come from one counter shared by all queues, so one sorted set maps
"the first id of a push" to "when it was pushed" (Redis clock) for every
queue. A push notes itself at most once a second per queue (the
``push_dates.PushDates`` observer every store gets): the age of an item is
then that of the nearest note at or before its id, at most a second too old,
for one small script call per second per producer.
"""

from ..errors import QueueRefused
from ..redis_connection import translated_errors


def push_time_ms(client, keyspace, item_id):
    """When ``item_id`` was pushed (ms), or None when nothing is noted."""
    key = keyspace.id_times
    found = client.zrevrangebyscore(key, item_id, "-inf", start=0, num=1, withscores=True)
    if not found:  # trimmed, or noted with a later first id: the oldest note is a lower bound
        found = client.zrange(key, 0, 0, withscores=True)
    return int(found[0][0]) if found else None


def oldest_ages(client, keyspace, names, now_ms):
    """{queue: seconds since its oldest ready item was pushed, None when empty}."""
    with translated_errors():
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.lindex(keyspace.queue(name).ready, -1)
        tails = dict(zip(names, pipe.execute(), strict=True))
        ages = {}
        for name, tail in tails.items():
            pushed = None if tail is None else push_time_ms(client, keyspace, int(tail))
            ages[name] = None if pushed is None else max(0.0, (now_ms - pushed) / 1000.0)
    try:
        with translated_errors():
            trim(client, keyspace, [int(t) for t in tails.values() if t is not None])
    except QueueRefused:
        pass  # housekeeping only: a Redis refusing writes still answers status
    return ages


def trim(client, keyspace, live_ids):
    """Forget notes below the one that dates the smallest ready id.

    Only ready tails are ever dated, so older notes serve nobody (an item
    given back later, with an older id, is dated by the oldest note left).
    """
    if not live_ids:
        return
    key = keyspace.id_times
    keep = client.zrevrangebyscore(key, min(live_ids), "-inf", start=0, num=1, withscores=True)
    if keep:
        client.zremrangebyscore(key, "-inf", f"({keep[0][1]}")
