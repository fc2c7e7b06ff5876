"""docs/guarantees.md names the tests that prove each guarantee: every
one named must exist, so that a renamed or deleted test cannot leave a
guarantee without its proof."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def named():
    return set(NAMED.findall((ROOT / "docs" / "guarantees.md").read_text()))


def test_every_test_named_in_the_guarantees_exists():
    missing = [(f, t) for f, t in named() if not (ROOT / f).exists()
               or not re.search(rf"^def {t}\(", (ROOT / f).read_text(), re.M)]
    assert missing == []


@pytest.mark.parametrize("folder, at_least", [("tests/api", 11), ("tests/api/sushi", 11),
                                              ("tests/dashboard", 10)])
def test_the_api_sushi_and_dashboard_guarantees_name_their_tests(folder, at_least):
    assert len({(f, t) for f, t in named() if str(Path(f).parent) == folder}) >= at_least
