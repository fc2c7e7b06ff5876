"""EPrints 3: file downloads and abstract pages as IRUS usage events.

Copy this file to adapt it (another name in plugins/, named by the worker's
``repository_plugin``): only the URL patterns below know EPrints; parsing,
robots, time, client IP and the tracker keys come from loglines.usage and
the worker's section of loglines.cfg (log_format, base_url, oai_prefix,
req_id, trusted_proxies, exclude_user_agents, exclude_ips).

    Request        /<eprintid>/<pos>/<filename>, /id/eprint/<eprintid>/<pos>/<filename>
    Investigation  /<eprintid>/, /id/eprint/<eprintid> (with or without the slash)
    not events     /<eprintid>/<pos>.has<relation>ThumbnailVersion/<file> (thumbnail),
                   other derived documents, /<eprintid>/<pos>/ (a listing),
                   everything else (not_an_item_url)
"""

import re

from loglines import usage

_EPRINT = r"/(?:id/eprint/)?(?P<id>[1-9]\d{0,9})"
DERIVED = re.compile(_EPRINT + r"/\d+\.has(?P<relation>\w+)Version/")
DOCUMENT = re.compile(_EPRINT + r"/\d+/[^/]+\Z")
ABSTRACT = re.compile(_EPRINT + r"/?\Z")


def classify(target, settings):
    """A Hit for an EPrints file or abstract page, else why it is not one."""
    path = target.path
    match = DOCUMENT.match(path)
    if match:
        return usage.Hit(usage.REQUEST, match["id"])
    match = ABSTRACT.match(path)
    if match:
        return usage.Hit(usage.INVESTIGATION, match["id"])
    match = DERIVED.match(path)
    if match:
        return "thumbnail" if match["relation"].endswith("Thumbnail") else "derived_document"
    return "not_an_item_url"


def parseline(jmsg, c=None, worker_section=None):
    """The line's fields, parsed with the section's log_format when told it."""
    return usage.parse_message(jmsg, c, worker_section)


def get_openurl_params(c, worker_section, pl):
    return usage.openurl_params(usage.settings_for(c, worker_section), pl, classify)


def check_config(c, worker_section):
    """Called once when the worker starts: a wrong setting stops it there with
    one line, instead of failing every line."""
    usage.settings_for(c, worker_section)
