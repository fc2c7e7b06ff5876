"""What the documents say of SUSHI stays true: the README's example is
what the API answers for the figures of conftest.py (its Created aside),
and its tabular example is served (the tests guarantees.md names:
tests/test_guarantees.py)."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()
SECTION = README[README.index("### COUNTER reports over SUSHI"):
                 README.index("## Inputs beyond files")]
BASE = "http://127.0.0.1:8480"


def _example(start):
    """The command after ``$ curl -s '`` that starts with ``start``, and the
    indented lines after it up to a blank line."""
    at = SECTION.index(f"$ curl -s '{BASE}{start}")
    block = SECTION[at:].split("\n\n", 1)[0].splitlines()
    path = block[0].split("'")[1].removeprefix(BASE)
    return path, [line.removeprefix("    ") for line in block[1:]]


def test_the_json_and_tsv_examples(sushi):
    a = sushi()
    path, shown = _example("/r51/reports/pr_p1")
    expected = json.loads("\n".join(shown))
    got = a.get(path).json()
    got["Report_Header"]["Created"] = expected["Report_Header"]["Created"]
    assert got == expected
    path, _ = _example("/r51/reports/ir")
    tsv = a.get(path)
    assert tsv.status == 200
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert "\tloglines:oai:repo:7\t" in tsv.text
