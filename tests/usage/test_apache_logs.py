"""10,000 real lines: every one parses or is rejected with a reason, and the
robots found agree with a count made directly with counter-robots."""

import json
from collections import Counter

import pytest

from loglines.usage.logline import UnparseableLine, compile_format, parse
from loglines.usage.robots import RobotFilter
from tests.support.data import APACHE_LOGS

from .helpers import SECTION, plugin, view
from .test_robots import independent_counter_regex


@pytest.fixture(scope="module")
def lines():
    return APACHE_LOGS.read_text(encoding="utf-8").splitlines()


def test_every_line_parses_or_is_rejected_with_a_reason(lines):
    fmt = compile_format("combined")
    parsed, rejected = 0, []
    for number, text in enumerate(lines, 1):
        try:
            parse(fmt, text)
            parsed += 1
        except UnparseableLine as err:
            rejected.append((number, err.kind, err.detail))
    assert len(lines) == 10_000
    assert parsed == 9_999
    assert rejected == [(8899, "truncated_line", "no closing quote after %{User-agent}i")]


def test_robot_count_matches_counter_robots_directly(lines):
    fmt = compile_format("combined")
    robots = RobotFilter()
    independent = independent_counter_regex()
    ours = theirs = 0
    verdicts = {}  # the independent regex takes ~0.4 ms a search: once per agent
    for text in lines:
        try:
            agent = parse(fmt, text)["user_agent"]
        except UnparseableLine:
            continue
        ours += robots.agent_reason(agent) == "robot"
        # The test's own reading of the agent: the last quoted field.
        theirs_agent = text[text.rindex('"', 0, len(text) - 1) + 1:-1]
        if theirs_agent not in verdicts:
            verdicts[theirs_agent] = bool(independent.search(theirs_agent))
        theirs += verdicts[theirs_agent]
    assert ours == theirs
    assert 0.15 * len(lines) < ours < 0.25 * len(lines)  # "about 20%" (tests/data/README.md)


@pytest.mark.parametrize("name", ["eprints", "dspace", "fedora", "generic"])
def test_every_line_through_a_plugin_is_an_event_or_has_a_reason(lines, name):
    module, config = plugin(name), view(request_pattern=r"^/presentations/(?P<id>[\w-]+)/$")
    outcomes = Counter()
    for text in lines:
        pl = module.parseline(json.dumps({"service": "www.example.org", "logline": text}))
        params = module.get_openurl_params(config, SECTION, pl)
        outcomes["event" if params else pl["excluded"]] += 1
    assert sum(outcomes.values()) == 10_000
    assert outcomes["unparseable: truncated_line"] == 1
    assert outcomes["method_HEAD"] == 42 and outcomes["status_206"] == 45
    if name == "generic":
        assert outcomes["event"] > 0
