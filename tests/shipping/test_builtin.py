"""The collectors that come with loglines, gathered from a real store:
COUNTER IR and PR (JSON and TSV, the SUSHI API's own code), the usage
events of each day, the excluded lines, the delivery state, and the config
collector without any secret."""

import csv
import io
import json
import textwrap

from loglines.cli.main import main
from loglines.config import load
from loglines.store.engine import open_engine
from loglines.store.migrate import upgrade
from tests.api.conftest import RECORDS, fill
from tests.stats.records import T0, excluded
from tests.support.packages import unpack

TOKEN = "tok-0123456789abcdef"


def store(tmp_path, records):
    """An SQLite store in ``tmp_path`` holding ``records``: (url, engine)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    engine = open_engine(url)
    upgrade(engine)
    fill(engine, records)
    return url, engine


def write_config(tmp_path, redis_server, prefix, url, section):
    """loglines.cfg with the test's Redis, the store and a folder shipper."""
    cfg = tmp_path / "loglines.cfg"
    cfg.write_text(textwrap.dedent(f"""
        [queues]
        prefix = {prefix}
        [redis]
        port = {redis_server.port}
        [store]
        url = {url}
        [worker_ship]
        kind = shipper
        target = folder
        folder = outgoing
    """) + textwrap.dedent(section))
    return cfg


def ship(cfg):
    """December 2025, gathered now."""
    return main(["--config", str(cfg), "ship", "--since", "2025-12", "--until", "2026-01"])


def test_builtin_collectors_from_the_store(tmp_path, redis_server, prefix, capsys):
    url, engine = store(tmp_path, RECORDS)
    cfg = write_config(tmp_path, redis_server, prefix, url, f"""
        auth = bearer
        token = {TOKEN}
        groups = counter, events, operations
    """)
    config = load(cfg)
    # The store has not read December to its end: the reports wait (an
    # empty report shipped now would stay empty at the target).
    assert ship(cfg) == 1
    assert "counter_ir.json 2025-12-01 to 2026-01-01 failed: NotReady: the store has not " \
        "processed 2025-12 to its end yet" in capsys.readouterr().out
    assert not list((tmp_path / "outgoing").glob("loglines-counter-*"))
    fill(engine, [excluded(T0 + 31 * 86400 - 600, "robot")])  # a line of its last hour
    engine.dispose()
    assert ship(cfg) == 0
    packages = [unpack(p.read_bytes()) for p in sorted((tmp_path / "outgoing").iterdir())]
    by_group = {}
    for files in packages:
        by_group.setdefault(json.loads(files["manifest.json"])["group"], []).append(files)
    assert {g: len(p) for g, p in by_group.items()} == {"counter": 1, "events": 31,
                                                         "operations": 1}
    (counter,) = by_group["counter"]
    ir = json.loads(counter["counter_ir.json"])
    assert ir["Report_Header"]["Report_ID"] == "IR"
    item7 = next(i for i in ir["Report_Items"] if "oai:repo:7" in json.dumps(i))
    assert "Total_Item_Requests" in json.dumps(item7)
    pr = json.loads(counter["counter_pr.json"])
    assert pr["Report_Header"]["Report_ID"] == "PR"
    tsv = counter["counter_ir.tsv"].decode("utf-8-sig")
    assert tsv.splitlines()[1] == "Report_ID\tIR" + "\t" * (tsv.splitlines()[1].count("\t") - 1)
    assert "oai:repo:7" in tsv
    events = [r for files in by_group["events"]
              for r in csv.DictReader(io.StringIO(files["usage_events.csv"].decode()))]
    assert sorted((r["item"], r["kind"]) for r in events) == [
        ("oai:repo:7", "Investigation"), ("oai:repo:7", "Request"), ("oai:repo:7", "Request"),
        ("oai:repo:8", "Request")]
    (ops,) = by_group["operations"]
    rejected = list(csv.DictReader(io.StringIO(ops["excluded_lines.csv"].decode())))
    assert [(r["day"], r["reason"], r["lines"]) for r in rejected] == [
        ("2025-12-01", "robot", "1"), ("2025-12-31", "robot", "1")]
    assert json.loads(ops["delivery_state.json"]) == []
    described = json.loads(ops["config.json"])
    assert described["store"]["first"] == "2025-12-01"
    assert described["settings"]["groups"] == ["counter", "events", "operations"]
    assert TOKEN not in ops["config.json"].decode() and "token" not in described["settings"]
    assert config.program("worker_ship").options.token == TOKEN
