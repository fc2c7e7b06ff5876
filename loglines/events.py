"""From a queue item to tracker parameters, through the plugin.

Anything wrong with one item (not UTF-8, not JSON, a plugin that raises or
returns nonsense) is a permanent failure of that item only: it is
dead-lettered with the reason, and the batch goes on. A plugin exception
with a true ``temporary`` attribute (a lookup whose service is down) is a
temporary failure instead: the item is retried with backoff.
"""

import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from . import message
from .errors import MalformedMessage


class BadItem(Exception):
    """This item can never become an event; the message says why."""

    temporary = False


class RetryItem(BadItem):
    """This item cannot be evaluated now; a later attempt may succeed."""

    temporary = True


@dataclass(frozen=True)
class Evaluated:
    params: list | None  # None: not a usage event
    parsed: object  # what the plugin's parseline returned

    @property
    def rejected(self):
        """Why the plugin could not read the line at all (malformed input),
        when it says so in ``pl["rejected"]``: such a line is dead-lettered,
        not passed on as a non-event."""
        if isinstance(self.parsed, dict) and isinstance(self.parsed.get("rejected"), str):
            return self.parsed["rejected"]
        return None

    @property
    def exclusion(self):
        """The plugin's reason for a non-event, when it gives one."""
        if isinstance(self.parsed, dict) and isinstance(self.parsed.get("excluded"), str):
            return self.parsed["excluded"]
        return None


def tracker_params(plugin, config_view, section, payload):
    """Only the parameters (None for a non-event): the 2010 plugin contract's view."""
    return evaluate(plugin, config_view, section, payload).params


def _plugin_failure(err):
    frames = traceback.extract_tb(err.__traceback__)[-3:]
    where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in frames)
    return f"plugin raised {type(err).__name__}: {err} (at {where})"


def evaluate(plugin, config_view, section, payload):
    """The parameters to send (None when the line is not a usage event)."""
    try:
        jmsg = message.read(payload)
    except MalformedMessage as err:
        raise BadItem(str(err)) from None
    try:
        parsed = plugin.parseline(jmsg)
        params = plugin.get_openurl_params(config_view, section, parsed)
    except Exception as err:  # a plugin's bug must not stop the worker
        if getattr(err, "temporary", False):
            raise RetryItem(f"plugin could not decide yet: {type(err).__name__}: {err}") from None
        raise BadItem(_plugin_failure(err)) from None
    return Evaluated(_normalised(params), parsed)


def _normalised(params):
    if not params:
        return None
    if isinstance(params, Mapping):
        params = params.items()
    try:
        # Most values are text already; str() is only called for the others.
        return [(k if type(k) is str else str(k),
                 v if type(v) is str else "" if v is None else str(v)) for k, v in params]
    except (TypeError, ValueError):
        raise BadItem(f"plugin returned {type(params).__name__}, not a dict") from None
