"""The Redis key layout of one deployment.

Every key starts with ``{prefix}:``; the braces are a Redis Cluster hash tag,
so all keys of a deployment live in one slot and every multi-key script is
legal on a cluster. Per queue NAME:

    {p}:q:NAME:ready     LIST   ids waiting, pushed left, fetched right
    {p}:q:NAME:items     HASH   id -> payload (bytes, as the producer sent them)
    {p}:q:NAME:attempts  HASH   id -> fetches ended without an ack (see below)
    {p}:q:NAME:errors    HASH   id -> last error text
    {p}:q:NAME:inflight  HASH   id -> consumer id holding it
    {p}:q:NAME:delayed   ZSET   id -> due time (ms)
    {p}:q:NAME:dead      ZSET   id -> time it was dead-lettered (ms)
    {p}:q:NAME:signal    LIST   at most one token; consumers block on it

An id is in exactly one of ready, inflight, delayed and dead; its payload,
attempts and error live beside it until it is acknowledged or purged. An
in-flight id's current fetch is counted by its inflight entry, and moves to
attempts when that fetch fails or its consumer is presumed dead, so that a
fetch writes one hash per item and attempts stays empty while nothing fails.
Deployment-wide:

    {p}:seq              STRING id counter shared by all queues
    {p}:queues           SET    names of the queues ever pushed to
    {p}:consumers        ZSET   consumer id -> last heartbeat (ms, Redis clock)
    {p}:consumer-info    HASH   consumer id -> JSON (host, pid, section, queues)
    {p}:recovery-lock    STRING held by the one process running a recovery pass
    {p}:instance         HASH   id, generation, created: whose queues these are
    {p}:counts:SECTION   HASH   counter name -> total, per configured program
    {p}:positions        HASH   producer's input -> how far Redis has it (JSON)

Written beside the queues for ``loglines status`` and the Prometheus
endpoint (loglines.metrics), and for the notifications (loglines.notify):

    {p}:id-times                ZSET    first id of a push -> push time (ms, Redis clock)
    {p}:rate:SECTION:BUCKET     HASH    counter name -> count in that 10 s bucket (TTL)
    {p}:hist:SECTION:NAME       HASH    histogram bucket -> observations, sum, count
    {p}:lag:SECTION             HASH    tailed file -> bytes not yet checkpointed
    {p}:notify:sent:KIND        STRING  set while a notification of KIND holds its interval
    {p}:notify:suppressed:KIND  STRING  notifications of KIND held back in that interval

Every key of ours is built here, so this table is the whole layout (the
notification jobs themselves are rq's, under rq's own ``rq:`` keys).
"""

import re
from dataclasses import dataclass

NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


def valid_name(name):
    """Queue names and prefixes become parts of keys: no ``:``, braces or blanks."""
    return bool(NAME_RE.match(name))


@dataclass(frozen=True)
class QueueKeys:
    ready: str
    items: str
    attempts: str
    errors: str
    inflight: str
    delayed: str
    dead: str
    signal: str


@dataclass(frozen=True)
class Keyspace:
    prefix: str

    def __post_init__(self):
        if not valid_name(self.prefix):
            raise ValueError(f"invalid key prefix {self.prefix!r}")

    @property
    def base(self):
        return "{" + self.prefix + "}"

    @property
    def seq(self):
        return f"{self.base}:seq"

    @property
    def queues(self):
        return f"{self.base}:queues"

    @property
    def consumers(self):
        return f"{self.base}:consumers"

    @property
    def consumer_info(self):
        return f"{self.base}:consumer-info"

    @property
    def recovery_lock(self):
        return f"{self.base}:recovery-lock"

    @property
    def instance(self):
        return f"{self.base}:instance"

    @property
    def positions(self):
        return f"{self.base}:positions"

    def counts(self, section):
        return f"{self.base}:counts:{section}"

    @property
    def id_times(self):
        return f"{self.base}:id-times"

    def rate(self, section, bucket):
        return f"{self.base}:rate:{section}:{bucket}"

    def hist(self, section, name):
        return f"{self.base}:hist:{section}:{name}"

    def lag(self, section):
        return f"{self.base}:lag:{section}"

    def notify_sent(self, kind):
        return f"{self.base}:notify:sent:{kind}"

    def notify_suppressed(self, kind):
        return f"{self.base}:notify:suppressed:{kind}"

    def queue(self, name):
        if not valid_name(name):
            raise ValueError(f"invalid queue name {name!r}")
        q = f"{self.base}:q:{name}"
        return QueueKeys(
            ready=f"{q}:ready",
            items=f"{q}:items",
            attempts=f"{q}:attempts",
            errors=f"{q}:errors",
            inflight=f"{q}:inflight",
            delayed=f"{q}:delayed",
            dead=f"{q}:dead",
            signal=f"{q}:signal",
        )
