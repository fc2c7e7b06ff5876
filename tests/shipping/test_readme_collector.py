"""The collector of a site's own shown in the README works as the README says."""

import csv
import io
import json
import re
from pathlib import Path

from tests.api.conftest import RECORDS
from tests.shipping.test_builtin import ship, store, write_config
from tests.stats.records import T0, excluded
from tests.support.packages import unpack

ROOT = Path(__file__).resolve().parents[2]


def readme_collector():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### A collector of your own"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_collector_ships_beside_the_counter_reports(tmp_path, redis_server, prefix):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins/top_items.py").write_text(readme_collector())
    url, engine = store(tmp_path, [*RECORDS, excluded(T0 + 31 * 86400 - 600, "robot")])
    engine.dispose()
    cfg = write_config(tmp_path, redis_server, prefix, url, """
        groups = counter
        collectors = builtin, top_items
    """)
    assert ship(cfg) == 0
    (package,) = (tmp_path / "outgoing").iterdir()
    files = unpack(package.read_bytes())
    rows = list(csv.reader(io.StringIO(files["top_items.csv"].decode())))
    assert rows == [["item", "requests"], ["oai:repo:7", "2"], ["oai:repo:8", "1"]]
    entry = next(f for f in json.loads(files["manifest.json"])["files"]
                 if f["key"] == "top_items")
    assert (entry["version"], entry["rows"]) == ("1", 2)
    assert {"counter_ir.json", "counter_pr.json", "counter_ir.tsv", "counter_pr.tsv"} <= set(files)
