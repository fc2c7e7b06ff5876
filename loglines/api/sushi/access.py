"""Who may ask for what, and how often: customer_id, requestor_id and
api_key as the api section configures them (the 1030, 2000-series and
1020 exceptions of appendix D), checked on top of the service's own
password. The api_key is compared in constant time and never repeated."""

from __future__ import annotations

import hmac
import threading
import time

from .exceptions import SushiError

WORLD = "0000000000000000"  # the spec's customer ID of "The World"


def authorise(settings, params, also=()) -> str:
    """The customer ID asked for, once the request may have its usage;
    otherwise the SushiError with the lowest code that applies (1030 when
    a parameter is missing, ``also`` naming more that must be there)."""
    customer = params.get("customer_id")
    missing = [name for name, needed in (("customer_id", True),
                                         ("requestor_id", bool(settings.requestors)),
                                         ("api_key", settings.api_key is not None),
                                         *((name, True) for name in also))
               if needed and not params.get(name)]
    if missing:
        raise SushiError(1030, f"missing: {', '.join(missing)}")
    if settings.requestors and params["requestor_id"] not in settings.requestors:
        raise SushiError(2000, "requestor_id is not one this service knows")
    if customer not in settings.customers:
        if customer == WORLD:
            raise SushiError(2011, "this service reports to its configured customers only")
        raise SushiError(2010, "customer_id is not one this service knows")
    if settings.api_key is not None and not hmac.compare_digest(
            params["api_key"].encode(), settings.api_key.encode()):
        raise SushiError(2020)
    return customer


class Limiter:
    """At most one request per ``interval`` seconds for each key (a
    customer and a path); a refused request does not count."""

    def __init__(self, interval: float, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self._last: dict = {}
        self._lock = threading.Lock()

    def admit(self, key):
        if self.interval <= 0:
            return
        with self._lock:
            now = self.clock()
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                raise SushiError(1020, f"this server answers one request per customer_id and "
                                       f"path every {self.interval:g} seconds")
            self._last[key] = now
