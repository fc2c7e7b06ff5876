"""Connecting to Redis, and the one place where redis-py's errors become ours."""

from contextlib import contextmanager

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import QueueError, QueueRefused, QueueUnavailable

# Answers of a Redis that is up but cannot serve yet (loading its AOF, a
# replica during failover): the caller waits and tries again.
_TRANSIENT_REPLIES = ("LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN")
# Writes refused until memory or disk returns. Inside a script the reply
# is prefixed with where it failed, so these are searched, not matched.
_REFUSED = {"OOM command not allowed": "out of memory (maxmemory, noeviction)",
            "MISCONF": "its disk is failing (RDB or AOF writes)"}


@contextmanager
def translated_errors():
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as err:
        raise QueueUnavailable(f"Redis unavailable: {err}") from err
    except redis.OutOfMemoryError as err:
        # Redis 7 and Valkey pass a script's OOM on as the reply's own code,
        # which redis-py turns into this class, its "OOM" taken off the text.
        raise QueueRefused(f"Redis refuses writes: {_REFUSED['OOM command not allowed']}: "
                           f"{str(err)[:200]}") from err
    except redis.ResponseError as err:
        text = str(err)
        why = next((why for reply, why in _REFUSED.items() if reply in text), None)
        if why:
            raise QueueRefused(f"Redis refuses writes: {why}: {text[:200]}") from err
        if text.startswith(_TRANSIENT_REPLIES):
            raise QueueUnavailable(f"Redis not ready: {text}") from err
        raise QueueError(f"Redis refused a command: {text}") from err
    except redis.RedisError as err:
        raise QueueError(f"Redis error: {err}") from err


def connect(settings):
    """A client for ``settings`` (a ``config.model.RedisSettings``).

    Replies stay bytes, so payloads reach consumers exactly as producers
    sent them. The socket timeout must exceed any blocking call's timeout;
    the configuration checks that.

    redis-py's own retries are off: retrying a script whose reply was lost
    could run it twice, so every caller decides (``queue.reconnect``).
    """
    common = dict(
        retry=Retry(NoBackoff(), 0),
        socket_timeout=settings.socket_timeout,
        socket_connect_timeout=settings.connect_timeout,
        health_check_interval=30,
        client_name="loglines",
    )
    if settings.url:
        return redis.Redis.from_url(settings.url, **common)
    return redis.Redis(
        host=settings.host,
        port=settings.port,
        db=settings.db,
        password=settings.password,
        unix_socket_path=settings.unix_socket,
        **common,
    )
