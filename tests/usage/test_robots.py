"""Robots and machines: the COUNTER list case-insensitively, ^.?$, a site's own."""

import re

import counter_robots
import pytest

from loglines.usage.robots import (
    RobotFilter,
    compile_networks,
    compile_patterns,
    counter_list,
    counter_patterns,
)

from .helpers import FIREFOX, evaluate, line, view


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "GOOGLEBOT", "Mozilla/5.0 (compatible; bingbot/2.0)", "Python-urllib/2.5",
    "python-requests/2.31", "buck/2.2", "curl/8.0", "Wget/1.21", "", "-", "x",
])
def test_robots_and_machines(agent):
    assert RobotFilter().exclusion(agent, "192.0.2.1") == "robot"


@pytest.mark.parametrize("agent", [
    FIREFOX, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile"])
def test_browsers_are_people(agent):
    assert RobotFilter().exclusion(agent, "192.0.2.1") is None


def test_the_package_itself_would_miss_case_variants():
    # Why the patterns are recompiled: the package matches case-sensitively.
    assert not counter_robots.is_robot_or_machine("GOOGLEBOT")
    assert RobotFilter().agent_reason("GOOGLEBOT") == "robot"


def test_the_patterns_are_the_packages_plus_the_empty_agent():
    patterns = counter_patterns()
    assert patterns[-1] == "^.?$" and "python" in patterns and "bot" in patterns
    assert all(patterns)


def test_site_patterns_and_networks():
    robots = RobotFilter(compile_patterns(["^Internal-Monitor/", "Zotero"], "x"),
                         compile_networks(["198.51.100.0/24", "2001:db8:dead::/48"], "x"))
    assert robots.exclusion("internal-monitor/1.0", "192.0.2.1") == "excluded_user_agent"
    assert robots.exclusion(FIREFOX, "198.51.100.77") == "excluded_ip"
    assert robots.exclusion(FIREFOX, "2001:db8:dead::1") == "excluded_ip"
    assert robots.exclusion(FIREFOX, "::ffff:198.51.100.3") == "excluded_ip"
    assert robots.exclusion(FIREFOX, "192.0.2.1") is None
    assert robots.exclusion(FIREFOX, "not-an-ip") is None


def test_results_are_cached_per_user_agent():
    robots = RobotFilter(cache_size=10)
    for _ in range(100):
        robots.exclusion(FIREFOX, "192.0.2.1")
    info = robots.agent_reason.cache_info()
    assert (info.misses, info.hits, info.maxsize) == (1, 99, 10)


def test_plugins_read_the_site_exclusions_from_the_configuration():
    config = view(exclude_user_agents='Zotero, "^Check{1,2}er"', exclude_ips="198.51.100.0/24")
    assert evaluate("eprints", line("/1/1/a.pdf", agent="Zotero/6"), config)[1]["excluded"] \
        == "excluded_user_agent"
    assert evaluate("eprints", line("/1/1/a.pdf", agent="Checker"), config)[1]["excluded"] \
        == "excluded_user_agent"
    assert evaluate("eprints", line("/1/1/a.pdf", ip="198.51.100.9"), config)[1]["excluded"] \
        == "excluded_ip"


def independent_counter_regex():
    """Straight from the package, as the protocol says: its patterns, re.I, ^.?$."""
    patterns = [counter_robots._regexp(name).pattern for name in ("robot.txt", "machine.txt")]
    return re.compile("|".join([*patterns, "^.?$"]), re.I)


@pytest.mark.parametrize("agent", [
    FIREFOX, "GOOGLEBOT", "Scrapy/2.11", "SCRAPY/2", "Mozilla", "mozilla", "MOZILLA/5.0",
    "Offline+Navigator", "java/1.8.0", "JAVA/11.0", "fish", "afish", "catfish", "Yeti/1.1",
    "\u212aelvin-bot", "\u017fpider", "caf\u00e9 browser", "Mozilla/5.0 (Windows NT 10.0) \u00e9",
])
def test_the_fast_matcher_agrees_with_the_whole_regex(agent):
    matcher = counter_list()
    assert matcher.search(agent) == bool(matcher.full.search(agent))
    assert matcher.search(agent) == bool(independent_counter_regex().search(agent))
