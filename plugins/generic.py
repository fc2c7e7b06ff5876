"""Any repository: usage events described by regular expressions in loglines.cfg.

Keys of the worker's section (regexes, searched in the request's path and
query string, ``/download.php?id=42``; quote a regex that has a comma):

    request_pattern        a file download (Request)
    investigation_pattern  an item page (Investigation)
    id_pattern             where the item id is, when the pattern that
                           matched has no (?P<id>...) group

For example, for EPrints-like URLs:

    request_pattern = ^/(?P<id>\\d+)/\\d+/[^/?]+$
    investigation_pattern = ^/(?P<id>\\d+)/?$

With no pattern configured, no line is an event (not_an_item_url). Copy
this file to write a plugin with the URL logic in Python instead.
"""

import re

from loglines import usage
from loglines.errors import ConfigError


def _regex(reader, key):
    text = reader.text(key)
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as err:
        raise ConfigError(f"{reader.where(key)}: not a valid regex: {err}") from None


def build_extra(reader):
    """The compiled patterns, once per section."""
    return {key: _regex(reader, key)
            for key in ("request_pattern", "investigation_pattern", "id_pattern")}


def _item_id(match, id_pattern, text):
    item_id = match.groupdict().get("id")
    if not item_id and id_pattern is not None:
        found = id_pattern.search(text)
        if found:
            item_id = found.groupdict().get("id") or (found.group(1) if found.re.groups else "")
    return item_id or None


def classify(target, settings):
    """A Hit when a configured pattern matches, else why it is not one."""
    text = target.path + ("?" + target.query if target.query else "")
    patterns = settings.extra
    for key, kind in (("request_pattern", usage.REQUEST),
                      ("investigation_pattern", usage.INVESTIGATION)):
        match = patterns[key].search(text) if patterns[key] is not None else None
        if match:
            item_id = _item_id(match, patterns["id_pattern"], text)
            return usage.Hit(kind, item_id) if item_id else "no_item_id"
    return "not_an_item_url"


def parseline(jmsg, c=None, worker_section=None):
    """The line's fields, parsed with the section's log_format when told it."""
    return usage.parse_message(jmsg, c, worker_section)


def get_openurl_params(c, worker_section, pl):
    settings = usage.settings_for(c, worker_section, build_extra)
    return usage.openurl_params(settings, pl, classify)


def check_config(c, worker_section):
    """Called once when the worker starts: a wrong setting stops it there with
    one line, instead of failing every line."""
    usage.settings_for(c, worker_section, build_extra)
