"""A plugin in the shape of the 2010 daemon's plugins/default_utils.py.

parseline(line) gets the queue item (the JSON text) and returns the 2010
keys; get_openurl_params reads url_ver, svc_dat and rfr_id from the
worker's section with has_option/get, and sets the 2010 tracker's keys
(rft_id by DOI, svc_format, req_id as urn:ip:). Nothing here knows loglines.
"""

import json
import re

LOGLINE = re.compile(r'(?P<ip>\S+) \S+ \S+ \[[^\]]*\] "(?P<request>[^"]*)" (?P<status>\d+) \S+ '
                     r'"(?P<referer>[^"]*)" "(?P<useragent>[^"]*)"')


def parseline(line):
    logline = json.loads(line)["logline"]
    match = LOGLINE.match(logline)
    if match is None:
        return {}
    return {"id": match.group("request").split(" ")[1],
            "ip": match.group("ip"),
            "useragent": match.group("useragent"),
            "referer": match.group("referer")}


def get_openurl_params(c, worker_section, pl):
    if not pl:
        return {}
    params = {"url_ver": "Z39.88-2004",
              "svc_dat": "Accepted version",
              "rfr_id": ""}
    for key in params:
        if c.has_option(worker_section, key):
            params[key] = c.get(worker_section, key)
    params["rft_id"] = _get_doi(pl)
    params["svc_format"] = _get_mimetype(pl)
    params["req_id"] = "urn:ip:%s" % pl["ip"]  # noqa: UP031 (as the 2010 plugin wrote it)
    params["req_dat"] = pl["useragent"]
    return params


def _get_doi(pl):
    return "info:doi:http://dx.doi.org/10.1016/S0022-460X(03)00773-9"


def _get_mimetype(pl):
    return "application/pdf"
