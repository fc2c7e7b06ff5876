"""What the dashboard serves, over plain HTTP: the page and its assets
name only paths of this origin, every answer forbids the browser anything
else (Content-Security-Policy), no other file is served, and the vendored
Chart.js is the release its notes name, shipped as package data."""

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from loglines.api.dashboard import page

ROOT = Path(__file__).resolve().parents[2]
STATIC = page.STATIC
OURS = ["index.html", "dashboard.js", "dashboard.css"]


class References(HTMLParser):
    """Every src and href of a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("src", "href")]


def references(html):
    parser = References()
    parser.feed(html)
    return parser.found


def test_our_files_name_no_other_origin():
    for name in OURS:
        text = (STATIC / name).read_text()
        assert not re.search(r"(https?:)?//[\w.-]+\.\w", text), name
        assert "@import" not in text and "url(" not in text, name
    for link in references((STATIC / "index.html").read_text()):
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc) == ("", ""), link
        assert not link.startswith("/"), link  # relative: a proxy's sub-path works
    fetched = re.findall(r'getJSON\(`?"?([^`")]*)', (STATIC / "dashboard.js").read_text())
    assert fetched and all(not urlsplit(p).scheme and not p.startswith("/") for p in fetched)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_page_and_every_asset_it_names_are_served_same_origin_only(api):
    a = api()
    got = a.get("/")
    assert (got.status, got.headers["content-type"]) == (200, "text/html; charset=utf-8")
    names = references(got.text)
    assert len(names) >= 5
    for link in names:
        path = urlsplit(urljoin("/", link)).path
        asset = a.get(path)
        assert asset.status == 200, path
        if path.startswith("/dashboard/"):  # the rest is the API's JSON
            assert asset.headers["content-security-policy"] == page.SAME_ORIGIN
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert "connect-src 'self'" in got.headers["content-security-policy"]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", ["/dashboard/VENDORED.md", "/dashboard/index.html",
                                  "/dashboard/..%2Fpage.py", "/dashboard/", "/docs",
                                  "/docs/oauth2-redirect"])
def test_nothing_else_is_served(api, path):
    got = api().get(path)
    assert (got.status, got.json()) == (404, {"error": "not found"})


def test_the_vendored_chart_js_is_the_release_named():
    notes = (STATIC / "VENDORED.md").read_text()
    version, digest = re.search(r"`chart\.umd\.min\.js` \| .*? \| ([\d.]+) \| .*?sha256 `(\w+)`",
                                notes).groups()
    lib = (STATIC / "chart.umd.min.js").read_bytes()
    assert hashlib.sha256(lib).hexdigest() == digest
    assert lib.startswith(f"/*!\n * Chart.js v{version}\n".encode())
    assert "MIT License" in (STATIC / "chart.js-LICENSE.md").read_text()


def test_every_asset_ships_with_the_package():
    pyproject = (ROOT / "pyproject.toml").read_text()  # no tomllib before Python 3.11
    packages = re.search(r"^packages = \[(.*?)\]", pyproject, re.S | re.M)[1]
    assert '"loglines.api.dashboard"' in packages
    assert '\n"loglines.api.dashboard" = ["static/*"]\n' in pyproject
    shipped = {p.name for p in STATIC.iterdir()}
    assert {*page.ASSETS, "index.html"} <= shipped
