"""A test plugin: every line "GET <path> <status>" is an event when status
is 200; "RAISE" makes it raise; "LATER" raises a temporary error; anything
else is not an event, with its reason in pl["excluded"]."""

import json


class ServiceDown(Exception):
    temporary = True


def check_config(c, worker_section):
    if c.has_option(worker_section, "plugin_refuse"):
        from loglines.errors import ConfigError

        raise ConfigError(f"test.cfg: [{worker_section}] plugin_refuse: refused on purpose")


def parseline(jmsg):
    message = json.loads(jmsg)
    line = message["logline"]
    if line == "RAISE":
        raise RuntimeError("plugin exploded on purpose")
    if line == "LATER":
        raise ServiceDown("lookup service unavailable")
    parts = line.split()
    return {"service": message["service"], "parts": parts}


def get_openurl_params(c, worker_section, pl):
    parts = pl["parts"]
    if len(parts) != 3 or parts[0] != "GET":
        pl["excluded"] = "not_a_get"
        return {}
    if parts[2] != "200":
        pl["excluded"] = f"status_{parts[2]}"
        return {}
    url_ver = c.get(worker_section, "url_ver") if c.has_option(worker_section,
                                                                "url_ver") else "Z39.88-2004"
    return {"url_ver": url_ver, "rfr_id": pl["service"], "svc_dat": parts[1]}
