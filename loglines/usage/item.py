"""From a queue item to tracker parameters, through the plugin.

Anything wrong with one item (not UTF-8, not JSON, a plugin that raises or
returns nonsense) is a permanent failure of that item only: it is
dead-lettered with the reason, and the batch goes on. A plugin exception
with a true ``temporary`` attribute (a lookup whose service is down) is a
temporary failure instead: the item is retried with backoff.

``temporary`` is declared by every LoglinesError. A plugin's own exception
is not one, and the plugin contract (README, "Writing a plugin") lets it
carry the attribute anyway: for those alone it is looked up with a default.
"""

import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from .. import message
from ..errors import BadItem, LoglinesError, RetryItem

__all__ = ["BadItem", "Evaluated", "RetryItem", "evaluate", "tracker_params"]


@dataclass(frozen=True)
class Evaluated:
    params: list | None  # None: not a usage event
    parsed: object  # what the plugin's parseline returned
    fields: dict | None = None  # the queue message's

    @property
    def rejected(self):
        """Why the plugin could not read the line at all (malformed input),
        when it says so in ``pl["rejected"]``: such a line is dead-lettered,
        not passed on as a non-event."""
        if isinstance(self.parsed, dict) and isinstance(self.parsed.get("rejected"), str):
            return self.parsed["rejected"]
        return None

    @property
    def rejected_kind(self):
        """The kind of ``rejected``, when the plugin names it."""
        if isinstance(self.parsed, dict) and isinstance(self.parsed.get("rejected_kind"), str):
            return self.parsed["rejected_kind"]
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


def is_temporary(err):
    """Whether a plugin's exception ``err`` may not happen on a later attempt."""
    if isinstance(err, LoglinesError):
        return err.temporary
    return bool(getattr(err, "temporary", False))  # a plugin's own exception class


def _plugin_failure(err):
    frames = traceback.extract_tb(err.__traceback__)[-3:]
    where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in frames)
    return f"plugin raised {type(err).__name__}: {err} (at {where})"


def evaluate(plugin, config_view, section, payload):
    """The parameters to send (None when the line is not a usage event)."""
    jmsg = message.read(payload)  # a MalformedMessage is a BadItem
    try:
        parsed = plugin.parseline(jmsg, config_view, section)
        params = plugin.get_openurl_params(config_view, section, parsed)
    except Exception as err:  # a plugin's bug must not stop the worker
        raise _translated(err) from None
    return Evaluated(_normalised(params), parsed, jmsg.fields)


def evaluate_parsed(plugin, config_view, section, parsed):
    """The parameters of fields parsed before (a stored line the statistics
    rebuild decides again), as ``evaluate`` gives them."""
    try:
        params = plugin.get_openurl_params(config_view, section, parsed)
    except Exception as err:
        raise _translated(err) from None
    return _normalised(params)


def _translated(err):
    if is_temporary(err):
        return RetryItem(f"plugin could not decide yet: {type(err).__name__}: {err}")
    return BadItem(_plugin_failure(err))


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
