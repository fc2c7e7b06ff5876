"""The live figures of a deployment: rates, oldest ages, tailer lag.

Shared by ``loglines status`` and the Prometheus collector, so both show
the same numbers. The callers read the configuration: this layer is below
it, and takes the worker sections and queue names as data.
"""

from ..redis_connection import translated_errors
from .ages import oldest_ages
from .lag import read_lags
from .rates import rates

# Which counter of which worker kind is "lines in" and "events out".
LINES_IN = {"logfilewatcher": "lines"}
EVENTS_OUT = {"pirus2": "delivered"}


def summed_rate(store, sections, which, now=None):
    total = 0.0
    for name, kind in sections.items():
        if kind in which:
            with translated_errors():
                total += rates(store.client, store.keyspace, name, now).get(which[kind], 0.0)
    return total


def live_report(store, sections, queue_names, now=None):
    """{"rates": {...}, "oldest_age_s": {queue: s}, "files": [...]} of the
    worker ``sections`` ({name: kind}) and the queues ``queue_names``."""
    files = []
    for name, kind in sections.items():
        if kind == "logfilewatcher":
            files += [{"section": name, "path": path, "lag_bytes": lag}
                      for path, lag in read_lags(store.client, store.keyspace, name).items()]
    return {
        "rates": {"lines_in_per_s": summed_rate(store, sections, LINES_IN, now),
                  "events_out_per_s": summed_rate(store, sections, EVENTS_OUT, now)},
        "oldest_age_s": oldest_ages(store.client, store.keyspace, list(queue_names),
                                    store.now_ms()),
        "files": files,
    }
