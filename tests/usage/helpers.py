"""Building log lines and queue items, loading the default plugins by path."""

import importlib.util
import json
from functools import cache
from pathlib import Path

from loglines.config import PluginConfigView

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"

HOST = "repo.example.ac.uk"
SECTION = "worker_pirus2"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
SCHOLAR = "https://scholar.google.com/"
TIME = "17/Oct/2010:03:04:42 +0000"


@cache
def plugin(name):
    """plugins/<name>.py, loaded by path under a private module name."""
    spec = importlib.util.spec_from_file_location(f"_test_plugin_{name}", PLUGINS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def view(**keys):
    """A fresh configuration view with ``keys`` in the worker section (fresh
    object, so fresh cached settings and lookup caches)."""
    return PluginConfigView({SECTION: {k: str(v) for k, v in keys.items()}})


def line(path, status=200, method="GET", agent=FIREFOX, referer=SCHOLAR, ip="192.0.2.10",
         time=TIME, size="280090"):
    return f'{ip} - - [{time}] "{method} {path} HTTP/1.1" {status} {size} "{referer}" "{agent}"'


def message(logline, service=HOST, **extra):
    return json.dumps({"service": service, "logline": logline, **extra})


def evaluate(name, logline, config=None, service=HOST):
    """(params, pl) of plugin ``name`` for one log line."""
    module = plugin(name)
    pl = module.parseline(message(logline, service))
    params = module.get_openurl_params(config if config is not None else view(), SECTION, pl)
    return params, pl


def expected(path, rft_dat, item, **overrides):
    """The nine keys of an event of worked example 1's client."""
    params = {
        "url_ver": "Z39.88-2004", "url_tim": "2010-10-17T03:04:42Z", "req_id": "192.0.2.10",
        "req_dat": FIREFOX, "rft.artnum": f"oai:{HOST}:{item}", "rfr_id": HOST,
        "rfr_dat": SCHOLAR, "svc_dat": f"https://{HOST}{path}", "rft_dat": rft_dat,
    }
    params.update(overrides)
    return params
