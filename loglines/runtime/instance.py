"""Whose queues these are: an instance marker in Redis and beside the
instance's own state.

Two failures look like nothing from inside a worker. A Redis that comes back
without its data (restarted without AOF, a wiped data folder, a failover to
an empty replica) silently drops what was queued and waiting for a retry;
a second instance on the same Redis and prefix (a copied loglines.cfg)
delivers the first one's events under its own settings. So Redis holds
``{p}:instance`` (an id, a generation, when it was made), and the instance
folder holds ``var/instance.json`` (the same id, and the generation it last
saw). At start a worker compares the two:

- both agree: go on;
- neither exists: a new instance; make both;
- the folder has the id but Redis has no marker although the folder saw
  one: Redis lost its data: refuse, loudly, until an operator has replayed
  what was lost and accepted the empty Redis (``loglines instance
  --accept-empty-redis``);
- Redis has another id, or has one and the folder has none: another
  instance's queues: refuse with one line. Several hosts of one instance
  share one id: copy ``var/instance.json`` to each.
"""

import json
import os
import secrets
import time
from pathlib import Path

from ..atomic import write_atomic
from ..errors import InstanceMismatch, LoglinesError
from ..redis_connection import translated_errors

LOCAL = Path("var") / "instance.json"


def local_path(config):
    return config.instance_dir / LOCAL


def read_local(config):
    path = local_path(config)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise LoglinesError(f"cannot read {path}: {err}") from err


def write_local(config, record):
    write_atomic(local_path(config), json.dumps(record, sort_keys=True) + "\n")


def read_marker(store):
    with translated_errors():
        raw = store.client.hgetall(store.keyspace.instance)
    return {k.decode(): v.decode() for k, v in raw.items()} or None


def _where(config, store):
    return f"{config.path}: [queues] prefix {config.queues.prefix!r}"


def claim_local(config):
    """The folder's record, made now with a new id if there is none. Made
    by a hard link of a complete file, which fails if another process of
    this instance made it first: every process of a fresh instance then
    takes the one id."""
    path = local_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    write_atomic(tmp, json.dumps({"id": secrets.token_hex(8), "generation": 0}) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return read_local(config)


def _refusal(local, marker):
    """Why a worker must not run on this folder's record and Redis' marker,
    or None; the case of neither (a new instance) is not a refusal."""
    if marker is None:
        if local is None or not local.get("generation"):
            return None
        return (f"Redis has none of this instance's data (no instance marker; this folder "
                f"last saw generation {local['generation']}): Redis lost this instance's data "
                "(restarted without AOF, a wiped folder, an empty replica). Queued and "
                "retrying events may be lost: replay them (README, 'When Redis lost its "
                "data'), then run `loglines instance --accept-empty-redis`")
    if local is None or local.get("id") != marker.get("id"):
        return (f"these queues belong to another loglines instance (id {marker.get('id')}, "
                f"this folder's: {(local or {}).get('id', 'none yet')}); give this instance "
                f"a prefix of its own, or, for one instance on several hosts, copy {LOCAL} "
                "from a host of it")
    return None


def check(config, store):
    """Compare the folder's record with Redis' marker; InstanceMismatch when
    this worker must not run. Returns the id."""
    # Redis first: this folder's record is made before its marker, so a
    # marker read here with no record read after it is another folder's.
    marker = read_marker(store)
    local = read_local(config)
    refusal = _refusal(local, marker)
    if refusal:
        raise InstanceMismatch(f"{_where(config, store)}: {refusal}")
    if marker is None:
        return _create(config, store, (local or claim_local(config))["id"])
    if str(local.get("generation")) != marker.get("generation"):
        write_local(config, dict(local, generation=int(marker["generation"])))
    return marker["id"]


def problem(config, store):
    """What ``check`` would refuse, in a sentence, without making anything
    (for ``loglines status``); None when it would not refuse, and on a host
    whose folder has no record yet."""
    local = read_local(config)
    return None if local is None else _refusal(local, read_marker(store))


def _create(config, store, instance_id, generation=1):
    """A marker in Redis (unless another process made one first) and its
    record in the folder; then the check again, which now agrees or refuses."""
    key = store.keyspace.instance
    with translated_errors():
        # One transaction: a reader sees the whole marker or none of it.
        pipe = store.client.pipeline(transaction=True)
        pipe.hsetnx(key, "id", instance_id).hsetnx(key, "generation", generation)
        pipe.hsetnx(key, "created", f"{time.time():.0f}").execute()
    marker = read_marker(store)
    if marker.get("id") == instance_id:
        write_local(config, {"id": instance_id, "generation": int(marker["generation"])})
    return check(config, store)


def accept_empty_redis(config, store):
    """After a data loss was replayed: a new marker, one generation on."""
    local = read_local(config)
    if local is None:
        raise LoglinesError(f"{local_path(config)}: no instance record here; nothing to accept")
    if read_marker(store) is not None:
        raise LoglinesError("Redis has its instance marker: there is nothing to accept")
    return _create(config, store, local["id"], int(local.get("generation") or 0) + 1)
