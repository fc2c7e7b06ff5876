"""Packages under a size cap: the package counts of the anchor's cases for
the same inputs, splitting by rows, slicing, manifests and status."""

import json

from loglines.shipping.gather import Gathering, run_plan
from tests.shipping import anchor_cases
from tests.support.packages import manifest, statuses, unpack

PERIOD = (1764547200, 1767225600)  # December 2025


def gather(registry, tmp_path, max_bytes=anchor_cases.CAP, plan=None):
    plan = plan or {c: [PERIOD] for c in registry.data()}
    return run_plan(plan, Gathering(*PERIOD), registry.config, PERIOD, tmp_path / "out",
                    max_bytes)


def contents(result):
    return [unpack(p.path.read_bytes()) for p in result.packages]


def test_one_csv_ten_times_the_cap_makes_ten_packages(tmp_path):
    packages = contents(gather(anchor_cases.big_table(), tmp_path))
    assert len(packages) == 10
    for files in packages:
        assert len(files["big_table.csv"]) == 1000
        assert json.loads(files["config.json"]) == {"version": "1.0"}
    rows = sum(manifest(f)["files"][0]["rows"] for f in packages)
    assert rows == 990  # every row once, none lost at a cut
    assert [manifest(f)["files"][0]["part"] for f in packages] == list(range(1, 11))


def test_json_unsliced_and_sliced_csv_make_thirteen_packages(tmp_path):
    packages = contents(gather(anchor_cases.distributions(), tmp_path))
    assert len(packages) == 13
    holding = {name: [i for i, f in enumerate(packages) if f"{name}.csv" in f]
               for name in ("csv_no_slicing_1-2x", "csv_no_slicing_2-1x", "csv_no_slicing_3-10x",
                            "csv_no_slicing_4-12x", "csv_with_slicing_1-5x",
                            "csv_with_slicing_2-3x", "csv_with_slicing_3-2x",
                            "csv_with_slicing_4-3x")}
    assert [i for i, f in enumerate(packages) if "simple_json1.json" in f] == [0]
    assert holding == {
        "csv_no_slicing_1-2x": [0, 1], "csv_no_slicing_2-1x": [0],
        "csv_no_slicing_3-10x": list(range(10)), "csv_no_slicing_4-12x": list(range(12)),
        "csv_with_slicing_1-5x": list(range(5)), "csv_with_slicing_2-3x": [5, 6, 7],
        "csv_with_slicing_3-2x": [8, 9], "csv_with_slicing_4-3x": [10, 11, 12]}


def test_unsliced_csv_goes_to_the_first_package_with_room(tmp_path):
    packages = contents(gather(anchor_cases.several(), tmp_path))
    assert [sorted(k for k in f if k.startswith(("big", "csv_"))) for f in packages] == [
        ["big_table_2.csv", "csv_collection_1.csv"], ["big_table_2.csv", "csv_collection_2.csv"],
        ["big_table_2.csv"]]
    for files in packages:
        data = sum(e["bytes"] for e in manifest(files)["files"])
        assert data <= anchor_cases.CAP


def test_status_lists_every_collection_and_a_failure_with_its_reason(tmp_path):
    def broken(g):
        raise RuntimeError("the table is locked")

    from loglines.shipping.registry import register
    registry = anchor_cases.registry(anchor_cases.csv("fine", 1),
                                     register("broken", "2", format="csv")(broken))
    result = gather(registry, tmp_path)
    (files,) = contents(result)
    rows = {r["collector"]: r for r in statuses(files)}
    assert rows["fine.csv"]["status"] == "ok"
    assert rows["broken.csv"]["status"] == "failed"
    assert rows["broken.csv"]["reason"] == "RuntimeError: the table is locked"
    assert rows["fine.csv"]["since"] == "2025-12-01" and rows["fine.csv"]["until"] == "2026-01-01"
    assert float(rows["fine.csv"]["seconds"]) >= 0
    assert "broken.csv" not in files


def test_a_failed_slice_makes_the_later_slices_of_its_collector_wait(tmp_path):
    from loglines.shipping.periods import by_day
    from loglines.shipping.registry import register

    def daily(g):
        if g.since == PERIOD[0] + 2 * 86400:
            raise OSError("day 3 unreadable")
        return [["day"], [g.since]]

    registry = anchor_cases.registry(register("daily", "1", format="csv", slicing=by_day)(daily),
                                     anchor_cases.csv("other", 1))
    plan = {c: (by_day(*PERIOD)[:5] if c.slicing else [PERIOD]) for c in registry.data()}
    result = gather(registry, tmp_path, plan=plan)
    by_status = [(s.collector.key, s.status) for s in result.statuses]
    assert by_status == [("daily", "ok"), ("daily", "ok"), ("daily", "failed"),
                         ("daily", "waiting"), ("daily", "waiting"), ("other", "ok")]
    # one package per slice shipped, the other collector in the first
    assert len(result.packages) == 2
    assert {e for p in result.packages for e in p.entries} == {
        f"daily.csv|{PERIOD[0]}|{PERIOD[0] + 86400}",
        f"daily.csv|{PERIOD[0] + 86400}|{PERIOD[0] + 2 * 86400}",
        f"other.csv|{PERIOD[0]}|{PERIOD[1]}"}


def test_the_same_data_gathered_again_is_the_same_package(tmp_path):
    first = gather(anchor_cases.several(), tmp_path / "a")
    again = gather(anchor_cases.several(), tmp_path / "b")
    assert [p.name for p in first.packages] == [p.name for p in again.packages]
    assert [p.manifest["content_sha256"] for p in first.packages] == \
        [p.manifest["content_sha256"] for p in again.packages]


def test_a_json_larger_than_the_cap_fails_with_the_reason(tmp_path):
    registry = anchor_cases.registry(anchor_cases.json("huge", ["x" * 50] * 40))
    result = gather(registry, tmp_path)
    assert result.packages == []
    (status,) = result.statuses
    assert status.status == "failed" and "cannot be split" in status.reason
