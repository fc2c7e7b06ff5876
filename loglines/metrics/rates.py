"""Per-second rates of counters over the last minute.

``Counters.flush`` adds each count also to a hash per 10-second bucket that
expires after a few minutes, in the same pipeline as the totals: a reader
gets a rate from one read of a few small hashes, even on a one-shot
``loglines status``, with no sampling process running.
"""

import time

BUCKET_SECONDS = 10
TTL_SECONDS = 180  # longer than the window, so a bucket outlives its reader
WINDOW_SECONDS = 60


def bucket_of(now):
    return int(now // BUCKET_SECONDS)


def add_to_buckets(pipe, keyspace, section, counts, now=None):
    """Queue on ``pipe`` the HINCRBYs of ``counts`` into the current bucket.

    The worker's wall clock picks the bucket; hosts are assumed to be in
    NTP sync, a second of skew only blurs a 60-second average.
    """
    key = keyspace.rate(section, bucket_of(time.time() if now is None else now))
    for name, n in counts.items():
        pipe.hincrby(key, name, n)
    pipe.expire(key, TTL_SECONDS)


def rates(client, keyspace, section, now=None, window=WINDOW_SECONDS):
    """{counter name: per second} over the last ``window`` seconds.

    The current bucket is partial, so the divisor is the whole buckets of
    the window plus the elapsed part of the current one.
    """
    now = time.time() if now is None else now
    current = bucket_of(now)
    first = current - window // BUCKET_SECONDS
    pipe = client.pipeline(transaction=False)
    for b in range(first, current + 1):
        pipe.hgetall(keyspace.rate(section, b))
    totals = {}
    for bucket in pipe.execute():
        for name, n in bucket.items():
            totals[name.decode()] = totals.get(name.decode(), 0) + int(n)
    seconds = (current - first) * BUCKET_SECONDS + (now - current * BUCKET_SECONDS)
    return {name: n / max(seconds, 1.0) for name, n in totals.items()}
