"""What the documents say of the API stays true: the answers the README
shows are what the API answers for the same figures (the records of
tests/api/conftest.py); the tests guarantees.md names: tests/test_guarantees.py."""

import json
import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README[README.index("### The API"):README.index("## Writing a plugin")]


def example(command):
    """The indented lines after ``$ <command>``, up to a blank line."""
    start = SECTION.index(f"$ {command}")
    block = SECTION[start:].split("\n\n", 1)[0].splitlines()[1:]
    return [line.removeprefix("    ") for line in block]


def test_the_json_example(api):
    shown = json.loads("\n".join(example(
        "curl -s 'http://127.0.0.1:8480/api/v1/stats/item_metrics_daily?per_page=2'")))
    assert api().get("/api/v1/stats/item_metrics_daily?per_page=2").json() == shown


def test_the_csv_example(api):
    command = ("curl -si -H 'Accept: text/csv' "
               "'http://127.0.0.1:8480/api/v1/stats/item_metrics_daily?item=oai:repo:7'")
    headers = example(command)
    body = SECTION[SECTION.index("    period,item,"):].split("\n\n", 1)[0]
    got = api().get("/api/v1/stats/item_metrics_daily?item=oai:repo:7", {"Accept": "text/csv"})
    assert got.text == "".join(line.removeprefix("    ") + "\r\n"
                               for line in body.splitlines())
    for line in headers[1:-1]:
        name, value = line.split(": ", 1)
        assert got.headers[name] == value


def test_the_400_example(api):
    shown = re.search(r'`(\{"error": "after must.*?"parameter": "after"\})`', SECTION, re.S)
    got = api().get("/api/v1/stats/item_metrics_daily?after=2025-14")
    assert got.json() == json.loads(shown[1].replace("\n", " "))
