"""The bookkeeping of one shipping section, in Redis beside its queue:
what was gathered and not shipped yet, what was shipped when, and for
each collector the time up to which everything it gathered has arrived.

Keys (``{prefix}:ship:{section}:...``): ``packages`` (name -> record of a
package waiting to be shipped), ``outstanding`` (interval -> packages of
it not shipped yet), ``done:{key}`` (intervals shipped past a gap),
``last`` (collector -> seconds), ``shipped`` (name -> answer),
``history`` (the latest answers, newest first), ``unqueued`` (recorded
packages whose ship job may not be queued yet), ``reports`` (name ->
the report id a PUT target gave), ``rejected`` (name -> status and body of
a permanent refusal), ``lock`` (the gatherer's).
"""

from __future__ import annotations

import json
import secrets
import time
from functools import cache
from pathlib import Path

from ..errors import LoglinesError
from ..redis_connection import translated_errors

LUA = Path(__file__).with_name("lua")
HISTORY = 1000
LOCK_MS = 600_000  # renewed while gathering; a gatherer killed frees it this much later


@cache
def _source(name):
    return (LUA / f"{name}.lua").read_text()


class Locked(LoglinesError):
    """Another gatherer of this section holds the lock."""


class Book:
    def __init__(self, client, prefix, section):
        self.client = client
        self.base = "{" + prefix + "}" + f":ship:{section}:"
        self._scripts = {n: client.register_script(_source(n))
                         for n in ("recorded", "shipped", "unlock", "extend")}

    def key(self, name):
        return self.base + name

    def _run(self, script, keys, args):
        with translated_errors():
            return self._scripts[script](keys=[self.key(k) for k in keys], args=args)

    # -- gathering

    def last(self) -> dict:
        with translated_errors():
            raw = self.client.hgetall(self.key("last"))
        return {k.decode(): int(v) for k, v in raw.items()}

    def busy(self, collector_key) -> set:
        """The intervals of a collector gathered and not yet counted in its last:
        waiting to be shipped, or shipped past a gap."""
        with translated_errors():
            waiting = self.client.hkeys(self.key("outstanding"))
            done = self.client.zrange(self.key(f"done:{collector_key}"), 0, -1)
        prefix = f"{collector_key}|"
        return {e.decode() for e in waiting if e.decode().startswith(prefix)} | \
            {e.decode() for e in done}

    def record(self, packages, starts):
        """``packages``: (name, record dict, entries); ``starts``: {key: since}."""
        payload = json.dumps([{"name": n, "record": json.dumps(r, sort_keys=True),
                               "entries": list(e)} for n, r, e in packages])
        return self._run("recorded", ("packages", "outstanding", "last", "unqueued", "shipped"),
                         [payload, json.dumps(starts)])

    def unqueued(self) -> list:
        with translated_errors():
            return sorted(n.decode() for n in self.client.smembers(self.key("unqueued")))

    def mark_queued(self, names):
        if names:
            with translated_errors():
                self.client.srem(self.key("unqueued"), *names)

    # -- shipping

    def package(self, name) -> dict | None:
        with translated_errors():
            raw = self.client.hget(self.key("packages"), name)
        return None if raw is None else json.loads(raw)

    def waiting(self) -> dict:
        with translated_errors():
            raw = self.client.hgetall(self.key("packages"))
        return {k.decode(): json.loads(v) for k, v in sorted(raw.items())}

    def was_shipped(self, name) -> dict | None:
        with translated_errors():
            raw = self.client.hget(self.key("shipped"), name)
        return None if raw is None else json.loads(raw)

    def shipped(self, name, answer) -> bool:
        """Record the package as arrived (once); True when recorded now."""
        return bool(self._run("shipped", ("packages", "outstanding", "last", "shipped",
                                          "history", "unqueued"),
                              [name, json.dumps(answer, sort_keys=True), self.key("done:"),
                               HISTORY]))

    def history(self, limit=20) -> list:
        with translated_errors():
            raw = self.client.lrange(self.key("history"), 0, limit - 1)
        return [json.loads(r) for r in raw]

    def rejected(self, name, status, body):
        with translated_errors():
            self.client.hset(self.key("rejected"), name, json.dumps(
                {"at": int(time.time()), "status": status, "body": body}))

    def rejections(self) -> dict:
        with translated_errors():
            raw = self.client.hgetall(self.key("rejected"))
        return {k.decode(): json.loads(v) for k, v in sorted(raw.items())}

    def report_id(self, name) -> str | None:
        with translated_errors():
            raw = self.client.hget(self.key("reports"), name)
        return None if raw is None else raw.decode()

    def set_report_id(self, name, report_id):
        with translated_errors():
            self.client.hset(self.key("reports"), name, report_id)

    # -- the gatherer's lock

    def lock(self) -> str:
        """Take the lock or raise Locked; returns the token to renew and release it with."""
        token = f"{secrets.token_hex(8)} {int(time.time())}"
        with translated_errors():
            if self.client.set(self.key("lock"), token, nx=True, px=LOCK_MS):
                return token
            holder = self.client.get(self.key("lock"))
        taken = holder.decode().split()[-1] if holder else ""
        since = time.strftime(" since %Y-%m-%d %H:%M:%SZ", time.gmtime(int(taken))) \
            if taken.isdigit() else ""
        raise Locked(f"another gatherer of this section is running{since}; try again when "
                     "it is done (a killed one's lock lapses after "
                     f"{LOCK_MS // 60000} minutes)")

    def extend(self, token):
        return bool(self._run("extend", ("lock",), [token, LOCK_MS]))

    def unlock(self, token):
        return bool(self._run("unlock", ("lock",), [token]))
