"""DSpace 5, 6 (JSPUI, XMLUI) and 7+: downloads and item pages as IRUS events.

Copy this file to adapt it; only the URL patterns below know DSpace.

    Request        /bitstream/handle/<prefix>/<suffix>/<file>?sequence=N
                   /bitstream/<prefix>/<suffix>/<seq>/<file>
                   /server/api/core/bitstreams/<uuid>/content (DSpace 7+: the item's
                   handle is looked up in the REST API, ORIGINAL bundle only)
    Investigation  /handle/<prefix>/<suffix>
    not events     thumbnails (<file>.pdf.jpg) and extracted text (<file>.pdf.txt),
                   DSpace 7's /bitstreams/<uuid>/download (a page that redirects
                   to /content), everything else (not_an_item_url)

A /jspui or /xmlui prefix is accepted. /handle/ URLs of communities and
collections look like item pages; telling them apart needs a lookup this
plugin does not make for DSpace 5/6.

Keys of the worker's section (besides the common ones, see loglines.usage):
``dspace_rest_url`` (default: the site's URL with the path before /api/ of
the request, e.g. https://repo.example.ac.uk/server) and ``lookup_timeout``
(seconds, default 5). A REST API that cannot answer raises
TemporaryLookupError: the line is retried later, not lost.
"""

import re

from loglines import usage
from loglines.usage.dspace import BitstreamLookup

_CONTEXT = r"(?:/(?:jspui|xmlui))?"
_HANDLE = r"(?P<id>\d+(?:\.\d+)*/[^/]+)"
_UUID = r"(?P<uuid>[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})"
BITSTREAM = re.compile(_CONTEXT + r"/bitstream/handle/" + _HANDLE + r"/(?P<file>[^/]+)\Z")
BITSTREAM_SEQUENCE = re.compile(_CONTEXT + r"/bitstream/" + _HANDLE + r"/\d+/(?P<file>[^/]+)\Z")
ITEM_PAGE = re.compile(_CONTEXT + r"/handle/" + _HANDLE + r"/?\Z")
CONTENT = re.compile(r"(?P<api>(?:/[^/]+)*?)/api/core/bitstreams/" + _UUID + r"/content/?\Z")
DOWNLOAD_PAGE = re.compile(r"(?:/[^/]+)*?/bitstreams/" + _UUID + r"/download/?\Z")
# DSpace's media filters name their output after the original file.
_DOCUMENT = r"\.(?:pdf|docx?|pptx?|xlsx?|od[tps]|rtf|html?|jpe?g|png|gif|tiff?|epub)"
THUMBNAIL = re.compile(_DOCUMENT + r"\.jpg\Z", re.I)
EXTRACTED_TEXT = re.compile(_DOCUMENT + r"\.txt\Z", re.I)


def build_extra(reader):
    """This plugin's keys, read once per section; lookups are made per REST URL."""
    return {"rest_url": reader.url("dspace_rest_url"),
            "timeout": reader.number("lookup_timeout", 5.0),
            "lookups": {}}


def lookup_for(settings, target, api_prefix):
    extra = settings.extra
    rest_url = extra["rest_url"] or target.site.base_url + api_prefix
    lookup = extra["lookups"].get(rest_url)
    if lookup is None:
        lookup = extra["lookups"][rest_url] = BitstreamLookup(rest_url, extra["timeout"])
    return lookup


def _dspace7(target, settings, match):
    handle, reason = lookup_for(settings, target, match["api"]).handle(match["uuid"].lower())
    if handle is None:
        return reason
    # The query string is left out of svc_dat: it may carry an authentication token.
    return usage.Hit(usage.REQUEST, handle, svc_target=target.path)


def _file(match):
    if THUMBNAIL.search(match["file"]):
        return "thumbnail"
    if EXTRACTED_TEXT.search(match["file"]):
        return "extracted_text"
    return usage.Hit(usage.REQUEST, match["id"])


def classify(target, settings):
    """A Hit for a DSpace file or item page, else why it is not one."""
    path = target.path
    match = BITSTREAM.match(path) or BITSTREAM_SEQUENCE.match(path)
    if match:
        return _file(match)
    match = ITEM_PAGE.match(path)
    if match:
        return usage.Hit(usage.INVESTIGATION, match["id"])
    match = CONTENT.match(path)
    if match:
        return _dspace7(target, settings, match)
    if DOWNLOAD_PAGE.match(path):
        return "download_page"
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
