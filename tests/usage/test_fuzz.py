"""Random input never makes the parser or a plugin raise (a lookup's
TemporaryLookupError aside, which is how a plugin asks for a retry)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loglines.errors import ConfigError
from loglines.usage import TemporaryLookupError
from loglines.usage.logline import UnparseableLine, compile_format, parse

from .helpers import SECTION, plugin, view

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
NAMES = ["eprints", "dspace", "fedora", "generic"]
FORMATS = [compile_format(name) for name in ("combined", "common", "vhost_combined")]

PATHS = st.sampled_from([
    "/1234/1/paper.pdf", "/id/eprint/7/", "/1/1.hassmallThumbnailVersion/x", "/handle/1/2",
    "/bitstream/handle/1/2/a.pdf?sequence=1", "/jspui/bitstream/1/2/3/a.pdf",
    "/server/api/core/bitstreams/3f0c1f1e-0c35-4d43-a7a5-6bd1c2f7c0de/content",
    "/bitstreams/3f0c1f1e-0c35-4d43-a7a5-6bd1c2f7c0de/download",
    "/objects/uuid:1/datastreams/PDF/content", "/fedora/get/a%3A1/DC", "/", "*",
])
TEXT = st.text(max_size=40)
FIELD = st.one_of(TEXT, st.sampled_from(["-", '"', "\\", '\\"', "\\x22", "\x00", "\ud800"]))


VALID = {"host": "192.0.2.10", "when": "17/Oct/2010:03:04:42 +0100", "method": "GET",
         "status": "200", "referer": "-", "agent": "Mozilla/5.0 Firefox/128.0"}
RANDOM = {
    "host": st.one_of(st.ip_addresses().map(str), TEXT), "when": TEXT,
    "method": st.sampled_from(["HEAD", "POST", "", "G\u00c9T", "get"]),
    "status": st.one_of(st.sampled_from(["304", "206", "404"]), TEXT),
    "referer": FIELD, "agent": FIELD,
}


@st.composite
def log_lines(draw):
    """Mostly well-formed lines with one field or the end spoilt, so that
    the plugins' deeper steps (classify, lookups, parameters) are reached."""
    fields = dict(VALID)
    spoilt = draw(st.sampled_from([None, None, None, "cut", "tail", *RANDOM]))
    if spoilt in RANDOM:
        fields[spoilt] = draw(RANDOM[spoilt])
    path = draw(st.sampled_from(["shape", "shape", "shape+text", "text"]))
    path = draw(TEXT) if path == "text" else draw(PATHS) + (draw(TEXT) if "+" in path else "")
    line = (f'{fields["host"]} - - [{fields["when"]}] "{fields["method"]} {path} HTTP/1.1" '
            f'{fields["status"]} 12 "{fields["referer"]}" "{fields["agent"]}"')
    if spoilt == "cut":
        return line[:draw(st.integers(min_value=0, max_value=len(line)))]
    return line + draw(TEXT) if spoilt == "tail" else line


ITEMS = log_lines().map(lambda line: json.dumps({"service": "repo.example.ac.uk",
                                                  "logline": line}))
MESSAGES = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    ITEMS, ITEMS, ITEMS,
    st.builds(lambda line, service: json.dumps({"logline": line, "service": service}),
              log_lines(), st.one_of(st.none(), TEXT, st.integers(), st.lists(TEXT))),
    st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                 lambda inner: st.lists(inner) | st.dictionaries(TEXT, inner),
                 max_leaves=10).map(json.dumps),
)


@FUZZ
@given(text=st.one_of(st.text(), log_lines()), index=st.integers(0, len(FORMATS) - 1))
def test_the_parser_only_ever_rejects(text, index):
    try:
        fields = parse(FORMATS[index], text)
    except UnparseableLine as err:
        assert err.kind and err.detail
    else:
        assert isinstance(fields["status"], int) and fields["utc"].endswith("Z")


@FUZZ
@given(spec=st.text(max_size=60))
def test_compiling_a_format_only_ever_refuses_with_a_config_error(spec):
    try:
        compile_format(spec)
    except ConfigError as err:
        assert "log_format" in str(err)


@pytest.fixture(scope="module")
def configs():
    return {name: view(request_pattern=r"^/(?P<id>\d+)/", investigation_pattern="handle",
                       dspace_rest_url="http://127.0.0.1:9/server", lookup_timeout="0.2")
            for name in NAMES}


def check_plugin(configs, jmsg, name):
    module = plugin(name)
    pl = module.parseline(jmsg)
    assert isinstance(pl, dict)
    try:
        params = module.get_openurl_params(configs[name], SECTION, pl)
    except TemporaryLookupError:
        assert name == "dspace"  # the only plugin with a lookup, to a closed port here
        return
    if params:
        assert len(params) == 9 and all(isinstance(v, str) for v in params.values())
        "".join(params.values()).encode("utf-8")  # sendable
    else:
        assert isinstance(pl.get("excluded"), str)


@FUZZ
@given(jmsg=MESSAGES, name=st.sampled_from(NAMES))
def test_plugins_never_raise_on_random_items(configs, jmsg, name):
    check_plugin(configs, jmsg, name)


@FUZZ
@given(jmsg=ITEMS, name=st.sampled_from(NAMES))
def test_plugins_never_raise_on_random_log_lines(configs, jmsg, name):
    check_plugin(configs, jmsg, name)


@FUZZ
@given(pl=st.one_of(st.none(), st.integers(), TEXT,
                    st.dictionaries(st.sampled_from(["logline", "service", "log_format", "target",
                                                     "method", "status", "utc", "user_agent",
                                                     "rejected", "host"]),
                                    st.one_of(st.none(), st.integers(), TEXT, st.lists(TEXT)))),
       name=st.sampled_from(NAMES))
def test_plugins_never_raise_on_a_hand_made_dict(configs, pl, name):
    result = plugin(name).get_openurl_params(configs[name], SECTION, pl)
    assert result == {} or len(result) == 9
