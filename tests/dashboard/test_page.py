"""The dashboard as a person sees it, in headless Chromium: every panel
shows the figures of the store and of Redis, the chart has a point per
month, choosing another month changes the tables, a key from a log line
is shown as text, and the page loads nothing from anywhere else."""

from pathlib import Path

from loglines.api.app import create_app
from loglines.api.server import ApiServer
from loglines.config.model import RedisSettings
from loglines.metrics.observed import observed_store
from loglines.redis_connection import connect
from loglines.stats.builtin import BUILTIN
from loglines.store.engine import open_engine
from tests.api.conftest import PASSWORD, USER
from tests.dashboard.conftest import INVESTIGATIONS, MARKUP, MONTHS, REQUESTS, chromium
from tests.support.browser import Browser
from tests.support.redis_server import free_port

CHART = """
const chart = Chart.getChart("monthly-chart");
return {labels: chart.data.labels,
        points: chart.data.datasets.map((d, i) => chart.getDatasetMeta(i).data.length),
        values: chart.data.datasets.map((d) => d.data),
        names: chart.data.datasets.map((d) => d.label),
        drawn: chart.getDatasetMeta(0).data.every((p) => Number.isFinite(p.x) && p.y >= 0)};
"""


def test_the_page_loads_every_panel_and_a_screenshot_is_taken(browser, served, tmp_path):
    browser.open(served.url)
    browser.ready()
    assert browser.driver.title == "Usage statistics: loglines"
    assert browser.text("header").startswith("Usage statistics")
    assert "Lines from 2025-12-01 00:00 to 2026-03-01 01:00 UTC, 1 service(s)." in \
        browser.text("header")
    shot = tmp_path / "dashboard.png"
    assert browser.screenshot(shot)
    data = Path(shot).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    assert browser.errors() == []


def test_the_chart_has_a_point_per_month(browser, served):
    browser.open(served.url)
    browser.ready()
    chart = browser.driver.execute_script(CHART)
    assert chart["labels"] == MONTHS  # February, with no use, a zero
    assert chart["points"] == [len(MONTHS), len(MONTHS)]
    assert chart["names"] == ["Total Item Requests", "Total Item Investigations"]
    assert chart["values"] == [REQUESTS, INVESTIGATIONS]
    assert chart["drawn"]


def test_choosing_another_month_changes_the_tables(browser, served):
    from selenium.webdriver.support.ui import Select

    browser.open(served.url)
    browser.ready()
    month = Select(browser.driver.find_element("id", "month"))
    assert [o.text for o in month.options] == MONTHS[::-1]
    assert month.first_selected_option.text == "2026-03"
    assert browser.rows("#top") == [["oai:repo:9", "1", "1", "1", "1"]]
    assert browser.text("#excluded .note") == "No line was excluded in 2026-03."
    month.select_by_visible_text("2025-12")
    browser.ready()
    # Ranked by Requests: item 9, only looked at, is not among them.
    assert browser.rows("#top") == [["oai:repo:7", "3", "3", "3", "3"],
                                    ["oai:repo:8", "1", "1", "1", "1"]]
    assert browser.text("#excluded h2") == "Lines excluded by reason in 2025-12"
    assert browser.rows("#excluded") == [["robot", "2"], ["status_404", "1"]]
    month.select_by_visible_text("2026-02")
    browser.ready()
    assert browser.rows("#top") == []
    assert browser.text("#top .note") == "No item was used in 2026-02."


def test_a_key_from_a_log_line_is_text_not_markup(browser, served):
    from selenium.webdriver.support.ui import Select

    browser.open(served.url)
    browser.ready()
    Select(browser.driver.find_element("id", "month")).select_by_visible_text("2026-01")
    browser.ready()
    assert browser.rows("#top") == [["oai:repo:8", "2", "2", "2", "2"],
                                    [MARKUP, "1", "1", "1", "1"]]
    assert browser.driver.find_elements("css selector", "#top img") == []
    assert browser.driver.title == "Usage statistics: loglines"
    assert browser.rows("#excluded") == [["robot", "1"]]


def test_the_gap_report(browser, served):
    browser.open(served.url)
    browser.ready()
    # The hours after each month's first, up to the next month with lines.
    empty = (31 * 24 - 1) + (31 * 24 + 28 * 24 - 1)
    assert browser.rows("#gaps") == [["repo", "2025-12-01 00:00", "2026-03-01 01:00",
                                      f"{empty:,}"]]
    assert browser.text("#gaps ul") == (
        "repo: no line from 2025-12-01 01:00 to 2026-01-01 00:00\n"
        "repo: no line from 2026-01-01 01:00 to 2026-03-01 00:00")


def test_the_delivery_state_per_target(browser, served):
    browser.open(served.url)
    browser.ready()
    assert browser.rows("#delivery") == [["worker_pirus2", "irus", "pirus2", "40", "4", "1"],
                                         ["worker_dry", "irus (dry run)", "dry", "0 (7 written)",
                                          "0", "0"]]


def test_redis_unreachable_is_shown_beside_the_figures(browser, served):
    """The store answers, Redis does not: the delivery panel says so, the
    others are drawn all the same."""
    nowhere = RedisSettings(name="", port=free_port(), connect_timeout=0.5, socket_timeout=0.5)
    engine = open_engine(served.store_url)
    app = create_app(engine, BUILTIN.values(), USER, PASSWORD,
                     queues=observed_store(connect(nowhere), "t", lambda name: None),
                     targets=[("worker_pirus2", "irus", "pirus2", False)])
    try:
        with ApiServer(app) as server:
            browser.open(server.url)
            browser.ready()
            assert browser.rows("#delivery") == []
            assert browser.text("#delivery .note") == (
                "Redis cannot be reached just now: the delivery state is not known.")
            assert browser.driver.execute_script(CHART)["points"] == [len(MONTHS)] * 2
            assert browser.rows("#top") == [["oai:repo:9", "1", "1", "1", "1"]]
    finally:
        engine.dispose()


def test_without_the_password_nothing_is_shown(served, tmp_path):
    # A browser of its own: the module's remembers the password it was given.
    fresh = Browser(tmp_path / "profile", *chromium())
    try:
        fresh.open(served.url)
        # Chromium asks for the password (headless: a prompt no one sees)
        # over the 401; nothing of the page is there.
        assert "Usage statistics" not in fresh.text("body")
        assert fresh.driver.title != "Usage statistics: loglines"
        assert fresh.driver.find_elements("css selector", "canvas") == []
    finally:
        fresh.close()
