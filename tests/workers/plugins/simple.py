"""A test plugin: every line "GET <path> <status>" is an event when status
is 200; "RAISE" makes it raise; anything else is not an event."""

import json


def parseline(jmsg):
    message = json.loads(jmsg)
    line = message["logline"]
    if line == "RAISE":
        raise RuntimeError("plugin exploded on purpose")
    parts = line.split()
    return {"service": message["service"], "parts": parts}


def get_openurl_params(c, worker_section, pl):
    parts = pl["parts"]
    if len(parts) != 3 or parts[0] != "GET" or parts[2] != "200":
        return {}
    url_ver = c.get(worker_section, "url_ver") if c.has_option(worker_section,
                                                                "url_ver") else "Z39.88-2004"
    return {"url_ver": url_ver, "rfr_id": pl["service"], "svc_dat": parts[1]}
