"""Fedora 3 (ORA, 2010): datastream downloads as IRUS usage events.

Copy this file to adapt it; only the URL patterns below know Fedora.

    Request     /objects/<ns>:<id>/datastreams/<dsid>[/content]
                /get/<ns>:<id>/<dsid> (API-A-Lite); a /fedora prefix is accepted
                /islandora/object/<ns>:<id>/datastream/<dsid>[/download|/view|/<file>]
                (Islandora 7, in front of many Fedora 3 sites)
                the colon may be percent-encoded (%3A, %253A) in each
    not events  the metadata datastreams (``exclude_datastreams``, default
                DC, MODS, MARC21, RELS-EXT, FULLTEXT): metadata_datastream;
                everything else (not_an_item_url)

The item id of the OAI identifier is the object's PID, ``<ns>:<id>``.
"""

import re

from loglines import usage

_PID = r"(?P<ns>[A-Za-z0-9.-]+)(?::|%3[Aa]|%253[Aa])(?P<local>(?:[A-Za-z0-9.~_-]|%[0-9A-Fa-f]{2})+)"
_DSID = r"(?P<dsid>[A-Za-z0-9._-]+)"
DATASTREAM = re.compile(r"(?:/fedora)?/objects/" + _PID + r"/datastreams/" + _DSID
                        + r"(?:/content)?/?\Z")
API_A_LITE = re.compile(r"(?:/fedora)?/get/" + _PID + "/" + _DSID + r"/?\Z")
# /download and /view are Islandora's own; anything else there is a file name.
ISLANDORA = re.compile(r"/islandora/object/" + _PID + r"/datastream/" + _DSID
                       + r"(?:/[^/]+)?/?\Z")
SHAPES = (DATASTREAM, API_A_LITE, ISLANDORA)
DEFAULT_EXCLUDED = ("DC", "MODS", "MARC21", "RELS-EXT", "FULLTEXT")


def build_extra(reader):
    """The excluded datastream ids, upper-cased once (Fedora's are case-sensitive,
    but a MODS is a MODS whatever the spelling)."""
    names = reader.list("exclude_datastreams", DEFAULT_EXCLUDED)
    return frozenset(name.upper() for name in names)


def classify(target, settings):
    """A Hit for a content datastream of a Fedora object, else why it is not one."""
    match = next((m for m in (shape.match(target.path) for shape in SHAPES) if m), None)
    if not match:
        return "not_an_item_url"
    if match["dsid"].upper() in settings.extra:
        return "metadata_datastream"
    return usage.Hit(usage.REQUEST, f"{match['ns']}:{match['local']}")


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
